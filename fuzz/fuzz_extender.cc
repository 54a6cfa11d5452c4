// The extender's verbs on arbitrary request bodies: the first byte picks filter, prioritize,
// bind or state; a service keeps its state across inputs, as a server does. Every answer must be
// a status and a JSON body: the service never throws and never crashes.
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "colosim/extender/service.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static colosim::extender::ExtenderService service([] {
    colosim::extender::ExtenderSettings settings;
    settings.policy = "binpack";
    return settings;
  }());
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  colosim::extender::ExtenderService::Reply reply;
  switch (data[0] % 4) {
    case 0: reply = service.filter(body); break;
    case 1: reply = service.prioritize(body); break;
    case 2: reply = service.bind(body); break;
    default: reply = service.set_state(body); break;
  }
  if (reply.status != 200 && reply.status != 400) std::abort();  // 500: a fault of ours
  (void)nlohmann::json::parse(reply.body);                         // always JSON
  return 0;
}

// The json trace reader on arbitrary text: jobs or InputError, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include <google/protobuf/stubs/logging.h>

#include "colosim/errors.h"
#include "colosim/traces/trace_reader.h"

// Protobuf logs every string field with invalid UTF-8 before it fails the parse: the reader
// still throws InputError, and the log would only slow the fuzzer down.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    colosim::traces::MessageTraceReader reader(colosim::traces::parse_trace_json(text, "fuzz"), "fuzz");
    while (reader.next()) {
    }
  } catch (const colosim::InputError&) {
  }
  return 0;
}

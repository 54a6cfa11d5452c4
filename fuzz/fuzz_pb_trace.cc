// The .pb stream reader on arbitrary bytes: it must return jobs or throw InputError, never crash,
// hang or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <sstream>

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
  std::string bytes(reinterpret_cast<const char*>(data), size);
  // Twice: with the size known (truncation detected) and as an unsized stream.
  for (bool sized : {true, false}) {
    try {
      colosim::traces::PbTraceReader reader(std::make_unique<std::istringstream>(bytes), "fuzz",
                                            sized ? std::optional<std::uint64_t>(size) : std::nullopt);
      while (reader.next()) {
      }
    } catch (const colosim::InputError&) {
    }
  }
  return 0;
}

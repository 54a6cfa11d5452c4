// The CSV job reader (job_csv.h, through open_trace_reader) on arbitrary bytes. It reads files,
// so each input is written to a per-process temporary file first.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
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
  static const std::string path = "/tmp/colosim-fuzz-csv-" + std::to_string(::getpid()) + ".csv";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    auto reader = colosim::traces::open_trace_reader(path);
    while (reader->next()) {
    }
  } catch (const colosim::InputError&) {
  }
  return 0;
}

#pragma once
// The readers read files: each fuzz input is written to a per-process temporary file with the
// extension the reader dispatches on, then read. Only colosim::Error may escape a reader.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include <google/protobuf/stubs/logging.h>

#include "colosim/errors.h"

// Protobuf logs every string field with invalid UTF-8 before it fails the parse: the reader
// still throws, and the log would only slow the fuzzer down.
inline void quiet_protobuf() { google::protobuf::SetLogHandler(nullptr); }

inline std::string fuzz_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
  const std::string path = "/tmp/colosim-fuzz-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

template <class Read>
void read_or_reject(Read&& read) {
  try {
    read();
  } catch (const colosim::Error&) {
  }
}

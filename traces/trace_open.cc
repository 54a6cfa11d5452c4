// open_trace: picks the reader for a file's format.
#include <filesystem>
#include <fstream>

#include "colosim/errors.h"
#include "colosim/traces/proto_file.h"
#include "colosim/traces/trace_reader.h"

namespace colosim::traces {

std::unique_ptr<TraceReader> open_csv_trace(const std::string& path, TraceReadOptions options);


std::unique_ptr<TraceReader> open_trace_reader(const std::string& path, std::optional<TraceFormat> format,
                                               TraceReadOptions options) {
  const std::string& name = path;
  switch (trace_format_for_path(path, format)) {
    case TraceFormat::pb: {
      check_not_directory(path);
      auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
      if (!*in) throw InputError(name, 0, "", "cannot open file");
      std::error_code ec;
      std::optional<std::uint64_t> size;
      if (std::filesystem::is_regular_file(path, ec)) size = std::filesystem::file_size(path, ec);
      if (ec) size.reset();
      return std::make_unique<PbTraceReader>(std::move(in), name, size, options);
    }
    case TraceFormat::json:
      return std::make_unique<MessageTraceReader>(parse_trace_json(read_file_bytes(path), name), name, options);
    case TraceFormat::textproto:
      return std::make_unique<MessageTraceReader>(parse_trace_textproto(read_file_bytes(path), name), name, options);
    case TraceFormat::csv: return open_csv_trace(path, options);
  }
  throw Error("unreachable trace format");
}

}  // namespace colosim::traces

#pragma once
// Job trace encodings and how one is chosen: by file extension, unless the caller names one.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace colosim::traces {

enum class TraceFormat {
  pb,         // .pb: binary length-delimited stream, TraceHeader then one Job per message
  json,       // .json: one colosim.v1.Trace message, Protobuf's JSON mapping
  textproto,  // .textproto / .txtpb: one colosim.v1.Trace message, Protobuf text format
  csv,        // .csv: the plain CSV job format (traces/job_csv.h)
};

const char* to_string(TraceFormat format);
// "pb", "json", "textproto", "csv"; throws Error listing the names otherwise.
TraceFormat trace_format_from_name(std::string_view name);
// The format named by `override_format` when given, else the one of the extension
// (.pb .json .textproto .txtpb .csv). Throws Error when neither decides.
TraceFormat trace_format_for_path(const std::filesystem::path& path,
                                  std::optional<TraceFormat> override_format = std::nullopt);

}  // namespace colosim::traces

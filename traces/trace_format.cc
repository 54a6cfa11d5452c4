#include "colosim/traces/trace_format.h"

#include <algorithm>
#include <cctype>

#include "colosim/errors.h"

namespace colosim::traces {

const char* to_string(TraceFormat format) {
  switch (format) {
    case TraceFormat::pb: return "pb";
    case TraceFormat::json: return "json";
    case TraceFormat::textproto: return "textproto";
    case TraceFormat::csv: return "csv";
  }
  return "?";
}

TraceFormat trace_format_from_name(std::string_view name) {
  if (name == "pb") return TraceFormat::pb;
  if (name == "json") return TraceFormat::json;
  if (name == "textproto" || name == "txtpb") return TraceFormat::textproto;
  if (name == "csv") return TraceFormat::csv;
  throw Error("unknown trace format '" + std::string(name) + "' (known: pb, json, textproto, csv)");
}

TraceFormat trace_format_for_path(const std::filesystem::path& path, std::optional<TraceFormat> override_format) {
  if (override_format) return *override_format;
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".pb") return TraceFormat::pb;
  if (ext == ".json") return TraceFormat::json;
  if (ext == ".textproto" || ext == ".txtpb") return TraceFormat::textproto;
  if (ext == ".csv") return TraceFormat::csv;
  throw InputError(path.string(), 0, "", "cannot tell the trace format from the extension (use .pb, .json, "
                   ".textproto or .csv, or name the format)");
}

}  // namespace colosim::traces

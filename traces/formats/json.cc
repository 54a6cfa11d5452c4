// Trace format `json`: one colosim.v1.Trace message in Protobuf's JSON mapping (.json).
#include "colosim/traces/proto_file.h"
#include "colosim/traces/trace_format.h"
#include "whole_trace.h"

namespace colosim::traces {

v1::Trace parse_trace_json(const std::string& text, const std::string& file) {
  v1::Trace trace;
  parse_message(text, Encoding::json, file, trace);
  return trace;
}

std::string trace_to_json(const v1::Trace& trace) { return to_json(trace); }

void add_json_format(TraceFormatRegistry& registry) {
  registry.add({.name = "json",
                .description = "one colosim.v1.Trace message, Protobuf's JSON mapping (held in memory)",
                .params = {},
                .make = [](const Params&) {
                  return TraceEncoding{
                      .open_reader = [](const std::string& path,
                                        TraceReadOptions options) { return read_whole_trace(path, options, parse_trace_json); },
                      .open_writer = [](const std::filesystem::path& path, v1::TraceHeader header,
                                        std::set<std::string>) { return write_whole_trace(path, std::move(header), trace_to_json); }};
                }},
               {".json"});
}

}  // namespace colosim::traces

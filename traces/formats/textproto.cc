// Trace format `textproto`: one colosim.v1.Trace message in Protobuf text format (.textproto,
// .txtpb).
#include "colosim/traces/proto_file.h"
#include "colosim/traces/trace_format.h"
#include "whole_trace.h"

namespace colosim::traces {

v1::Trace parse_trace_textproto(const std::string& text, const std::string& file) {
  v1::Trace trace;
  parse_message(text, Encoding::text, file, trace);
  return trace;
}

std::string trace_to_textproto(const v1::Trace& trace) {
  return "# proto-file: traces/colosim.proto\n# proto-message: colosim.v1.Trace\n" + to_text(trace);
}

void add_textproto_format(TraceFormatRegistry& registry) {
  registry.add({.name = "textproto",
                .description = "one colosim.v1.Trace message, Protobuf text format (held in memory)",
                .params = {},
                .make = [](const Params&) {
                  return TraceEncoding{
                      .open_reader = [](const std::string& path,
                                        TraceReadOptions options) { return read_whole_trace(path, options, parse_trace_textproto); },
                      .open_writer = [](const std::filesystem::path& path, v1::TraceHeader header,
                                        std::set<std::string>) { return write_whole_trace(path, std::move(header), trace_to_textproto); }};
                }},
               {".textproto", ".txtpb"});
}

}  // namespace colosim::traces

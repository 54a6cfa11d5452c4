#pragma once
// The encodings that hold one whole colosim.v1.Trace message (json, textproto): the file is read
// and parsed at once, and a writer collects the jobs and writes the message at finish(). Use .pb
// for large traces.
#include <filesystem>
#include <memory>
#include <string>

#include "colosim.pb.h"
#include "colosim/traces/trace_read_options.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"

namespace colosim::traces {

using ParseTrace = v1::Trace (*)(const std::string& text, const std::string& file);
using PrintTrace = std::string (*)(const v1::Trace& trace);

std::unique_ptr<TraceReader> read_whole_trace(const std::string& path, TraceReadOptions options, ParseTrace parse);
std::unique_ptr<TraceWriter> write_whole_trace(const std::filesystem::path& path, v1::TraceHeader header, PrintTrace print);

}  // namespace colosim::traces

#pragma once
// Writing job traces. The .pb and .csv writers stream (constant memory); the JSON and text
// writers collect the jobs into one Trace message and write it at finish().
//
// A file writer writes into `<path>.partial` and renames it to `path` only in finish(), so an
// interrupted run never leaves a file that looks complete. For .pb, when the header's job_count
// is 0 or -1 (not stated), finish() writes the final header with the exact count in front of the jobs
// (one extra copy of the data); when it is given, finish() checks that exactly that many jobs
// were written.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <set>
#include <string>

#include "colosim.pb.h"
#include "colosim/job.h"
#include "colosim/traces/trace_format.h"

namespace colosim::traces {

class TraceWriter {
 public:
  virtual ~TraceWriter() = default;
  virtual void write(const JobSpec& job) = 0;
  // Completes the file. Must be called once; a writer destroyed without it removes its partial
  // output.
  virtual void finish() = 0;
  virtual std::int64_t jobs_written() const = 0;
};

// The writer of `format` (a trace format spec, trace_format.h), or of the path's extension.
// `header.schema_version` is set to kSchemaVersion; the time unit of `header` is used for all
// times (unspecified: seconds). CSV keeps no header (source, unit, cluster are dropped) and needs
// its feature columns up front: `csv_features` (a job with another feature is an Error; see
// TraceEncoding::needs_feature_names).
std::unique_ptr<TraceWriter> open_trace_writer(const std::filesystem::path& path, v1::TraceHeader header,
                                               const std::string& format = "", std::set<std::string> csv_features = {});

// The binary stream writer on any ostream; the header is written as given (job_count may be -1).
// Serialization is deterministic (map fields in key order), so the same jobs give the same bytes.
void write_pb_header(std::ostream& out, const v1::TraceHeader& header);
void write_pb_job(std::ostream& out, const v1::Job& job);

// Whole-message encodings, deterministic. JSON: Protobuf's JSON mapping with field names as in
// the .proto, two-space indentation, fields with default values left out.
std::string trace_to_json(const v1::Trace& trace);
std::string trace_to_textproto(const v1::Trace& trace);

}  // namespace colosim::traces

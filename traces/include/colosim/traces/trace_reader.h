#pragma once
// Reading job traces in any supported encoding (.pb, .json, .textproto, .csv) as a JobSource,
// the encoding chosen by extension unless named.
//
// Every reader validates each job (job_proto.h) and the stream (job_checks.h) and throws
// InputError(file, record, field, problem) at the first problem; records are numbered from 1
// (the header is record 0; for CSV the number is the line). A reader never returns a partial
// trace as if complete: a .pb stream that ends early (inside a record, or before the header's
// job_count) is an error.
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>

#include "colosim.pb.h"
#include "colosim/job_source.h"
#include "colosim/traces/job_checks.h"
#include "colosim/traces/trace_format.h"
#include "colosim/traces/trace_read_options.h"

namespace colosim::traces {

// Any supported format, chosen by extension (see trace_format.h). Throws InputError for an
// unknown extension, a file that cannot be opened or a bad header.
std::unique_ptr<JobSource> open_trace(const std::string& path, TraceReadOptions options = {});


class TraceReader : public JobSource {
 public:
  // The trace's header. For CSV, which has none, one made by the reader (source = file,
  // seconds, job_count -1).
  virtual const v1::TraceHeader& header() const = 0;
  // Jobs returned so far.
  virtual std::int64_t jobs_read() const = 0;
};

// Like open_trace, with the header and options; `format` (a trace format spec, trace_format.h)
// overrides the extension.
std::unique_ptr<TraceReader> open_trace_reader(const std::string& path, const std::string& format = "",
                                               TraceReadOptions options = {});

// Checks a header: schema_version must be kSchemaVersion (0, unset, is accepted in the
// hand-written JSON and text encodings, not in .pb streams, where it is the only sign that the
// file is a colosim trace at all), the time unit must be known, job_count >= -1 (0 and -1: not
// stated; otherwise the reader checks that exactly that many jobs follow).
// Throws InputError(file, 0, "header.<field>", ...).
void validate_header(const v1::TraceHeader& header, const std::string& file, bool allow_unset_version = false);

// The binary stream reader, on any istream (a file, or memory for the fuzzer). Holds one record
// at a time. `size_hint` is the total byte size when known (it lets a record that runs past the
// end be called truncated rather than corrupt).
class PbTraceReader final : public TraceReader {
 public:
  PbTraceReader(std::unique_ptr<std::istream> in, std::string name,
                std::optional<std::uint64_t> size_hint = std::nullopt, TraceReadOptions options = {});
  ~PbTraceReader() override;

  std::optional<JobSpec> next() override;
  std::string name() const override { return name_; }
  const v1::TraceHeader& header() const override { return header_; }
  std::int64_t jobs_read() const override { return checker_.count(); }

 private:
  // Reads one length-delimited message; false on a clean end of file before its first byte.
  bool read_message(google::protobuf::MessageLite& message, std::int64_t record, const char* what);

  struct Stream;
  std::unique_ptr<Stream> stream_;
  std::string name_;
  std::optional<std::uint64_t> size_;
  v1::TraceHeader header_;
  v1::Job job_;
  JobStreamChecker checker_;
  bool done_ = false;
};

// Parses a whole JSON or text-format Trace (these encodings are not streams: the file is held in
// memory; use .pb for large traces). Text-format errors carry the line (and the column in the
// message); JSON errors carry the parser's message. Defined with their formats (traces/formats/).
v1::Trace parse_trace_json(const std::string& text, const std::string& file);
v1::Trace parse_trace_textproto(const std::string& text, const std::string& file);

// A reader over an already parsed Trace message (JSON and text format).
class MessageTraceReader final : public TraceReader {
 public:
  MessageTraceReader(v1::Trace trace, std::string name, TraceReadOptions options = {});
  std::optional<JobSpec> next() override;
  std::string name() const override { return name_; }
  const v1::TraceHeader& header() const override { return trace_.header(); }
  std::int64_t jobs_read() const override { return checker_.count(); }

 private:
  v1::Trace trace_;
  std::string name_;
  int pos_ = 0;
  JobStreamChecker checker_;
};

}  // namespace colosim::traces

// JSON and text-format traces: one colosim.v1.Trace message per file.
#include "colosim/errors.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/proto_file.h"
#include "colosim/traces/trace_reader.h"

namespace colosim::traces {

v1::Trace parse_trace_json(const std::string& text, const std::string& file) {
  v1::Trace trace;
  parse_message(text, Encoding::json, file, trace);
  return trace;
}

v1::Trace parse_trace_textproto(const std::string& text, const std::string& file) {
  v1::Trace trace;
  parse_message(text, Encoding::text, file, trace);
  return trace;
}

MessageTraceReader::MessageTraceReader(v1::Trace trace, std::string name, TraceReadOptions options)
    : trace_(std::move(trace)), name_(std::move(name)), checker_(options.check_duplicate_ids, options.allow_empty) {
  validate_header(trace_.header(), name_, /*allow_unset_version=*/true);
  const auto count = trace_.header().job_count();
  if (count > 0 && count != trace_.jobs_size())
    throw InputError(name_, 0, "header.job_count",
                     "the header announces " + std::to_string(count) + " jobs, the file has " +
                         std::to_string(trace_.jobs_size()));
}

std::optional<JobSpec> MessageTraceReader::next() {
  if (pos_ == trace_.jobs_size()) {
    checker_.check_end(name_);
    return std::nullopt;
  }
  const std::int64_t record = pos_ + 1;
  JobSpec job = job_from_proto(trace_.jobs(pos_), trace_.header().time_unit(), name_, record);
  checker_.check(job, name_, record);
  ++pos_;
  return job;
}

}  // namespace colosim::traces

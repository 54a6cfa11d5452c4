// Reading and writing one whole colosim.v1.Trace message (json, textproto).
#include "whole_trace.h"

#include "colosim/errors.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/proto_file.h"
#include "colosim/traces/atomic_file.h"

namespace colosim::traces {
namespace {

class WholeTraceWriter final : public TraceWriter {
 public:
  WholeTraceWriter(std::filesystem::path path, v1::TraceHeader header, PrintTrace print)
      : path_(std::move(path)), print_(print) {
    *trace_.mutable_header() = std::move(header);
  }
  void write(const JobSpec& job) override { *trace_.add_jobs() = job_to_proto(job, trace_.header().time_unit()); }
  void finish() override {
    auto& header = *trace_.mutable_header();
    if (header.job_count() > 0 && header.job_count() != trace_.jobs_size())
      throw Error("'" + path_.string() + "': the header announces " + std::to_string(header.job_count()) +
                  " jobs, " + std::to_string(trace_.jobs_size()) + " were written");
    header.set_job_count(trace_.jobs_size());
    write_file_atomically(path_, print_(trace_));
  }
  std::int64_t jobs_written() const override { return trace_.jobs_size(); }

 private:
  std::filesystem::path path_;
  PrintTrace print_;
  v1::Trace trace_;
};

}  // namespace

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

std::unique_ptr<TraceReader> read_whole_trace(const std::string& path, TraceReadOptions options, ParseTrace parse) {
  return std::make_unique<MessageTraceReader>(parse(read_file_bytes(path), path), path, options);
}

std::unique_ptr<TraceWriter> write_whole_trace(const std::filesystem::path& path, v1::TraceHeader header, PrintTrace print) {
  return std::make_unique<WholeTraceWriter>(path, std::move(header), print);
}

}  // namespace colosim::traces

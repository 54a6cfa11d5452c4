// Trace format `csv`: the plain CSV job format (job_csv.h) as a TraceReader / TraceWriter (.csv).
// It keeps no header (source, unit and cluster are dropped) and needs its feature columns up
// front.
#include <fmt/format.h>

#include <filesystem>

#include "colosim/errors.h"
#include "colosim/traces/atomic_file.h"
#include "colosim/traces/csv.h"
#include "colosim/traces/job_csv.h"
#include "colosim/traces/job_csv_writer.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/schema_version.h"
#include "colosim/traces/trace_format.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"
#include "colosim/traces/atomic_file.h"

namespace colosim::traces {
namespace {

class CsvTraceReader final : public TraceReader {
 public:
  CsvTraceReader(const std::string& path, TraceReadOptions options) : source_(path, options) {
    header_.set_schema_version(kSchemaVersion);
    header_.set_source(path);
    header_.set_time_unit(v1::SECONDS);
    header_.set_job_count(-1);
  }
  std::optional<JobSpec> next() override { return source_.next(); }
  std::string name() const override { return source_.name(); }
  const v1::TraceHeader& header() const override { return header_; }
  std::int64_t jobs_read() const override { return source_.jobs_read(); }

 private:
  JobCsvSource source_;
  v1::TraceHeader header_;
};


class CsvFileWriter final : public TraceWriter {
 public:
  CsvFileWriter(std::filesystem::path path, std::set<std::string> features)
      : file_(std::move(path)), writer_(file_.stream(), std::move(features)) {}
  void write(const JobSpec& job) override {
    writer_.write(job);
    ++count_;
  }
  void finish() override { file_.commit(); }
  std::int64_t jobs_written() const override { return count_; }

 private:
  AtomicFile file_;
  JobCsvWriter writer_;
  std::int64_t count_ = 0;
};

}  // namespace

JobCsvWriter::JobCsvWriter(std::ostream& out, std::set<std::string> feature_names)
    : out_(out), features_(std::move(feature_names)) {
  out_ << "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util,gpu_milli,priority,user,gpu_types";
  for (const auto& f : features_) {
    out_ << ",";
    out_ << csv_quote("feature." + f);
  }
  out_ << "\n";
}

void JobCsvWriter::write(const JobSpec& job) {
  // Like the header, a recorded run has no place in a CSV written as a stream: refuse rather than
  // drop it (the reader takes recorded_* columns written by hand or by another tool).
  if (job.recorded)
    throw Error("job '" + job.id + "' has a recorded run (an imported cluster log), which the csv trace format " +
                "does not write: write .pb, .json or .textproto");
  for (const auto& [name, value] : job.features)
    if (!features_.count(name))
      throw Error("job '" + job.id + "' has feature '" + name + "', which is not a column of this CSV file");
  line_.clear();
  line_ += csv_quote(job.id);
  line_ += ',';
  line_ += csv_quote(job.app);
  fmt::format_to(std::back_inserter(line_), ",{},{},{},{},{},{},{},", ticks_to_seconds(job.submit),
                 ticks_to_seconds(job.solo_duration), job.gpus, job.memory_mib, job.gpu_util, job.gpu_milli, job.priority);
  line_ += csv_quote(job.user);
  line_ += ',';
  std::string types;
  for (const auto& t : job.gpu_types) types += (types.empty() ? "" : "|") + t;
  line_ += csv_quote(types);
  for (const auto& f : features_) {
    line_ += ',';
    auto it = job.features.find(f);
    if (it != job.features.end()) fmt::format_to(std::back_inserter(line_), "{}", it->second);
  }
  line_ += '\n';
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

void add_csv_format(TraceFormatRegistry& registry) {
  registry.add({.name = "csv",
                .description = "the plain CSV job format, one job per line; no header record (streamed)",
                .params = {},
                .make = [](const Params&) {
                  return TraceEncoding{
                      .open_reader = [](const std::string& path, TraceReadOptions options) -> std::unique_ptr<TraceReader> {
                        return std::make_unique<CsvTraceReader>(path, options);
                      },
                      .open_writer = [](const std::filesystem::path& path, v1::TraceHeader,
                                        std::set<std::string> features) -> std::unique_ptr<TraceWriter> {
                        return std::make_unique<CsvFileWriter>(path, std::move(features));
                      },
                      .needs_feature_names = true};
                }},
               {".csv"});
}

}  // namespace colosim::traces

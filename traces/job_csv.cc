#include "colosim/traces/job_csv.h"

#include "colosim/checked.h"

namespace colosim::traces {
namespace {

// The current record of a CsvReader as JobColumns asks for it.
class CsvCells final : public JobCells {
 public:
  explicit CsvCells(const CsvReader& csv) : csv_(csv) {}
  bool missing(int column) const override { return csv_.field(column).empty(); }
  std::optional<std::string> text(int column) const override { return csv_.field(column); }
  std::optional<double> number(int column) const override { return parse_number(csv_.field(column)); }
  std::optional<std::int64_t> integer(int column) const override { return parse_integer(csv_.field(column)); }
  std::string shown(int column) const override { return "'" + csv_.field(column) + "'"; }

 private:
  const CsvReader& csv_;
};

}  // namespace

JobCsvSource::JobCsvSource(const std::string& path, TraceReadOptions options)
    : csv_(path), columns_(csv_.header(), path, 1), checker_(options.check_duplicate_ids, options.allow_empty) {}

std::optional<JobSpec> JobCsvSource::next() {
  if (!csv_.next()) {
    checker_.check_end(csv_.path());
    return std::nullopt;
  }
  JobSpec job = columns_.parse(CsvCells(csv_), csv_.line());
  checker_.check(job, csv_.path(), csv_.line(), JobColumns::kSubmitColumn);
  return job;
}

std::vector<JobSpec> read_job_csv(const std::string& path, TraceReadOptions options) {
  JobCsvSource source(path, options);
  std::vector<JobSpec> jobs;
  while (auto job = source.next()) jobs.push_back(std::move(*job));
  return jobs;
}

}  // namespace colosim::traces

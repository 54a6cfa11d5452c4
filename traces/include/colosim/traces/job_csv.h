#pragma once
// The plain CSV job format, for users' own traces (documented in docs/traces.md): a header row
// naming the columns of job_columns.h, in any order, then one job per row. Rows must be sorted by
// submit_s and ids unique (job_checks.h).
#include <string>
#include <vector>

#include "colosim/job_source.h"
#include "colosim/traces/csv.h"
#include "colosim/traces/job_checks.h"
#include "colosim/traces/job_columns.h"
#include "colosim/traces/trace_read_options.h"

namespace colosim::traces {

// Streams the file; every problem is an InputError with file, line and column.
class JobCsvSource final : public JobSource {
 public:
  explicit JobCsvSource(const std::string& path, TraceReadOptions options = {});
  std::optional<JobSpec> next() override;
  std::string name() const override { return csv_.path(); }
  std::int64_t jobs_read() const { return checker_.count(); }

 private:
  CsvReader csv_;
  JobColumns columns_;
  JobStreamChecker checker_;
};

std::vector<JobSpec> read_job_csv(const std::string& path, TraceReadOptions options = {});
// Writing: JobCsvWriter (job_csv_writer.h), which streams.

}  // namespace colosim::traces

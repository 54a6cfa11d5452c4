#pragma once
// The plain CSV job format, for users' own traces (documented in docs/traces.md):
//   id,app,submit_s,duration_s,gpus,memory_mib,gpu_util
// required, in any order; optional: gpu_milli, priority, user, gpu_types ('|'-separated), and
// any number of `feature.<name>` columns (numbers). Rows must be sorted by submit_s.
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "colosim/job_source.h"
#include "colosim/traces/csv.h"

namespace colosim::traces {

// Streams the file; every problem is an InputError with file, line and column.
class JobCsvSource final : public JobSource {
 public:
  explicit JobCsvSource(const std::string& path);
  std::optional<JobSpec> next() override;
  std::string name() const override { return csv_.path(); }

 private:
  CsvReader csv_;
  int id_, app_, submit_, duration_, gpus_, memory_, util_;
  int milli_ = -1, priority_ = -1, user_ = -1, types_ = -1;
  std::vector<std::pair<int, std::string>> features_;
  std::unordered_set<std::string> seen_ids_;
  Tick last_submit_ = 0;
};

std::vector<JobSpec> read_job_csv(const std::string& path);
// Writing: JobCsvWriter (job_csv_writer.h), which streams.

}  // namespace colosim::traces

#pragma once
// Run results on disk: jobs.csv (one row per job, streamed as jobs leave) and summary.json,
// each written as <name>.partial and renamed when complete (atomic_file.h).
#include <map>
#include <string>

#include "colosim/traces/atomic_file.h"
#include "colosim/metrics.h"
#include "colosim/observer.h"

namespace colosim::traces {

// Header of jobs.csv: the keys of job_columns() (colosim/job_columns.h), in order.
std::string jobs_csv_header();

// `s` as a quoted JSON string, with escapes.
std::string json_string(const std::string& s);

// One jobs.csv row (no newline), with times in seconds to the microsecond.
std::string format_job_row(const JobRecord& record);
// The same row appended to `out`: no string per row or per number.
void append_job_row(const JobRecord& record, std::string& out);

// Streams jobs.csv into its partial file; the file appears under its name at commit(), after the
// run. Destroyed uncommitted (the run failed or was interrupted), it leaves nothing.
class JobsCsvWriter final : public SimObserver {
 public:
  explicit JobsCsvWriter(const std::string& path);
  void on_job_done(const JobRecord& record) override;
  void on_end(Tick) override;  // checks for write errors
  AtomicFile& file() { return file_; }
  void commit() { file_.commit(); }

 private:
  AtomicFile file_;
  std::string row_;  // reused for every row
};

// Deterministic JSON: fixed key order, shortest round-trip numbers. `meta` is written as a
// "run" object of strings (policy, seed, inputs).
std::string summary_to_json(const Summary& summary, const std::map<std::string, std::string>& meta);
// Writes jobs.csv of finished `records` and summary.json into `dir` as one set
// (write_files_atomically): what Python's Result.write does.
void write_run_outputs(const std::string& dir, const std::vector<JobRecord>& records, const std::string& summary_json);
// jobs.csv of finished `records`, atomically.
void write_jobs_csv(const std::string& path, const std::vector<JobRecord>& records);

}  // namespace colosim::traces

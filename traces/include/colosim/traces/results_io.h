#pragma once
// Run results on disk: jobs.csv (one row per job, streamed as jobs leave) and summary.json.
#include <fstream>
#include <map>
#include <string>

#include "colosim/metrics.h"
#include "colosim/observer.h"

namespace colosim::traces {

// Header of jobs.csv: the keys of job_columns() (colosim/job_columns.h), in order.
std::string jobs_csv_header();

// `s` as a quoted JSON string, with escapes.
std::string json_string(const std::string& s);

// One jobs.csv row (no newline), with times in seconds to the microsecond.
std::string format_job_row(const JobRecord& record);

class JobsCsvWriter final : public SimObserver {
 public:
  explicit JobsCsvWriter(const std::string& path);
  void on_job_done(const JobRecord& record) override;
  void on_end(Tick) override;

 private:
  std::string path_;
  std::ofstream out_;
};

// Deterministic JSON: fixed key order, shortest round-trip numbers. `meta` is written as a
// "run" object of strings (policy, seed, inputs).
std::string summary_to_json(const Summary& summary, const std::map<std::string, std::string>& meta);
void write_summary_json(const Summary& summary, const std::map<std::string, std::string>& meta, const std::string& path);

}  // namespace colosim::traces

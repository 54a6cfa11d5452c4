#pragma once
// Streaming writer of the plain CSV job format (job_csv.h), for traces too large for
// write_job_csv's vector: the feature columns are fixed when the writer is made, and a job with
// a feature outside them is an Error. Numbers are written as write_job_csv writes them
// (shortest round-trip form); text fields with a comma, quote or newline are quoted (RFC 4180).
#include <fstream>
#include <set>
#include <string>

#include "colosim/job.h"

namespace colosim::traces {

class JobCsvWriter {
 public:
  JobCsvWriter(std::ostream& out, std::set<std::string> feature_names);
  void write(const JobSpec& job);

 private:
  std::ostream& out_;
  std::set<std::string> features_;
  std::string line_;
};

}  // namespace colosim::traces

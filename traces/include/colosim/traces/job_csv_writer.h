#pragma once
// Streaming writer of the plain CSV job format (job_csv.h): the feature columns are fixed when
// the writer is made, and a job with a feature outside them is an Error. Numbers in shortest
// round-trip form; text fields with a comma, quote or line break are quoted (RFC 4180).
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

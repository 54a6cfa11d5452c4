#pragma once
// What `colosim trace-info` prints: counts, time span, GPU-request histogram, app mix and the
// jobs that cannot run on a given cluster. Memory grows with the number of distinct apps and
// request shapes, not with the number of jobs.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "colosim/cluster_spec.h"
#include "colosim/job.h"

namespace colosim::traces {

// Why `job` can never run on `cluster`, or nullopt: none of its allowed GPU types exists (or has
// enough memory for it), or its gang is larger than every such node (than all such GPUs together
// with `allow_multi_node`, as SimConfig::allow_multi_node). The simulator reports such jobs
// `unschedulable`.
std::optional<std::string> cluster_problem(const JobSpec& job, const ClusterSpec& cluster, bool allow_multi_node = false);

class TraceStats {
 public:
  void add(const JobSpec& job);
  // Also counts cluster problems (first job of each kind named).
  void add(const JobSpec& job, const ClusterSpec& cluster, bool allow_multi_node = false);
  std::string render(std::size_t max_apps = 20) const;
  // The same figures as one JSON object, keys in a fixed order, every app by name.
  std::string to_json() const;

  std::int64_t jobs = 0;
  Tick first_submit = 0, last_submit = 0, last_end = 0;
  Tick min_duration = 0, max_duration = 0;
  double total_duration_s = 0;
  double gpu_seconds = 0;  // duration x gpus x share
  std::int64_t fractional = 0, constrained = 0;
  std::map<std::pair<int, int>, std::int64_t> requests;  // (gpus, gpu_milli) -> jobs
  std::map<std::string, std::int64_t> apps;
  std::int64_t cluster_problems = 0;
  std::string first_cluster_problem;
};

}  // namespace colosim::traces

// gpu-packing: the FGD paper's GPU-packing baseline (Weng et al., ATC'23, section 6; their
// simulator's GpuPackingScore): a job goes first to GPUs already in use, then to idle GPUs of
// nodes in use, and only then to an idle node. On each node the job would take the fitting GPUs
// with the least free share (node_scoring.h), k of them idle:
//  - none idle (only GPUs in use):  score = max(100 - floor(sum of floor(free_i * 100 / 1000) / 10), 50)
//    over the GPUs it takes, so the fullest GPUs score highest;
//  - the node's GPUs are all idle:  score = max(33 - n, n), n = the node's GPUs;
//  - otherwise (some idle):         score = max(50 - k, 33).
// A CPU-only job scores 0 everywhere, so the tie rule places it (`ties`, node_scoring.h): the
// first node that can hold it by default, a random one with ties=random.
#include <algorithm>
#include <memory>

#include "colosim/policies/builtin.h"
#include "colosim/policies/node_scoring.h"

namespace colosim {
namespace {

NodeScore score(SchedulingPass& pass, const JobSpec& job, const NodeCandidate& c) {
  if (job.gpus == 0) return NodeScore{};  // as the simulator: no GPU request, no preference
  const ClusterView& cluster = pass.cluster();
  NodeScore s{0, least_free_gpus(c, job, cluster)};
  const int node_gpus = static_cast<int>(c.free.gpu_milli.size());
  const bool node_idle = std::all_of(c.free.gpu_milli.begin(), c.free.gpu_milli.end(), [](int f) { return f == 1000; });
  std::int64_t idle_taken = 0, tenths = 0;
  for (GpuIndex g : s.gpus) {
    const int free = free_share(c, cluster, g);
    idle_taken += free == 1000;
    tenths += free * 100 / 1000;
  }
  if (node_idle) s.score = std::max(33 - node_gpus, node_gpus);
  else if (idle_taken > 0) s.score = std::max<std::int64_t>(50 - idle_taken, 33);
  else s.score = std::max<std::int64_t>(100 - tenths / 10, 50);
  return s;
}

}  // namespace

void register_gpu_packing(PolicyRegistry& registry) {
  registry.add({"gpu-packing",
                "the FGD paper's GPU-packing: GPUs in use first, then idle GPUs of nodes in use, then idle nodes", {ties_param()},
                [](const PolicyParams& params) { return std::make_shared<NodeScoringPolicy>(score, tie_break(params)); }});
}

}  // namespace colosim

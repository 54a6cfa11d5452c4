// fgd: Fragmentation Gradient Descent (Weng et al., "Beware of Fragmentation: Scheduling
// GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC '23, section 4; their
// simulator's FGDScore plugin). Each node that can hold the job is scored by how little placing
// the job there grows the node's fragmentation F_n against the run's target workload
// (SchedulingPass::target_workload, fragmentation.h):
//   score = trunc(100 * sigmoid((F_n before - F_n after) / 1000)),  F in milli-GPU,
// so 50 means no change. A job on one GPU with a part of it tries every GPU of the node where it
// fits and keeps the best (ties: the lower index); other jobs take the fitting GPUs with the least
// free share (node_scoring.h). The best node wins; ties: the `ties` parameter (node_scoring.h).
#include <cmath>
#include <memory>

#include "colosim/policies/builtin.h"
#include "colosim/policies/node_scoring.h"

namespace colosim {
namespace {

std::int64_t fgd_score(double before, double after) {
  const double x = (before - after) / 1000;
  return static_cast<std::int64_t>(100 / (1 + std::exp(-x)));
}

NodeScore score(SchedulingPass& pass, const JobSpec& job, const NodeCandidate& c) {
  const std::vector<TaskShape>& workload = pass.target_workload();
  const ClusterView& cluster = pass.cluster();
  const int share = cluster.share_of(job);
  const GpuIndex first = cluster.first_gpu(c.node);
  NodeScore best;
  if (job.gpus == 1 && share < 1000) {
    const NodeFragmentationDelta delta(c.free, workload);
    bool any = false;
    for (GpuIndex g : c.fitting) {
      const std::int64_t s = fgd_score(delta.before(), delta.after_taking(static_cast<std::size_t>(g - first), share, c.cpu_request));
      if (!any || s > best.score) best = {s, {g}};
      any = true;
    }
    return best;
  }
  NodeFreeResources after = c.free;
  after.cpu_milli -= c.cpu_request;
  best.gpus = least_free_gpus(c, job, cluster);
  for (GpuIndex g : best.gpus) after.gpu_milli[static_cast<std::size_t>(g - first)] -= share;
  best.score = fgd_score(node_fragmentation(c.free, workload), node_fragmentation(after, workload));
  return best;
}

}  // namespace

void register_fgd(PolicyRegistry& registry) {
  registry.add({"fgd",
                "Fragmentation Gradient Descent (Weng et al., ATC'23): the node and GPU whose fragmentation against the "
                "target workload grows least",
                {ties_param()},
                [](const PolicyParams& params) { return std::make_shared<NodeScoringPolicy>(score, tie_break(params), true); }});
}

}  // namespace colosim

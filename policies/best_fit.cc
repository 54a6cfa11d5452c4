// best-fit: the FGD paper's Best-fit baseline (Weng et al., ATC'23, section 6; their simulator's
// BestFitScore): the node left with the least free CPU and GPU, equally weighted, each over the
// largest node the paper considers (128 CPUs, 8 GPUs):
//   score = trunc(100 * (1 - (0.5 (cpu_free - cpu_job) / 128000 + 0.5 (gpu_free - gpu_job) / 8000)))
// in milli-CPU and milli-GPU (gpu_free: the node's free share summed over its GPUs; gpu_job:
// share x gang). A node that states no CPU counts none left. The simulator then rescales the
// scores to 0-100 (min-max), which keeps the best nodes best; colosim compares them as they are.
// GPUs: the fitting ones with the least free share. Ties: the `ties` parameter (node_scoring.h).
#include <memory>

#include "colosim/policies/builtin.h"
#include "colosim/policies/node_scoring.h"

namespace colosim {
namespace {

NodeScore score(SchedulingPass& pass, const JobSpec& job, const NodeCandidate& c) {
  const ClusterView& cluster = pass.cluster();
  const double cpu_left = c.free.cpu_milli == kUnlimitedCpu ? 0.0 : static_cast<double>(c.free.cpu_milli - c.cpu_request);
  const double gpu_left = static_cast<double>(idle_gpu_milli(c.free)) - static_cast<double>(cluster.share_of(job)) * job.gpus;
  const double s = 100 * (1 - (0.5 * cpu_left / 128000 + 0.5 * gpu_left / 8000));
  return NodeScore{static_cast<std::int64_t>(s), least_free_gpus(c, job, cluster)};  // truncated, as Go's int()
}

}  // namespace

void register_best_fit(PolicyRegistry& registry) {
  registry.add({"best-fit", "the FGD paper's Best-fit: the node left with the least free CPU and GPU (equal weights)", {ties_param()},
                [](const PolicyParams& params) { return std::make_shared<NodeScoringPolicy>(score, tie_break(params)); }});
}

}  // namespace colosim

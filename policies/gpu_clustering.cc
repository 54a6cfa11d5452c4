// gpu-clustering: the FGD paper's GPU-clustering baseline (Weng et al., ATC'23, section 6; their
// simulator's GpuClusteringScore): jobs with the same GPU request gather on the same nodes. A
// job's kind is "a part of one GPU" (share < 1000) or "k whole GPUs"; a node's kinds are those of
// the jobs on it. Score = floor(25 (8000 - gpu_free) / 8000) (gpu_free: the node's free share
// summed over its GPUs; 8000, eight GPUs, as in the simulator even for smaller nodes), plus
//   75 when the job's kind is the node's only kind, 50 when it is one of several,
//   25 when the node runs no job, 0 when it runs only other kinds.
// GPUs: the fitting ones with the least free share (node_scoring.h). A CPU-only job scores 0
// everywhere, so the tie rule places it. Ties: the `ties` parameter (node_scoring.h).
#include <algorithm>
#include <memory>

#include "colosim/policies/builtin.h"
#include "colosim/policies/node_scoring.h"

namespace colosim {
namespace {

// 0: a part of one GPU; k >= 1: k whole GPUs.
int kind_of(const ClusterView& cluster, const JobSpec& job) { return cluster.share_of(job) < 1000 ? 0 : job.gpus; }

NodeScore score(SchedulingPass& pass, const JobSpec& job, const NodeCandidate& c) {
  if (job.gpus == 0) return NodeScore{};  // as the simulator: no GPU request, no preference
  const ClusterView& cluster = pass.cluster();
  const int kind = kind_of(cluster, job);
  bool mine = false, other = false;  // the node runs jobs of the job's kind, of another kind
  const GpuIndex first = cluster.first_gpu(c.node);
  for (GpuIndex g = first; g < first + cluster.gpus_on(c.node) && !(mine && other); ++g)
    for (const Resident& r : cluster.residents(g)) (kind_of(cluster, pass.job(r.slot)) == kind ? mine : other) = true;
  const std::int64_t bonus = !mine && !other ? 25 : !mine ? 0 : other ? 50 : 75;
  const std::int64_t used = 8000 - idle_gpu_milli(c.free);
  return NodeScore{25 * used / 8000 + bonus, least_free_gpus(c, job, cluster)};
}

}  // namespace

void register_gpu_clustering(PolicyRegistry& registry) {
  registry.add({"gpu-clustering", "the FGD paper's GPU-clustering: jobs with the same GPU request gather on the same nodes", {ties_param()},
                [](const PolicyParams& params) { return std::make_shared<NodeScoringPolicy>(score, tie_break(params)); }});
}

}  // namespace colosim

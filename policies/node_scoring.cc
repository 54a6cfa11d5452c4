#include "colosim/policies/node_scoring.h"

#include <algorithm>

#include "colosim/placement_helpers.h"

namespace colosim {

std::vector<GpuIndex> least_free_gpus(const NodeCandidate& candidate, const JobSpec& job, const ClusterView& cluster) {
  std::vector<GpuIndex> gpus = candidate.fitting;
  std::stable_sort(gpus.begin(), gpus.end(), [&](GpuIndex a, GpuIndex b) {
    return free_share(candidate, cluster, a) < free_share(candidate, cluster, b);
  });
  gpus.resize(std::min(gpus.size(), static_cast<std::size_t>(job.gpus)));
  return gpus;
}

std::vector<GpuIndex> place_on_best_node(SchedulingPass& pass, const JobSpec& job, const NodeScorer& score) {
  const ClusterView& cluster = pass.cluster();
  if (!cluster.share_may_fit(job) || (pass.memory_mode() == MemoryMode::enforce && job.memory_mib > cluster.max_free_mib()))
    return {};
  if (needs_several_nodes(pass, job)) return gang_on_whole_nodes(pass, job);
  const bool idle_only = cluster.needs_idle_gpu(job);
  NodeCandidate candidate;
  NodeScore best;
  std::uint64_t ties = 0;
  for (NodeIndex n = 0; n < cluster.node_count(); ++n) {
    if (cluster.gpus_on(n) < job.gpus || (idle_only && cluster.empty_gpus_on(n) < job.gpus)) continue;
    candidate.fitting.clear();
    const GpuIndex first = cluster.first_gpu(n);
    for (GpuIndex g = first; g < first + cluster.gpus_on(n); ++g)
      if (pass.fits(job, g)) candidate.fitting.push_back(g);
    if (static_cast<int>(candidate.fitting.size()) < job.gpus || !cluster.node_fits(job, n, job.gpus)) continue;
    candidate.node = n;
    candidate.free = node_free_resources(cluster, n);
    candidate.cpu_request = candidate.free.cpu_milli == kUnlimitedCpu ? 0 : cpu_request_milli(job);
    NodeScore s = score(candidate);
    if (ties == 0 || s.score > best.score) {
      best = std::move(s);
      ties = 1;
    } else if (s.score == best.score && pass.rng().below(++ties) == 0) {
      best = std::move(s);  // reservoir sampling: each of the tied nodes with probability 1/ties
    }
  }
  return best.gpus;
}

void NodeScoringPolicy::schedule(SchedulingPass& pass) {
  for (const PendingJob& p : pass.pending()) {
    const JobSpec& job = *p.spec;
    const std::vector<GpuIndex> gpus =
        place_on_best_node(pass, job, [&](const NodeCandidate& candidate) { return score_(pass, job, candidate); });
    if (!gpus.empty()) pass.place(p, gpus);
  }
}

}  // namespace colosim

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

namespace {

// Keeps the highest score seen in offer order; a tie keeps the first (TieBreak::first) or wins
// with probability 1/k for the k-th tied candidate (reservoir sampling: uniform over the ties).
class BestScore {
 public:
  BestScore(Rng& rng, TieBreak ties) : rng_(rng), ties_rule_(ties) {}
  // True when `s` becomes the best.
  bool offer(const NodeScore& s) {
    if (ties_ == 0 || s.score > best_) {
      best_ = s.score;
      ties_ = 1;
      return true;
    }
    return s.score == best_ && ties_rule_ == TieBreak::random && rng_.below(++ties_) == 0;
  }

 private:
  Rng& rng_;
  TieBreak ties_rule_;
  std::int64_t best_ = 0;
  std::uint64_t ties_ = 0;
};

}  // namespace

ParamSpec ties_param() {
  return {"ties", "first",
          "equal scores: first (the first node in cluster order, as the FGD simulator's smallest node name) or "
          "random (uniform, as stock kube-scheduler)"};
}

TieBreak tie_break(const PolicyParams& params) {
  const std::string& ties = params.text("ties");
  if (ties == "first") return TieBreak::first;
  if (ties == "random") return TieBreak::random;
  throw Error(params.owner() + ": parameter 'ties' must be first or random, got '" + ties + "'");
}

std::optional<NodeIndex> best_node_for_cpu_only(SchedulingPass& pass, const JobSpec& job, const NodeScorer& score,
                                                TieBreak ties) {
  const ClusterView& cluster = pass.cluster();
  const ClusterView::NodeRequest request = ClusterView::node_request(job);
  BestScore best(pass.rng(), ties);
  std::optional<NodeIndex> chosen;
  NodeCandidate candidate;
  for (NodeIndex n = 0; n < cluster.node_count(); ++n) {
    if (!cluster.cpu_only_fits(request, n)) continue;
    candidate.node = n;
    candidate.free = node_free_resources(cluster, n);
    candidate.cpu_request = candidate.free.cpu_milli == kUnlimitedCpu ? 0 : request.cpu_milli;
    if (best.offer(score(candidate))) chosen = n;
  }
  return chosen;
}

std::vector<GpuIndex> place_on_best_node(SchedulingPass& pass, const JobSpec& job, const NodeScorer& score,
                                         TieBreak ties) {
  const ClusterView& cluster = pass.cluster();
  if (!cluster.share_may_fit(job) || (pass.memory_mode() == MemoryMode::enforce && job.memory_mib > cluster.max_free_mib()))
    return {};
  if (needs_several_nodes(pass, job)) return gang_on_whole_nodes(pass, job);
  const bool idle_only = cluster.needs_idle_gpu(job);
  NodeCandidate candidate;
  NodeScore best;
  BestScore best_score(pass.rng(), ties);
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
    if (best_score.offer(s)) best = std::move(s);
  }
  return best.gpus;
}

void NodeScoringPolicy::schedule(SchedulingPass& pass) {
  for (const PendingJob& p : pass.pending()) {
    const JobSpec& job = *p.spec;
    const std::vector<GpuIndex> gpus =
        place_on_best_node(pass, job, [&](const NodeCandidate& candidate) { return score_(pass, job, candidate); }, ties_);
    if (!gpus.empty()) pass.place(p, gpus);
  }
}

std::optional<NodeIndex> NodeScoringPolicy::choose_node(SchedulingPass& pass, const JobSpec& job) {
  return best_node_for_cpu_only(
      pass, job, [&](const NodeCandidate& candidate) { return score_(pass, job, candidate); }, ties_);
}

}  // namespace colosim

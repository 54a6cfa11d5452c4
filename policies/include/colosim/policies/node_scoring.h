#pragma once
// Kubernetes-style placement, as the FGD paper's simulator runs its policies (fgd, best-fit,
// dot-product, gpu-packing, gpu-clustering, random:pick=node): every node that can hold the
// job's gang is scored, the highest score wins, ties are broken by the policy's TieBreak, and the
// policy's rule picks the GPUs on it. A gang larger than any node takes whole idle nodes
// (gang_on_whole_nodes). Cost: O(nodes x GPUs per node) per job offered, plus the policy's score;
// nodes with too few GPUs (or idle GPUs, for whole-GPU jobs) are skipped in O(1).
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "colosim/cluster_fragmentation.h"
#include "colosim/policy.h"
#include "colosim/registry.h"

namespace colosim {

// A node that can hold the job, as a scoring policy sees it.
struct NodeCandidate {
  NodeIndex node = 0;
  std::vector<GpuIndex> fitting;   // its GPUs where the job fits (SchedulingPass::fits), index order
  NodeFreeResources free;          // node_free_resources(): free CPU, free share per GPU, model
  std::int64_t cpu_request = 0;    // the job's CPU on this node (0 where the node states no CPU)
};

// A policy's verdict on a candidate: higher wins; the GPUs it would take there.
struct NodeScore {
  std::int64_t score = 0;
  std::vector<GpuIndex> gpus;
};
using NodeScorer = std::function<NodeScore(const NodeCandidate&)>;

// How equally scored nodes are told apart.
//  - first: the first in the cluster's node order. The FGD simulator's selectHost keeps the
//    smallest node name "for reproducibility" (its vendored generic_scheduler.go); openb's
//    zero-padded names are listed in name order, so there the two agree.
//  - random: uniformly at random (pass.rng(), reservoir sampling), as stock kube-scheduler.
enum class TieBreak { first, random };
// The `ties` parameter of the scoring policies (default first), and its value.
ParamSpec ties_param();
TieBreak tie_break(const PolicyParams& params);

// The GPUs of the best-scored node for `job` (see above); empty when no node can hold it now.
std::vector<GpuIndex> place_on_best_node(SchedulingPass& pass, const JobSpec& job, const NodeScorer& score, TieBreak ties);
// The best-scored node for a CPU-only job (gpus 0): every node with its CPU and host memory free
// is a candidate with no fitting GPU.
std::optional<NodeIndex> best_node_for_cpu_only(SchedulingPass& pass, const JobSpec& job, const NodeScorer& score,
                                                TieBreak ties);

// A policy's score of one node for one job.
using JobNodeScorer = std::function<NodeScore(SchedulingPass& pass, const JobSpec& job, const NodeCandidate& candidate)>;

// The placement policy made of a score: each pending job, in queue order, on its best node.
// It never holds a job back by choice.
class NodeScoringPolicy final : public PlacementPolicy {
 public:
  // `uses_target_workload`: the score reads SchedulingPass::target_workload (fgd).
  NodeScoringPolicy(JobNodeScorer score, TieBreak ties, bool uses_target_workload = false)
      : score_(std::move(score)), ties_(ties), uses_target_workload_(uses_target_workload) {}
  bool waits_only_for_capacity() const override { return true; }
  bool uses_target_workload() const override { return uses_target_workload_; }
  void schedule(SchedulingPass& pass) override;
  std::optional<NodeIndex> choose_node(SchedulingPass& pass, const JobSpec& job) override;

 private:
  JobNodeScorer score_;
  TieBreak ties_;
  bool uses_target_workload_;
};

// The FGD simulator's "best" GPU rule: the job's gang among the fitting GPUs with the least free
// share, ties to the lower index (a whole-GPU job: the lowest-index idle GPUs).
std::vector<GpuIndex> least_free_gpus(const NodeCandidate& candidate, const JobSpec& job, const ClusterView& cluster);

// The free share of GPU g of the candidate's node.
inline int free_share(const NodeCandidate& candidate, const ClusterView& cluster, GpuIndex g) {
  return candidate.free.gpu_milli[static_cast<std::size_t>(g - cluster.first_gpu(candidate.node))];
}

}  // namespace colosim

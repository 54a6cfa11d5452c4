// random: the stock shared-GPU device plugin, which picks a GPU at random among those the job
// fits on. Single-GPU jobs: uniform over fitting GPUs (rejection sampling, then an exact draw
// from the fitting list when the cluster is nearly full). Gangs: the first node, from a random
// starting node in index order, with enough fitting GPUs; random GPUs on it.
// pick=node is the FGD paper's Random-fit (their simulator's RandomScore with its "random" GPU
// rule): a node uniformly among those that can hold the job, then, for a part of one GPU, a
// fitting GPU of it at random; whole GPUs go to its lowest-index idle ones.
// CPU-only jobs (both): a node uniformly among those with their CPU and host memory free.
#include <memory>

#include "colosim/errors.h"
#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"
#include "colosim/policies/node_scoring.h"

namespace colosim {
namespace {

class RandomPlacement final : public PlacementPolicy {
 public:
  RandomPlacement(bool check_memory, bool by_node) : check_memory_(check_memory), by_node_(by_node) {}

  bool waits_only_for_capacity() const override { return true; }

  void schedule(SchedulingPass& pass) override {
    for (const PendingJob& p : pass.pending()) {
      const JobSpec& job = *p.spec;
      std::vector<GpuIndex> gpus;
      if (by_node_) {
        gpus = place_on_best_node(pass, job, [&](const NodeCandidate& c) {
          if (pass.cluster().share_of(job) >= 1000 || job.gpus > 1)
            return NodeScore{0, {c.fitting.begin(), c.fitting.begin() + job.gpus}};
          return NodeScore{0, {c.fitting[pass.rng().below(c.fitting.size())]}};
        }, TieBreak::random);
      } else if (job.gpus == 1) {
        if (auto g = pick_one(pass, job)) gpus.push_back(*g);
      } else if (needs_several_nodes(pass, job)) {
        gpus = gang_on_whole_nodes(pass, job);
      } else {
        gpus = pick_gang(pass, job);
      }
      if (!gpus.empty()) pass.place(p, gpus);
    }
  }

  // A CPU-only job: a node uniformly among those with its request free.
  std::optional<NodeIndex> choose_node(SchedulingPass& pass, const JobSpec& job) override {
    return best_node_for_cpu_only(pass, job, [](const NodeCandidate&) { return NodeScore{}; }, TieBreak::random);
  }

  bool may_fit(const ClusterView& cluster, const JobSpec& job, MemoryMode mode) const override {
    return !check_memory_ || PlacementPolicy::may_fit(cluster, job, mode);
  }

 private:
  bool usable(const SchedulingPass& pass, const JobSpec& job, GpuIndex g) const {
    return check_memory_ ? pass.fits(job, g) : fits_ignoring_memory(pass, job, g);
  }

  std::optional<GpuIndex> pick_one(SchedulingPass& pass, const JobSpec& job) const {
    const ClusterView& cluster = pass.cluster();
    const auto n = static_cast<std::uint64_t>(cluster.gpu_count());
    // Accepting a uniform draw when it fits is uniform over the fitting GPUs.
    for (int attempt = 0; attempt < 16; ++attempt) {
      const auto g = static_cast<GpuIndex>(pass.rng().below(n));
      if (usable(pass, job, g)) return g;
    }
    std::vector<GpuIndex> fitting;
    if (cluster.needs_idle_gpu(job)) {
      for (GpuIndex g : cluster.empty_gpus())
        if (usable(pass, job, g)) fitting.push_back(g);
    } else if (check_memory_ && pass.memory_mode() != MemoryMode::ignore) {
      // The free-memory index holds every fitting GPU only where fits() checks memory.
      for (auto it = cluster.by_free_memory().lower_bound({job.memory_mib, 0}); it != cluster.by_free_memory().end(); ++it)
        if (usable(pass, job, it->second)) fitting.push_back(it->second);
      std::sort(fitting.begin(), fitting.end());
    } else {
      for (GpuIndex g = 0; g < cluster.gpu_count(); ++g)
        if (usable(pass, job, g)) fitting.push_back(g);
    }
    if (fitting.empty()) return std::nullopt;
    return fitting[pass.rng().below(fitting.size())];
  }

  std::vector<GpuIndex> pick_gang(SchedulingPass& pass, const JobSpec& job) const {
    const ClusterView& cluster = pass.cluster();
    const int nodes = cluster.node_count();
    const auto start = static_cast<NodeIndex>(pass.rng().below(static_cast<std::uint64_t>(nodes)));
    // A gang of whole GPUs waits while no node has that many idle: known from the index, without
    // the walk over every node that a queue of such gangs would repeat each pass (same draws).
    const auto& by_empty = cluster.nodes_by_empty_gpus();
    if (cluster.needs_idle_gpu(job) && (by_empty.empty() || by_empty.rbegin()->first < job.gpus)) return {};
    std::vector<GpuIndex> fitting;
    for (int i = 0; i < nodes; ++i) {
      const NodeIndex node = (start + i) % nodes;
      if (cluster.gpus_on(node) < job.gpus) continue;
      if (cluster.needs_idle_gpu(job) && cluster.empty_gpus_on(node) < job.gpus) continue;
      fitting.clear();
      const GpuIndex first = cluster.first_gpu(node);
      for (GpuIndex g = first; g < first + cluster.gpus_on(node); ++g)
        if (usable(pass, job, g)) fitting.push_back(g);
      if (static_cast<int>(fitting.size()) < job.gpus) continue;
      // Partial Fisher-Yates: the first job.gpus entries become a uniform random subset.
      for (int k = 0; k < job.gpus; ++k) {
        const auto j = k + static_cast<std::size_t>(pass.rng().below(fitting.size() - k));
        std::swap(fitting[k], fitting[j]);
      }
      fitting.resize(job.gpus);
      return fitting;
    }
    return {};
  }

  bool check_memory_;
  bool by_node_;
};

}  // namespace

void register_random(PolicyRegistry& registry) {
  registry.add({"random", "stock shared-GPU device plugin: a random GPU among those that fit (seeded)",
                {{"check_memory", "true", "only GPUs with enough free memory (false: any, for --memory overcommit; pick=gpu only)"},
                 {"pick", "gpu", "gpu: uniform over fitting GPUs; node: uniform over nodes that can hold the job (the FGD paper's Random-fit)"}},
                [](const PolicyParams& params) {
                  const std::string& pick = params.text("pick");
                  if (pick != "gpu" && pick != "node")
                    throw Error(params.owner() + ": parameter 'pick' must be gpu or node, got '" + pick + "'");
                  if (pick == "node" && !params.flag("check_memory"))
                    throw Error(params.owner() + ": check_memory=false needs pick=gpu");
                  return std::make_shared<RandomPlacement>(params.flag("check_memory"), pick == "node");
                }});
}

}  // namespace colosim

// exclusive: the Kubernetes default. A GPU holds at most one job. Like kube-scheduler's
// LeastAllocated scoring, a job goes to the node with the most idle GPUs (ties: lower node
// index), on that node's lowest-index idle GPUs.
#include <memory>

#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

class Exclusive final : public PlacementPolicy {
 public:
  bool waits_only_for_capacity() const override { return true; }

  void schedule(SchedulingPass& pass) override {
    const ClusterView& cluster = pass.cluster();
    for (const PendingJob& p : pass.pending()) {
      if (static_cast<int>(cluster.empty_gpus().size()) < p.spec->gpus) continue;
      const JobSpec& job = *p.spec;
      auto idle_and_fits = [&](GpuIndex g) { return cluster.is_empty(g) && pass.fits(job, g); };
      auto by_index = [](GpuIndex g) { return static_cast<double>(g); };
      const std::vector<GpuIndex> gpus = needs_several_nodes(pass, job)
          ? gang_on_whole_nodes(pass, job)
          : gang_on_one_node(pass, job, NodeOrder::most_empty_first, idle_and_fits, by_index, job.gpus);
      if (!gpus.empty()) pass.place(p, gpus);
    }
  }

  bool may_fit(const ClusterView& cluster, const JobSpec& job, MemoryMode mode) const override {
    // A gang that fits on one node needs that many idle GPUs on one node: the index's largest
    // count says so in O(1), so starving gangs cost nothing while the cluster is fragmented.
    const auto& nodes = cluster.nodes_by_empty_gpus();
    if (!nodes.empty() && job.gpus <= nodes.rbegin()->first) return true;
    return job.gpus > cluster.max_gpus_on_one_node(job, mode != MemoryMode::ignore) &&
           static_cast<int>(cluster.empty_gpus().size()) >= job.gpus;
  }
  std::int64_t gpu_room(const ClusterView& cluster, MemoryMode) const override {
    return static_cast<std::int64_t>(cluster.empty_gpus().size());
  }
};

}  // namespace

void register_exclusive(PolicyRegistry& registry) {
  registry.add({"exclusive", "Kubernetes default: whole GPUs, no sharing; spreads over the least allocated nodes", {},
                [](const PolicyParams&) { return std::make_shared<Exclusive>(); }});
}

}  // namespace colosim

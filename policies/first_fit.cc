// first-fit: YARN-style consolidated placement, as the Tiresias simulator's `yarn` scheme and
// YARN's FIFO scheduler place gangs: jobs in queue order, each on the lowest-index node that can
// hold its whole gang (on that node's lowest-index GPUs where it fits); a gang larger than any
// node takes whole idle nodes, as few as possible.
#include <memory>

#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"
#include "colosim/policies/first_fit.h"

namespace colosim {

std::vector<GpuIndex> first_fit_gang(const SchedulingPass& pass, const JobSpec& job) {
  // Cheap necessary conditions first: on a full cluster, a job that fits nowhere costs O(1),
  // not a walk over every node.
  const ClusterView& cluster = pass.cluster();
  if (!cluster.share_may_fit(job) || (pass.memory_mode() == MemoryMode::enforce && job.memory_mib > cluster.max_free_mib()))
    return {};
  if (needs_several_nodes(pass, job)) return gang_on_whole_nodes(pass, job);
  if (job.gpus == 1) {
    // The lowest-index node with a GPU that fits, and its lowest such GPU: the lowest-index GPU
    // that fits. Only GPUs with the share and memory free are tried, found through the index.
    const int share = cluster.share_of(job);
    const std::int64_t mib = pass.memory_mode() == MemoryMode::ignore ? 0 : job.memory_mib;
    for (auto g = cluster.first_gpu_with_room(0, share, mib); g; g = cluster.first_gpu_with_room(*g + 1, share, mib))
      if (pass.fits(job, *g)) return {*g};
    return {};
  }
  return gang_on_one_node(
      pass, job, NodeOrder::lowest_index_first, [&](GpuIndex g) { return pass.fits(job, g); },
      [](GpuIndex g) { return static_cast<double>(g); });
}

namespace {

class FirstFit final : public PlacementPolicy {
 public:
  bool waits_only_for_capacity() const override { return true; }

  void schedule(SchedulingPass& pass) override {
    for (const PendingJob& p : pass.pending()) {
      const std::vector<GpuIndex> gpus = first_fit_gang(pass, *p.spec);
      if (!gpus.empty()) pass.place(p, gpus);
    }
  }
};

}  // namespace

void register_first_fit(PolicyRegistry& registry) {
  registry.add({"first-fit", "YARN-style consolidation: each gang on the lowest-index node that holds it whole", {},
                [](const PolicyParams&) { return std::make_shared<FirstFit>(); }});
}

}  // namespace colosim

// binpack: jobs in decreasing memory order (ties: queue order); each goes to the GPU with the
// least free memory that still fits it (ties: lower GPU index). Under --memory ignore, when no
// GPU has that much free, the one with the most (the least over-filled). Gangs: the node with
// the fewest idle GPUs that can hold them, on its fullest fitting GPUs. CPU-only jobs: the node
// with the largest share of its CPU and host memory requested (node_by_cpu_allocation, pack).
#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>

#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

class Binpack final : public PlacementPolicy {
 public:
  bool waits_only_for_capacity() const override { return true; }

  std::optional<NodeIndex> choose_node(SchedulingPass& pass, const JobSpec& job) override {
    return node_by_cpu_allocation(pass, job, true);
  }

  void schedule(SchedulingPass& pass) override {
    order_.assign(pass.pending().begin(), pass.pending().end());
    std::stable_sort(order_.begin(), order_.end(), [](const PendingJob& a, const PendingJob& b) {
      return a.spec->memory_mib > b.spec->memory_mib;
    });
    const ClusterView& cluster = pass.cluster();
    for (const PendingJob& p : order_) {
      const JobSpec& job = *p.spec;
      std::vector<GpuIndex> gpus;
      if (job.gpus == 1) {
        if (auto g = least_free_fitting(pass, job)) gpus.push_back(*g);
      } else if (needs_several_nodes(pass, job)) {
        gpus = gang_on_whole_nodes(pass, job);
      } else {
        gpus = gang_on_one_node(
            pass, job, NodeOrder::fewest_empty_first, [&](GpuIndex g) { return pass.fits(job, g); },
            [&](GpuIndex g) { return static_cast<double>(cluster.free_mib(g)); });
      }
      if (!gpus.empty()) pass.place(p, gpus);
    }
  }

 private:
  static std::optional<GpuIndex> least_free_fitting(const SchedulingPass& pass, const JobSpec& job) {
    // Both indexes are ordered by (free, index): the first fitting entry is the answer. A
    // whole-GPU job looks among idle GPUs only (their free memory is their capacity).
    const ClusterView& cluster = pass.cluster();
    const auto& index = cluster.needs_idle_gpu(job) ? cluster.empty_by_memory() : cluster.by_free_memory();
    const auto roomy = index.lower_bound({job.memory_mib, 0});
    for (auto it = roomy; it != index.end(); ++it)
      if (pass.fits(job, it->second)) return it->second;
    // Only when memory is ignored does a GPU with less free memory fit: most free first, in
    // groups of equal free memory so that ties still go to the lower index.
    if (pass.memory_mode() != MemoryMode::ignore) return std::nullopt;
    for (auto group_end = roomy; group_end != index.begin();) {
      const auto group = index.lower_bound({std::prev(group_end)->first, 0});
      for (auto it = group; it != group_end; ++it)
        if (pass.fits(job, it->second)) return it->second;
      group_end = group;
    }
    return std::nullopt;
  }

  std::vector<PendingJob> order_;
};

}  // namespace

void register_binpack(PolicyRegistry& registry) {
  registry.add({"binpack", "largest memory first, each on the GPU with the least free memory that fits", {},
                [](const PolicyParams&) { return std::make_shared<Binpack>(); }});
}

}  // namespace colosim

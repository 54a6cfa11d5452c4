// load-balance: jobs in decreasing mean GPU utilisation (ties: queue order); each goes to the
// fitting GPU whose residents' summed utilisation is smallest (ties: lower GPU index). Gangs:
// the node with the most idle GPUs that can hold them, on its least-utilised fitting GPUs.
#include <algorithm>
#include <memory>

#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

class LoadBalance final : public PlacementPolicy {
 public:
  explicit LoadBalance(bool check_memory) : check_memory_(check_memory) {}

  bool waits_only_for_capacity() const override { return true; }

  void schedule(SchedulingPass& pass) override {
    order_.assign(pass.pending().begin(), pass.pending().end());
    std::stable_sort(order_.begin(), order_.end(), [](const PendingJob& a, const PendingJob& b) {
      return a.spec->gpu_util > b.spec->gpu_util;
    });
    const ClusterView& cluster = pass.cluster();
    for (const PendingJob& p : order_) {
      const JobSpec& job = *p.spec;
      auto usable = [&](GpuIndex g) { return check_memory_ ? pass.fits(job, g) : fits_ignoring_memory(pass, job, g); };
      std::vector<GpuIndex> gpus;
      if (job.gpus == 1) {
        for (const auto& [util, g] : cluster.by_utilisation())
          if (usable(g)) {
            gpus.push_back(g);
            break;
          }
      } else if (needs_several_nodes(pass, job)) {
        gpus = gang_on_whole_nodes(pass, job);
      } else {
        gpus = gang_on_one_node(pass, job, NodeOrder::most_empty_first, usable,
                                [&](GpuIndex g) { return cluster.util_sum(g); });
      }
      if (!gpus.empty()) pass.place(p, gpus);
    }
  }

  bool may_fit(const ClusterView& cluster, const JobSpec& job, MemoryMode mode) const override {
    return !check_memory_ || PlacementPolicy::may_fit(cluster, job, mode);
  }

 private:
  bool check_memory_;
  std::vector<PendingJob> order_;
};

}  // namespace

void register_load_balance(PolicyRegistry& registry) {
  registry.add({"load-balance", "highest utilisation first, each on the GPU with the smallest summed utilisation",
                {{"check_memory", "true", "only GPUs with enough free memory (false: any, for --memory overcommit)"}},
                [](const PolicyParams& params) { return std::make_shared<LoadBalance>(params.flag("check_memory")); }});
}

}  // namespace colosim

// load-balance: jobs in decreasing mean GPU utilisation (ties: queue order); each goes to the
// fitting GPU whose residents' summed utilisation is smallest (ties: lower GPU index). Gangs:
// the node with the most idle GPUs that can hold them, on its least-utilised fitting GPUs.
// A job without a utilisation (gpu_util 0: openb, Gavel, Tiresias and generated traces have
// none) counts as idle, so on such traces the policy is first fit by GPU index; it says so
// (missing_util=warn, a run warning) or refuses to run (missing_util=error).
#include <algorithm>
#include <memory>
#include <string>

#include "colosim/errors.h"
#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

constexpr const char* kMissingUtil =
    "load-balance: jobs without a GPU utilisation (gpu_util 0) count as idle, so they were placed first fit by GPU "
    "index, not balanced (give gpu_util in the trace, or load-balance:missing_util=error to refuse such jobs)";

class LoadBalance final : public PlacementPolicy {
 public:
  LoadBalance(bool check_memory, bool missing_util_is_error)
      : check_memory_(check_memory), missing_util_is_error_(missing_util_is_error) {}

  bool waits_only_for_capacity() const override { return true; }

  void schedule(SchedulingPass& pass) override {
    order_.assign(pass.pending().begin(), pass.pending().end());
    std::stable_sort(order_.begin(), order_.end(), [](const PendingJob& a, const PendingJob& b) {
      return a.spec->gpu_util > b.spec->gpu_util;
    });
    // Sorted by decreasing utilisation: the jobs without one are at the end, in queue order.
    if (!order_.empty() && !(order_.back().spec->gpu_util > 0)) {
      if (missing_util_is_error_) {
        const auto first = std::find_if(order_.begin(), order_.end(), [](const PendingJob& p) { return !(p.spec->gpu_util > 0); });
        throw Error("load-balance: job '" + first->spec->id +
                    "' has no GPU utilisation (gpu_util 0), which load-balance balances by (missing_util=error)");
      }
      pass.warn(kMissingUtil);
    }
    const ClusterView& cluster = pass.cluster();
    for (const PendingJob& p : order_) {
      const JobSpec& job = *p.spec;
      auto usable = [&](GpuIndex g) { return check_memory_ ? pass.fits(job, g) : fits_ignoring_memory(pass, job, g); };
      std::vector<GpuIndex> gpus;
      if (job.gpus == 1 && cluster.needs_idle_gpu(job)) {
        // Idle GPUs have utilisation 0, the lowest: the utilisation index lists them by index too.
        for (GpuIndex g : cluster.empty_gpus())
          if (usable(g)) {
            gpus.push_back(g);
            break;
          }
      } else if (job.gpus == 1) {
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
  bool missing_util_is_error_;
  std::vector<PendingJob> order_;
};

}  // namespace

void register_load_balance(PolicyRegistry& registry) {
  registry.add({"load-balance", "highest utilisation first, each on the GPU with the smallest summed utilisation",
                {{"check_memory", "true", "only GPUs with enough free memory (false: any, for --memory overcommit)"},
                 {"missing_util", "warn",
                  "jobs without gpu_util (0) count as idle: warn (a run warning) or error (the run stops)"}},
                [](const PolicyParams& params) {
                  const std::string& missing = params.text("missing_util");
                  if (missing != "warn" && missing != "error")
                    throw Error("load-balance: missing_util must be warn or error, got '" + missing + "'");
                  return std::make_shared<LoadBalance>(params.flag("check_memory"), missing == "error");
                }});
}

}  // namespace colosim

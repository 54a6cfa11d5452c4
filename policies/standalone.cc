// standalone: jobs of the same application share a GPU; a new application goes to an idle GPU.
// Jobs in queue order. A job joins the lowest-index GPU that runs only its application and
// has room; otherwise the lowest-index idle GPU (with a note saying why it did not join its
// application's GPU); otherwise it waits.
#include <memory>
#include <string>

#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

class Standalone final : public PlacementPolicy {
 public:
  explicit Standalone(bool check_memory) : check_memory_(check_memory) {}

  bool waits_only_for_capacity() const override { return true; }

  void schedule(SchedulingPass& pass) override {
    const ClusterView& cluster = pass.cluster();
    for (const PendingJob& p : pass.pending()) {
      const JobSpec& job = *p.spec;
      // A whole-GPU job never joins anyone: it goes straight to the idle GPUs.
      const std::set<GpuIndex>* same_app = cluster.needs_idle_gpu(job) ? nullptr : cluster.gpus_hosting_only(job.app);
      auto own_or_idle = [&](GpuIndex g) {
        return usable(pass, job, g) && (cluster.is_empty(g) || (same_app && same_app->count(g)));
      };
      std::vector<GpuIndex> gpus;
      if (job.gpus == 1) {
        if (same_app)
          for (GpuIndex g : *same_app)
            if (usable(pass, job, g)) {
              gpus.push_back(g);
              break;
            }
        if (gpus.empty())
          for (GpuIndex g : cluster.empty_gpus())
            if (usable(pass, job, g)) {
              gpus.push_back(g);
              break;
            }
      } else if (needs_several_nodes(pass, job)) {
        gpus = gang_on_whole_nodes(pass, job);
      } else {
        // Prefer GPUs already running this application, then idle ones.
        gpus = gang_on_one_node(pass, job, NodeOrder::fewest_empty_first, own_or_idle, [&](GpuIndex g) {
          return (cluster.is_empty(g) ? 1.0 : 0.0) * cluster.gpu_count() + g;
        });
      }
      if (gpus.empty()) continue;
      pass.place(p, gpus, same_app && !same_app->count(gpus.front()) ? why_not_joined(pass, job, *same_app) : "");
    }
  }

  bool may_fit(const ClusterView& cluster, const JobSpec& job, MemoryMode mode) const override {
    return !check_memory_ || PlacementPolicy::may_fit(cluster, job, mode);
  }

 private:
  bool usable(const SchedulingPass& pass, const JobSpec& job, GpuIndex g) const {
    return check_memory_ ? pass.fits(job, g) : fits_ignoring_memory(pass, job, g);
  }

  static std::string why_not_joined(const SchedulingPass& pass, const JobSpec& job, const std::set<GpuIndex>& same_app) {
    const GpuIndex g = *same_app.begin();
    const ClusterView& cluster = pass.cluster();
    if (!cluster.share_fits(job, g))
      return "not placed with its application on GPU " + std::to_string(g) + ": needs " +
             std::to_string(cluster.share_of(job)) + "/1000 of a GPU, " + std::to_string(cluster.milli_sum(g)) + "/1000 taken";
    if (cluster.free_mib(g) < job.memory_mib)
      return "not placed with its application on GPU " + std::to_string(g) + ": needs " + std::to_string(job.memory_mib) +
             " MiB, " + std::to_string(cluster.free_mib(g)) + " MiB free of " + std::to_string(cluster.capacity_mib(g));
    return "not placed with its application on GPU " + std::to_string(g) + ": it does not fit there";
  }

  bool check_memory_;
};

}  // namespace

void register_standalone(PolicyRegistry& registry) {
  registry.add({"standalone", "same application shares a GPU; a new application takes an idle GPU",
                {{"check_memory", "true", "only GPUs with enough free memory (false: any, for --memory overcommit)"}},
                [](const PolicyParams& params) { return std::make_shared<Standalone>(params.flag("check_memory")); }});
}

}  // namespace colosim

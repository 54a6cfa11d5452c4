// gandiva: Gandiva (Xiao et al., OSDI '18) with colosim's execution modes. Jobs are placed in
// queue order, each gang on one node where possible:
//  1. on idle GPUs when a node has enough (the node with the fewest idle GPUs that holds the
//     gang: Gandiva's affinity, keeping large idle nodes for large jobs); such a GPU runs
//     concurrently;
//  2. under overload, packed: GPUs running one job concurrently where the interference model
//     predicts a slowdown of at most `pack_slowdown` for both (Gandiva packs jobs whose
//     co-location costs little, using measured or predicted pair slowdowns);
//  3. else time-sliced: GPUs with fewer than `max_slices` jobs switch to time-slicing
//     (SimConfig::time_slicing: turns of a quantum, 60 s by default as in Gandiva, with the
//     context-switch cost) and the job joins the turns, fewest jobs first.
// Gangs larger than a node take whole idle nodes. Jobs stack on a GPU only as the run's GPU
// sharing allows: run Gandiva with --gpu-sharing stack for jobs that state no share.
//  4. Migration (`migrate`, on by default): when GPUs are idle once the queue is served, a
//     one-GPU job leaves each of the most crowded time-sliced GPUs for one of them, the job that
//     joined it last: it is preempted (paying the run's preemption cost) and placed again on an
//     idle GPU, as Gandiva migrates jobs to use freed GPUs. The core calls the policy whenever a
//     job ends (PlacementPolicy::rearranges), also with no job waiting.
// Not modelled: migration of gangs or to defragment nodes, and Gandiva's introspection that
// unpacks a pair whose measured slowdown turns out high (colosim's prediction is the measurement).
#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <unordered_set>
#include <vector>

#include "colosim/errors.h"
#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

class Gandiva final : public PlacementPolicy {
 public:
  Gandiva(double pack_slowdown, int max_slices, bool migrate)
      : pack_slowdown_(pack_slowdown), max_slices_(max_slices), migrate_(migrate) {}

  bool rearranges() const override { return migrate_; }
  void begin_run(const ClusterView&) override {
    sliced_.clear();
    moving_.clear();
    migrated_at_ = -1;
  }

  void schedule(SchedulingPass& pass) override {
    place_pending(pass);
    if (migrate_ && pass.now() != migrated_at_) migrate_to_idle_gpus(pass);
  }

 private:
  void place_pending(SchedulingPass& pass) {
    const ClusterView& cluster = pass.cluster();
    for (const PendingJob& p : pass.pending()) {
      const JobSpec& job = *p.spec;
      if (needs_several_nodes(pass, job)) {
        place_concurrent(pass, p, gang_on_whole_nodes(pass, job));
        continue;
      }
      auto fits = [&](GpuIndex g) { return pass.fits(job, g); };
      auto by_index = [](GpuIndex g) { return static_cast<double>(g); };
      // 1. Idle GPUs, on the fullest node that has enough.
      std::vector<GpuIndex> gpus = gang_on_one_node(
          pass, job, NodeOrder::fewest_empty_first, [&](GpuIndex g) { return cluster.is_empty(g) && fits(g); }, by_index, job.gpus);
      if (!gpus.empty()) {
        place_concurrent(pass, p, gpus);
        continue;
      }
      if (cluster.needs_idle_gpu(job)) continue;
      // 2. Packing beside one job that it slows, and that slows it, little.
      auto packs = [&](GpuIndex g) {
        if (cluster.time_sliced(g) || cluster.residents(g).size() != 1 || !fits(g)) return false;
        const JobSpec& other = pass.job(cluster.residents(g).front().slot);
        const JobSpec* beside_other[] = {&other};
        const JobSpec* beside_job[] = {&job};
        const GpuType& type = cluster.type_of(g);
        if (!pass.interference().feasible(job, other, type)) return false;  // no slowdown to ask for
        return pass.interference().slowdown(job, beside_other, type) <= pack_slowdown_ &&
               pass.interference().slowdown(other, beside_job, type) <= pack_slowdown_;
      };
      gpus = gang_on_one_node(pass, job, NodeOrder::fewest_empty_first, packs, by_index);
      if (!gpus.empty()) {
        place_concurrent(pass, p, gpus);
        continue;
      }
      // 3. Time-slicing, on the GPUs with the fewest jobs taking turns.
      auto slices = [&](GpuIndex g) { return static_cast<int>(cluster.residents(g).size()) < max_slices_ && fits(g); };
      gpus = gang_on_one_node(pass, job, NodeOrder::most_empty_first, slices,
                              [&](GpuIndex g) { return static_cast<double>(cluster.residents(g).size()); });
      if (gpus.empty()) continue;
      for (GpuIndex g : gpus) {
        pass.set_time_sliced(g, true);
        sliced_.insert(g);
      }
      pass.place(p, gpus, "time-sliced: the cluster is overloaded");
      moving_.erase(p.slot);
    }
  }

  void place_concurrent(SchedulingPass& pass, const PendingJob& p, const std::vector<GpuIndex>& gpus) {
    if (gpus.empty()) return;
    // A GPU that emptied after time-slicing runs concurrently again.
    for (GpuIndex g : gpus)
      if (pass.cluster().is_empty(g)) pass.set_time_sliced(g, false);
    pass.place(p, gpus);
    moving_.erase(p.slot);
  }

  // Step 4: one job off each of the most crowded time-sliced GPUs, while idle GPUs are left
  // that no job already moving will take. Only GPUs this policy time-sliced are looked at.
  void migrate_to_idle_gpus(SchedulingPass& pass) {
    const ClusterView& cluster = pass.cluster();
    for (auto it = sliced_.begin(); it != sliced_.end();)
      it = cluster.time_sliced(*it) && cluster.residents(*it).size() >= 2 ? std::next(it) : sliced_.erase(it);
    const std::size_t idle = cluster.empty_gpus().size();
    if (sliced_.empty() || idle <= moving_.size()) return;
    std::size_t free_for_moves = idle - moving_.size();
    std::vector<GpuIndex> crowded(sliced_.begin(), sliced_.end());
    std::stable_sort(crowded.begin(), crowded.end(),
                     [&](GpuIndex a, GpuIndex b) { return cluster.residents(a).size() > cluster.residents(b).size(); });
    for (GpuIndex from : crowded) {
      if (free_for_moves == 0) break;
      const auto residents = cluster.residents(from);
      for (auto r = residents.rbegin(); r != residents.rend(); ++r) {
        const JobSlot slot = r->slot;
        const JobSpec& job = pass.job(slot);
        if (job.gpus != 1 || pass.is_placed(slot) || moving_.count(slot)) continue;
        const auto& empty = cluster.empty_gpus();
        if (std::none_of(empty.begin(), empty.end(), [&](GpuIndex g) { return pass.fits(job, g); })) continue;
        moving_.insert(slot);
        --free_for_moves;
        migrated_at_ = pass.now();
        // Last: preempting it may take it off `from` at once, which `residents` views.
        pass.preempt(slot, "migrated off time-sliced GPU " + std::to_string(from) + " to an idle GPU");
        break;
      }
    }
  }

  double pack_slowdown_;
  int max_slices_;
  bool migrate_;
  std::set<GpuIndex> sliced_;            // GPUs it time-sliced that may still hold 2+ jobs
  std::unordered_set<JobSlot> moving_;   // jobs it preempted to move, not yet placed again
  Tick migrated_at_ = -1;                // once per instant: a job preempted in the core's second
                                         // pass at an instant would wait for the next event
};

}  // namespace

void register_gandiva(PolicyRegistry& registry) {
  registry.add({"gandiva",
                "Gandiva: idle GPUs first, then packing of jobs that slow each other little, then time-slicing under overload",
                {{"pack_slowdown", "1.25", "highest predicted slowdown (both ways) at which two jobs are packed on a GPU"},
                 {"max_slices", "4", "most jobs taking turns on one time-sliced GPU"},
                 {"migrate", "true", "move one-GPU jobs off time-sliced GPUs to GPUs that become idle (true|false)"}},
                [](const PolicyParams& params) -> std::shared_ptr<PlacementPolicy> {
                  const double pack = params.number("pack_slowdown");
                  const double slices = params.number("max_slices");
                  if (!(pack >= 1.0) || !std::isfinite(pack))
                    throw Error(params.owner() + ": parameter 'pack_slowdown' must be >= 1, got '" + params.text("pack_slowdown") + "'");
                  if (!(slices >= 1) || slices > 1000 || slices != static_cast<int>(slices))
                    throw Error(params.owner() + ": parameter 'max_slices' must be a whole number from 1 to 1000, got '" +
                                params.text("max_slices") + "'");
                  return std::make_shared<Gandiva>(pack, static_cast<int>(slices), params.flag("migrate"));
                }});
}

}  // namespace colosim

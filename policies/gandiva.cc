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
// Not modelled: migration to defragment, and Gandiva's introspection that unpacks a pair whose
// measured slowdown turns out high (colosim's prediction is the measurement).
#include <cmath>
#include <memory>

#include "colosim/errors.h"
#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

class Gandiva final : public PlacementPolicy {
 public:
  Gandiva(double pack_slowdown, int max_slices) : pack_slowdown_(pack_slowdown), max_slices_(max_slices) {}

  void schedule(SchedulingPass& pass) override {
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
      for (GpuIndex g : gpus) pass.set_time_sliced(g, true);
      pass.place(p, gpus, "time-sliced: the cluster is overloaded");
    }
  }

 private:
  static void place_concurrent(SchedulingPass& pass, const PendingJob& p, const std::vector<GpuIndex>& gpus) {
    if (gpus.empty()) return;
    // A GPU that emptied after time-slicing runs concurrently again.
    for (GpuIndex g : gpus)
      if (pass.cluster().is_empty(g)) pass.set_time_sliced(g, false);
    pass.place(p, gpus);
  }

  double pack_slowdown_;
  int max_slices_;
};

}  // namespace

void register_gandiva(PolicyRegistry& registry) {
  registry.add({"gandiva",
                "Gandiva: idle GPUs first, then packing of jobs that slow each other little, then time-slicing under overload",
                {{"pack_slowdown", "1.25", "highest predicted slowdown (both ways) at which two jobs are packed on a GPU"},
                 {"max_slices", "4", "most jobs taking turns on one time-sliced GPU"}},
                [](const PolicyParams& params) -> std::shared_ptr<PlacementPolicy> {
                  const double pack = params.number("pack_slowdown");
                  const double slices = params.number("max_slices");
                  if (!(pack >= 1.0) || !std::isfinite(pack))
                    throw Error(params.owner() + ": parameter 'pack_slowdown' must be >= 1, got '" + params.text("pack_slowdown") + "'");
                  if (!(slices >= 1) || slices > 1000 || slices != static_cast<int>(slices))
                    throw Error(params.owner() + ": parameter 'max_slices' must be a whole number from 1 to 1000, got '" +
                                params.text("max_slices") + "'");
                  return std::make_shared<Gandiva>(pack, static_cast<int>(slices));
                }});
}

}  // namespace colosim

// gavel: Gavel's heterogeneity-aware max-min fairness (Narayanan et al., OSDI '20, its
// "max_min_fairness" / LAS policy) with its round-based mechanism, in its water-filling form:
// Gavel solves an LP for each job's share of time on each GPU type; colosim does not solve it
// (no LP solver is used) and computes the share by water-filling instead, which is the LP's
// answer on one GPU type and an approximation on several:
//  - Every job gets the same fraction x of its gang's time, x = min(1, GPUs / sum of gangs)
//    (max-min fair on a homogeneous cluster; jobs whose whole gang fits get all of it).
//  - Each round (SimConfig::round, 360 s unless set: Gavel's time_per_iteration) jobs are taken
//    by priority x / (rounds run / rounds active), highest first (a job never run first, then
//    those furthest below their share), ties to the job that already runs, then arrival, and
//    each takes the GPU type with room where its speed (ClusterView::speed_of, the throughput
//    table) is highest: the heterogeneity-aware step, greedy where Gavel's LP is exact.
//  - Jobs not chosen are preempted (with the run's preemption cost), chosen ones placed
//    consolidated on the chosen type (one node if it holds the gang, else whole nodes), so jobs
//    move between GPUs as in Gavel.
#include <algorithm>
#include <limits>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "colosim/errors.h"
#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

class Gavel final : public PlacementPolicy {
 public:
  explicit Gavel(Tick round) : round_(round) {}

  std::string preferred_queue_order() const override { return "fifo"; }
  bool preempts() const override { return true; }
  Tick preferred_round() const override { return round_; }

  void schedule(SchedulingPass& pass) override {
    if (pass.now() != decided_at_) decide(pass);
    place_chosen(pass);
  }

 private:
  struct Candidate {
    JobSlot slot;
    const JobSpec* spec;
    std::uint64_t seq;
    bool running;
    std::vector<GpuIndex> gpus;  // running: where
    double priority = 0;
  };
  struct History {
    double active = 0;  // rounds it was active in
    double run = 0;     // rounds it ran in
  };

  void decide(SchedulingPass& pass) {
    decided_at_ = pass.now();
    const ClusterView& cluster = pass.cluster();
    std::vector<Candidate> jobs;
    pass.visit_running_last_first([&](const RunningJob& r) {
      jobs.push_back({r.slot, r.spec, r.seq, true, std::vector<GpuIndex>(r.gpus.begin(), r.gpus.end())});
      return true;
    });
    for (const PendingJob& p : pass.pending()) jobs.push_back({p.slot, p.spec, p.seq, false, {}});
    double gangs = 0;
    for (const Candidate& c : jobs) gangs += c.spec->gpus;
    const double share = gangs > 0 ? std::min(1.0, cluster.gpu_count() / gangs) : 1.0;
    // The history of the jobs still active; finished ones are dropped.
    std::unordered_map<std::uint64_t, History> history;
    for (Candidate& c : jobs) {
      History h = history_.count(c.seq) ? history_.at(c.seq) : History{};
      c.priority = h.run > 0 ? share / (h.run / h.active) : std::numeric_limits<double>::infinity();
      h.active += 1;
      history[c.seq] = h;
    }
    std::stable_sort(jobs.begin(), jobs.end(), [](const Candidate& a, const Candidate& b) {
      if (a.priority != b.priority) return a.priority > b.priority;
      if (a.running != b.running) return a.running;
      return a.seq < b.seq;
    });
    if (type_gpus_.empty()) count_types(cluster);
    // GPUs per type, all free once the round is re-decided.
    std::vector<int> room = type_gpus_;
    chosen_.clear();
    std::unordered_set<JobSlot> keep;
    for (const Candidate& c : jobs) {
      int best = -1;
      double best_speed = 0;
      for (std::size_t t = 0; t < room.size(); ++t) {
        const GpuIndex sample = type_sample_[t];
        if (room[t] < c.spec->gpus || sample < 0 || !c.spec->allows_gpu_type(cluster.type_of(sample).name)) continue;
        const double speed = cluster.speed_of(*c.spec, sample);
        if (best < 0 || speed > best_speed) best = static_cast<int>(t), best_speed = speed;
      }
      if (best < 0) continue;
      room[static_cast<std::size_t>(best)] -= c.spec->gpus;
      history[c.seq].run += 1;
      // A running job stays where it is if that is the chosen type.
      if (c.running && std::all_of(c.gpus.begin(), c.gpus.end(), [&](GpuIndex g) { return cluster.type_index_of(g) == best; }))
        keep.insert(c.slot);
      else
        chosen_[c.seq] = best;
    }
    history_ = std::move(history);
    for (const Candidate& c : jobs)
      if (c.running && !keep.count(c.slot)) pass.preempt(c.slot, "not in this round's allocation");
  }

  // Once per run: the GPUs of each type, and one GPU of it to ask speeds of.
  void count_types(const ClusterView& cluster) {
    type_gpus_.assign(cluster.spec().gpu_types.size(), 0);
    type_sample_.assign(type_gpus_.size(), -1);
    for (GpuIndex g = 0; g < cluster.gpu_count(); ++g) {
      const auto t = static_cast<std::size_t>(cluster.type_index_of(g));
      if (type_gpus_[t]++ == 0) type_sample_[t] = g;
    }
  }

  void place_chosen(SchedulingPass& pass) {
    const ClusterView& cluster = pass.cluster();
    for (const PendingJob& p : pass.pending()) {
      const auto it = chosen_.find(p.seq);
      if (it == chosen_.end()) continue;
      const int type = it->second;
      auto usable = [&](GpuIndex g) { return cluster.type_index_of(g) == type && pass.fits(*p.spec, g); };
      std::vector<GpuIndex> gpus = gang_on_one_node(pass, *p.spec, NodeOrder::fewest_empty_first, usable,
                                                    [](GpuIndex g) { return static_cast<double>(g); });
      if (gpus.empty() && needs_several_nodes(pass, *p.spec)) {
        gpus = gang_on_whole_nodes(pass, *p.spec);
        if (!std::all_of(gpus.begin(), gpus.end(), [&](GpuIndex g) { return cluster.type_index_of(g) == type; })) gpus.clear();
      }
      if (gpus.empty()) continue;  // the preempted jobs still checkpoint, or no node holds it: next round
      pass.place(p, gpus);
      chosen_.erase(it);
    }
  }

  Tick round_;
  Tick decided_at_ = -1;
  std::vector<int> type_gpus_;
  std::vector<GpuIndex> type_sample_;
  std::unordered_map<std::uint64_t, History> history_;  // by arrival sequence
  std::unordered_map<std::uint64_t, int> chosen_;       // this round's pending jobs: their GPU type
};

}  // namespace

void register_gavel(PolicyRegistry& registry) {
  registry.add({"gavel",
                "Gavel: heterogeneity-aware max-min fairness in rounds (water-filling form, not its LP); moves jobs between rounds",
                {{"round", "360", "seconds per round when the run sets none (Gavel's time_per_iteration)"}},
                [](const PolicyParams& params) -> std::shared_ptr<PlacementPolicy> {
                  const double round = params.number("round");
                  if (!(round > 0) || round > 9.0e12)
                    throw Error(params.owner() + ": parameter 'round' must be seconds > 0, got '" + params.text("round") + "'");
                  return std::make_shared<Gavel>(std::max<Tick>(1, seconds_to_ticks(round)));
                }});
}

}  // namespace colosim

// gavel: Gavel's heterogeneity-aware max-min fairness (Narayanan et al., OSDI '20, its
// "max_min_fairness" / LAS policy) with its round-based mechanism, in its water-filling form:
// Gavel solves an LP for each job's share of time on each GPU type; colosim does not solve it
// (no LP solver is used) and computes the share by water-filling instead, which is the LP's
// answer on one GPU type and an approximation on several:
//  - Every job gets the same fraction x of its gang's time, x = min(1, GPUs / sum of gangs)
//    (max-min fair on a homogeneous cluster; jobs whose whole gang fits get all of it).
//  - Each round (SimConfig::round, 360 s unless set: Gavel's time_per_iteration) jobs are taken
//    by priority x / (rounds run / rounds active), highest first (a job never run first, then
//    those furthest below their share), ties to the job that already runs, then arrival, while
//    the cluster has room; then the chosen jobs that gain most from the fastest GPU type (its
//    speed over the slowest one's for the job, ClusterView::speed_of, the throughput table)
//    pick first, each the fastest type with room: the heterogeneity-aware step, greedy where
//    Gavel's LP is exact.
//  - Jobs not chosen are preempted (with the run's preemption cost), chosen ones placed
//    consolidated on the chosen type (one node if it holds the gang, else whole nodes), so jobs
//    move between GPUs as in Gavel.
#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "colosim/errors.h"
#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

constexpr int kMaxFailedPlacements = 16;

class Gavel final : public PlacementPolicy {
 public:
  explicit Gavel(Tick round) : round_(round) {}

  std::string preferred_queue_order() const override { return "fifo"; }
  bool preempts() const override { return true; }
  Tick preferred_round() const override { return round_; }

  void begin_run(const ClusterView& cluster) override {
    decided_at_ = -1;
    round_number_ = 0;
    history_.clear();
    chosen_.clear();
    count_types(cluster);
  }

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
    std::int64_t first_round = 0;  // the first round it was active in
    std::int64_t missed = 0;       // rounds it was active in but did not run
  };

  // What a job takes of a GPU type's room: its share of each of its GPUs (at least 1, so that
  // stacked jobs count too).
  static std::int64_t demand_of(const ClusterView& cluster, const JobSpec& job) {
    return std::int64_t{job.gpus} * std::max(1, cluster.share_of(job));
  }

  void decide(SchedulingPass& pass) {
    decided_at_ = pass.now();
    ++round_number_;
    const ClusterView& cluster = pass.cluster();
    chosen_.clear();
    std::int64_t demand = 0;
    std::size_t active = pass.pending().size();
    pass.visit_running_last_first([&](const RunningJob& r) {
      demand += demand_of(cluster, *r.spec);
      ++active;
      return true;
    });
    if (history_.size() > 2 * active + 1024) forget_finished(pass);
    for (const PendingJob& p : pass.pending()) {
      demand += demand_of(cluster, *p.spec);
      history_.try_emplace(p.seq, History{round_number_, 0});
    }
    // Room for every job, and no type faster than another: every job runs, none moves (the
    // allocation is all ones). This keeps a round O(pending) on a cluster that is not full.
    if (same_speeds_ && demand <= capacity_) {
      for (const PendingJob& p : pass.pending()) chosen_[p.seq] = kAnyType;
      return;
    }
    std::vector<Candidate> jobs;
    pass.visit_running_last_first([&](const RunningJob& r) {
      jobs.push_back({r.slot, r.spec, r.seq, true, std::vector<GpuIndex>(r.gpus.begin(), r.gpus.end())});
      return true;
    });
    for (const PendingJob& p : pass.pending()) jobs.push_back({p.slot, p.spec, p.seq, false, {}});
    const double share = demand > 0 ? std::min(1.0, static_cast<double>(capacity_) / static_cast<double>(demand)) : 1.0;
    // The history of the jobs still active; finished ones are dropped here.
    std::unordered_map<std::uint64_t, History> history;
    for (Candidate& c : jobs) {
      const History h = history_.try_emplace(c.seq, History{round_number_, 0}).first->second;
      const auto active = static_cast<double>(round_number_ - h.first_round);
      const double run = active - static_cast<double>(h.missed);
      c.priority = run > 0 ? share / (run / active) : std::numeric_limits<double>::infinity();
      history[c.seq] = h;
    }
    std::stable_sort(jobs.begin(), jobs.end(), [](const Candidate& a, const Candidate& b) {
      if (a.priority != b.priority) return a.priority > b.priority;
      if (a.running != b.running) return a.running;
      return a.seq < b.seq;
    });
    // Shares per type, all free once the round is re-decided.
    std::vector<std::int64_t> room(type_gpus_.size());
    for (std::size_t t = 0; t < room.size(); ++t) room[t] = std::int64_t{1000} * type_gpus_[t];
    // Which jobs run: by priority while the cluster has room for them.
    std::int64_t left = 0;
    for (std::int64_t r : room) left += r;
    std::vector<const Candidate*> selected;
    const bool check_memory = pass.memory_mode() != MemoryMode::ignore;
    for (const Candidate& c : jobs) {
      const std::int64_t need = demand_of(cluster, *c.spec);
      // A job that no single type can run (its gang is larger than every type that could hold
      // it) takes no room: it would block the others for good.
      if (need > left || !runs_on_some_type(cluster, *c.spec, check_memory)) {
        ++history[c.seq].missed;
        continue;
      }
      left -= need;
      selected.push_back(&c);
    }
    // Where they run: the jobs that gain most from the fastest type (its speed over the slowest
    // one's, for the job) choose first, each the fastest type with room. This is the greedy
    // form of Gavel's LP, which maximises the same throughput over all jobs at once.
    auto advantage = [&](const Candidate& c) {
      double fastest = 0, slowest = 0;
      for (std::size_t t = 0; t < type_sample_.size(); ++t) {
        const GpuIndex sample = type_sample_[t];
        if (!runs_on(cluster, *c.spec, t, check_memory)) continue;
        const double speed = cluster.speed_of(*c.spec, sample);
        fastest = fastest == 0 ? speed : std::max(fastest, speed);
        slowest = slowest == 0 ? speed : std::min(slowest, speed);
      }
      return slowest > 0 ? fastest / slowest : 0.0;
    };
    // Jobs that can run on one GPU type only have no choice: they go first (advantage +infinity),
    // else the others would take their type.
    std::vector<std::pair<double, const Candidate*>> by_advantage;
    for (const Candidate* c : selected) {
      int allowed = 0;
      for (std::size_t t = 0; t < type_sample_.size(); ++t) allowed += runs_on(cluster, *c->spec, t, check_memory);
      by_advantage.emplace_back(allowed == 1 ? std::numeric_limits<double>::infinity() : advantage(*c), c);
    }
    std::stable_sort(by_advantage.begin(), by_advantage.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::unordered_set<JobSlot> keep;
    for (const auto& [gain, job] : by_advantage) {
      const Candidate& c = *job;
      const std::int64_t need = demand_of(cluster, *c.spec);
      const int current = c.running ? cluster.type_index_of(c.gpus.front()) : -1;
      int best = -1;
      double best_speed = 0;
      for (std::size_t t = 0; t < room.size(); ++t) {
        const GpuIndex sample = type_sample_[t];
        if (room[t] < need || !runs_on(cluster, *c.spec, t, check_memory)) continue;
        // Ties keep a running job on its type: moving it would gain nothing.
        const double speed = cluster.speed_of(*c.spec, sample);
        if (best < 0 || speed > best_speed || (speed == best_speed && static_cast<int>(t) == current))
          best = static_cast<int>(t), best_speed = speed;
      }
      if (best < 0) {
        ++history[c.seq].missed;
        continue;
      }
      room[static_cast<std::size_t>(best)] -= need;
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

  // Whether the job can run on type t at all: allowed, its memory on one GPU of the type, its
  // gang on one node of the type, or, if no node of any type holds it, on whole nodes of the
  // type (the core's rules, ClusterView::max_gpus_on_one_node). The type choice only offers such
  // types: a type chosen where the job cannot be placed would be chosen again every round.
  bool runs_on(const ClusterView& cluster, const JobSpec& job, std::size_t t, bool check_memory) const {
    const GpuIndex sample = type_sample_[t];
    if (sample < 0) return false;
    const GpuType& type = cluster.type_of(sample);
    if (!job.allows_gpu_type(type.name) || (check_memory && type.memory_mib < job.memory_mib)) return false;
    return job.gpus <= type_largest_node_[t] ||
           (job.gpus > cluster.max_gpus_on_one_node(job, check_memory) && job.gpus <= type_gpus_[t]);
  }
  bool runs_on_some_type(const ClusterView& cluster, const JobSpec& job, bool check_memory) const {
    for (std::size_t t = 0; t < type_sample_.size(); ++t)
      if (runs_on(cluster, job, t, check_memory)) return true;
    return false;
  }

  // Drops the history of jobs no longer active (finished), so that it stays O(active jobs).
  void forget_finished(SchedulingPass& pass) {
    std::unordered_map<std::uint64_t, History> kept;
    auto keep = [&](std::uint64_t seq) {
      if (const auto it = history_.find(seq); it != history_.end()) kept.insert(*it);
    };
    pass.visit_running_last_first([&](const RunningJob& r) {
      keep(r.seq);
      return true;
    });
    for (const PendingJob& p : pass.pending()) keep(p.seq);
    history_ = std::move(kept);
  }

  // Once per run: the GPUs of each type, and one GPU of it to ask speeds of.
  void count_types(const ClusterView& cluster) {
    type_gpus_.assign(cluster.spec().gpu_types.size(), 0);
    type_sample_.assign(type_gpus_.size(), -1);
    type_largest_node_.assign(type_gpus_.size(), 0);
    for (GpuIndex g = 0; g < cluster.gpu_count(); ++g) {
      const auto t = static_cast<std::size_t>(cluster.type_index_of(g));
      if (type_gpus_[t]++ == 0) type_sample_[t] = g;
    }
    for (NodeIndex n = 0; n < cluster.node_count(); ++n) {
      if (cluster.gpus_on(n) == 0) continue;
      const auto t = static_cast<std::size_t>(cluster.type_index_of(cluster.first_gpu(n)));
      type_largest_node_[t] = std::max(type_largest_node_[t], cluster.gpus_on(n));
    }
    capacity_ = std::int64_t{1000} * cluster.gpu_count();
    same_speeds_ = cluster.spec().app_speeds.empty();
    for (const GpuType& t : cluster.spec().gpu_types) same_speeds_ = same_speeds_ && t.speed == cluster.spec().gpu_types.front().speed;
  }

  void place_chosen(SchedulingPass& pass) {
    const ClusterView& cluster = pass.cluster();
    // A shape (type, gang, share) that found no room: the same shape with as much memory or
    // more will not either, so a pass never walks the nodes twice for it.
    std::map<std::tuple<int, int, int>, std::int64_t> no_room;
    int failures = 0;
    for (const PendingJob& p : pass.pending()) {
      // Placed ones stay chosen: under strict FIFO the core may undo a placement and offer again.
      const auto it = chosen_.find(p.seq);
      if (it == chosen_.end() || pass.is_placed(p.slot)) continue;
      const int type = it->second;  // kAnyType: any the job allows
      const auto shape = std::make_tuple(type, p.spec->gpus, cluster.share_of(*p.spec));
      if (const auto failed = no_room.find(shape); failed != no_room.end() && p.spec->memory_mib >= failed->second) continue;
      auto usable = [&](GpuIndex g) { return (type == kAnyType || cluster.type_index_of(g) == type) && pass.fits(*p.spec, g); };
      std::vector<GpuIndex> gpus = gang_on_one_node(pass, *p.spec, NodeOrder::fewest_empty_first, usable,
                                                    [](GpuIndex g) { return static_cast<double>(g); });
      // Whole nodes of the chosen type only: nodes of another type would make the gang unusable.
      if (gpus.empty() && needs_several_nodes(pass, *p.spec)) gpus = gang_on_whole_nodes(pass, *p.spec, usable);
      if (gpus.empty()) {  // the preempted jobs still checkpoint, or no node holds it: next round
        auto& least = no_room.try_emplace(shape, p.spec->memory_mib).first->second;
        least = std::min(least, p.spec->memory_mib);
        // Each failure walked the type's nodes: a few per pass bound the pass on a fragmented cluster.
        if (++failures >= kMaxFailedPlacements) return;
        continue;
      }
      pass.place(p, gpus);
    }
  }

  static constexpr int kAnyType = -1;

  Tick round_;
  Tick decided_at_ = -1;
  std::int64_t round_number_ = 0;
  std::int64_t capacity_ = 0;  // GPU shares in the cluster
  bool same_speeds_ = false;   // every job runs as fast on every type
  std::vector<int> type_gpus_;
  std::vector<GpuIndex> type_sample_;
  std::vector<int> type_largest_node_;  // GPUs on its largest node
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

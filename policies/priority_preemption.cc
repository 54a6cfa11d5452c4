// priority-preemption: the Kubernetes default scheduler under PriorityClasses. Pending jobs go in
// priority order (the run's queue order, priority unless another is named) to the node with the
// most idle GPUs that holds them. A job that fits nowhere may evict jobs of strictly lower
// priority: on every node where evicting all of them would make room, the victims are reprieved
// highest priority first while it still fits (kube-scheduler's selectVictimsOnNode); the node
// with the fewest victims wins, then the lowest highest-victim priority, then the lowest index.
// Gangs larger than a node take whole nodes, freed from the lowest priority up.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <limits>
#include <set>

#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"
#include "colosim/eviction.h"

namespace colosim {
namespace {

class PriorityPreemption final : public PlacementPolicy {
 public:
  std::string preferred_queue_order() const override { return "priority"; }
  bool preempts() const override { return true; }

  void begin_run(const ClusterView&) override { reservations_ = {}; }
  void schedule(SchedulingPass& pass) override {
    preempting_pass(
        pass, reservations_, [&](const JobSpec& job) { return place_now(pass, job); },
        [&](const PendingJob& p) { return choose_victims(pass, p); },
        [](const PendingJob& p) { return "evicted for job '" + p.spec->id + "' of priority " + std::to_string(p.spec->priority); });
  }

 private:
  static std::vector<GpuIndex> place_now(const SchedulingPass& pass, const JobSpec& job) {
    if (needs_several_nodes(pass, job)) return gang_on_whole_nodes(pass, job);
    return gang_on_one_node(
        pass, job, NodeOrder::most_empty_first, [&](GpuIndex g) { return pass.fits(job, g); },
        [](GpuIndex g) { return static_cast<double>(g); });
  }

  static std::vector<Victim> choose_victims(SchedulingPass& pass, const PendingJob& p) {
    const int priority = p.spec->priority;
    auto lower = [&](const RunningJob& r) { return r.spec->priority < priority; };
    // Under the priority order the lower-priority jobs are the last in queue order, so the walk
    // stops at the first that is not (a pass never looks at the jobs that outrank the pending
    // one); under another order it looks at every running job.
    const bool by_priority = pass.queue_order() == "priority";
    if (needs_several_nodes(pass, *p.spec)) return victims_from_the_last(pass, p, lower, by_priority);
    // Every lower-priority job, by node.
    const ClusterView& cluster = pass.cluster();
    struct Candidate {
      Victim victim;
      int priority;
    };
    std::map<NodeIndex, std::vector<Candidate>> candidates;
    int looked_at = 0;
    pass.visit_running_last_first([&](const RunningJob& r) {
      if (++looked_at > kMaxVictimsLookedAt) return false;  // the last ones only, on a huge cluster
      if (!lower(r)) return !by_priority;
      std::set<NodeIndex> nodes;
      for (GpuIndex g : r.gpus) nodes.insert(cluster.node_of(g));
      for (NodeIndex n : nodes) candidates[n].push_back({{r.slot, r.gpus.front()}, r.spec->priority});
      return true;
    });
    struct Choice {
      std::vector<Victim> victims;
      int highest = 0;
      NodeIndex node = -1;
    };
    std::optional<Choice> best;
    for (auto& [node, jobs] : candidates) {
      std::set<JobSlot> evicted;
      for (const Candidate& c : jobs) evicted.insert(c.victim.slot);
      auto is_evicted = [&](JobSlot s) { return evicted.count(s) > 0; };
      if (gang_after_evicting(pass, *p.spec, node, is_evicted).empty()) continue;
      // Reprieve the most important first (the list is last-first: walk it backwards).
      for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) {
        evicted.erase(it->victim.slot);
        if (gang_after_evicting(pass, *p.spec, node, is_evicted).empty()) evicted.insert(it->victim.slot);
      }
      Choice c{{}, std::numeric_limits<int>::min(), node};
      for (const Candidate& candidate : jobs)
        if (evicted.count(candidate.victim.slot)) {
          c.victims.push_back(candidate.victim);
          c.highest = std::max(c.highest, candidate.priority);
        }
      if (!best || c.victims.size() < best->victims.size() ||
          (c.victims.size() == best->victims.size() && c.highest < best->highest))
        best = std::move(c);  // candidates go in node order: ties keep the lower index
    }
    return best ? best->victims : std::vector<Victim>{};
  }

  PreemptionReservations reservations_;
};

}  // namespace

void register_priority_preemption(PolicyRegistry& registry) {
  registry.add({"priority-preemption",
                "Kubernetes PriorityClass preemption: a job that fits nowhere evicts the fewest lower-priority jobs on one node",
                {}, [](const PolicyParams&) { return std::make_shared<PriorityPreemption>(); }});
}

}  // namespace colosim

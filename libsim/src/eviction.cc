#include "colosim/eviction.h"

#include <algorithm>
#include <map>

#include "colosim/placement_helpers.h"

namespace colosim {

bool fits_after_evicting(SchedulingPass& pass, const JobSpec& job, GpuIndex g, const EvictedTest& evicted) {
  const ClusterView& cluster = pass.cluster();
  if (g < 0 || g >= cluster.gpu_count()) return false;
  const GpuType& type = cluster.type_of(g);
  if (!job.allows_gpu_type(type.name)) return false;
  int share = cluster.milli_sum(g);
  std::int64_t free = cluster.free_mib(g);
  bool someone_stays = false;
  for (const Resident& r : cluster.residents(g)) {
    const JobSpec& other = pass.job(r.slot);
    if (evicted(r.slot)) {
      share -= cluster.share_of(other);
      free += other.memory_mib;
      continue;
    }
    someone_stays = true;
    if (pass.memory_mode() != MemoryMode::ignore && !pass.interference().feasible(job, other, type)) return false;
  }
  // A job that needs an idle GPU (a whole-GPU share) fits only where nobody stays.
  if (cluster.needs_idle_gpu(job) && someone_stays) return false;
  if (share + cluster.share_of(job) > 1000) return false;
  return pass.memory_mode() == MemoryMode::ignore || free >= job.memory_mib;
}

std::vector<GpuIndex> gang_after_evicting(SchedulingPass& pass, const JobSpec& job, NodeIndex node, const EvictedTest& evicted) {
  const ClusterView& cluster = pass.cluster();
  std::vector<GpuIndex> chosen;
  const GpuIndex first = cluster.first_gpu(node);
  for (GpuIndex g = first; g < first + cluster.gpus_on(node) && static_cast<int>(chosen.size()) < job.gpus; ++g)
    if (fits_after_evicting(pass, job, g, evicted)) chosen.push_back(g);
  if (static_cast<int>(chosen.size()) < job.gpus) chosen.clear();
  return chosen;
}

std::vector<Victim> victims_from_the_last(SchedulingPass& pass, const PendingJob& pending,
                                          const std::function<bool(const RunningJob&)>& may_displace,
                                          bool stop_at_refusal) {
  return victims_in_walk(
      pass, pending, [&pass](const std::function<bool(const RunningJob&)>& visit) { pass.visit_running_last_first(visit); },
      may_displace, stop_at_refusal);
}

std::vector<Victim> victims_in_walk(SchedulingPass& pass, const PendingJob& pending, const RunningWalk& walk,
                                    const std::function<bool(const RunningJob&)>& may_displace, bool stop_at_refusal) {
  const JobSpec& job = *pending.spec;
  const ClusterView& cluster = pass.cluster();
  const bool whole_nodes = needs_several_nodes(pass, job);
  std::set<JobSlot> walked;
  std::map<NodeIndex, std::vector<Victim>> on_node;  // walked victims by node, worst first
  auto evicted = [&](JobSlot s) { return walked.count(s) > 0; };
  // For a gang larger than a node: nodes that would be wholly usable. The idle ones first, from
  // the index (enough of them means there is nothing to displace).
  std::set<NodeIndex> whole;
  int whole_gpus = 0;
  // As gang_on_whole_nodes takes them: wholly idle once the victims leave, and fitting the job.
  auto node_usable = [&](NodeIndex n) {
    const GpuIndex first = cluster.first_gpu(n);
    for (GpuIndex g = first; g < first + cluster.gpus_on(n); ++g) {
      for (const Resident& r : cluster.residents(g))
        if (!evicted(r.slot)) return false;
      if (!fits_after_evicting(pass, job, g, evicted)) return false;
    }
    return true;
  };
  auto add_whole = [&](NodeIndex n) {
    if (whole.insert(n).second) whole_gpus += cluster.gpus_on(n);
  };
  if (whole_nodes) {
    const auto& index = cluster.nodes_by_empty_gpus();
    for (auto it = index.rbegin(); it != index.rend() && it->first > 0 && whole_gpus < job.gpus; ++it)
      if (cluster.gpus_on(it->second) == it->first && node_usable(it->second)) add_whole(it->second);
    if (whole_gpus >= job.gpus) return {};
  }
  std::vector<Victim> chosen;
  int looked_at = 0;
  walk([&](const RunningJob& running) {
    if (++looked_at > kMaxVictimsLookedAt) return false;
    if (!may_displace(running)) return !stop_at_refusal;
    walked.insert(running.slot);
    std::set<NodeIndex> touched;
    for (GpuIndex g : running.gpus) touched.insert(cluster.node_of(g));
    for (NodeIndex n : touched) {
      on_node[n].push_back({running.slot, running.gpus.front()});
      if (!whole_nodes) {
        if (gang_after_evicting(pass, job, n, evicted).empty()) continue;
        chosen = on_node[n];
        return false;
      }
      if (node_usable(n)) add_whole(n);
    }
    if (whole_nodes && whole_gpus >= job.gpus) {
      // The fewest whole nodes, largest first as gang_on_whole_nodes takes them.
      std::vector<NodeIndex> nodes(whole.begin(), whole.end());
      std::stable_sort(nodes.begin(), nodes.end(), [&](NodeIndex a, NodeIndex b) { return cluster.gpus_on(a) > cluster.gpus_on(b); });
      int got = 0;
      std::set<JobSlot> taken;
      for (NodeIndex n : nodes) {
        if (got >= job.gpus) break;
        got += cluster.gpus_on(n);
        for (const Victim& v : on_node[n])
          if (taken.insert(v.slot).second) chosen.push_back(v);
      }
      return false;
    }
    return true;
  });
  return chosen;
}

void PreemptionReservations::record(JobSlot pending, std::span<const Victim> victims) {
  auto& list = victims_[pending];
  list.assign(victims.begin(), victims.end());
}

bool PreemptionReservations::waiting(const SchedulingPass& pass, JobSlot pending) const {
  const auto it = victims_.find(pending);
  if (it == victims_.end()) return false;
  for (const Victim& v : it->second)
    for (const Resident& r : pass.cluster().residents(v.gpu))
      if (r.slot == v.slot) return true;
  return false;
}

void preempting_pass(SchedulingPass& pass, PreemptionReservations& reservations,
                     const std::function<std::vector<GpuIndex>(const JobSpec&)>& place_now,
                     const std::function<std::vector<Victim>(const PendingJob&)>& choose_victims,
                     const std::function<std::string(const PendingJob&)>& reason) {
  bool searched_in_vain = false;
  for (const PendingJob& p : pass.pending()) {
    std::vector<GpuIndex> gpus = place_now(*p.spec);
    if (gpus.empty()) {
      if (reservations.waiting(pass, p.slot)) return;
      const std::vector<Victim> victims = searched_in_vain ? std::vector<Victim>{} : choose_victims(p);
      if (victims.empty()) {
        searched_in_vain = true;
        reservations.forget(p.slot);
        continue;
      }
      const std::string why = reason(p);
      for (const Victim& v : victims) pass.preempt(v.slot, why);
      reservations.record(p.slot, victims);
      gpus = place_now(*p.spec);
      if (gpus.empty()) return;  // the victims still checkpoint
    }
    pass.place(p, gpus);
    reservations.forget(p.slot);
  }
}

}  // namespace colosim

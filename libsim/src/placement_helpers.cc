#include "colosim/placement_helpers.h"

#include <algorithm>
#include <queue>

namespace colosim {

bool needs_several_nodes(const SchedulingPass& pass, const JobSpec& job) {
  return job.gpus > pass.cluster().max_gpus_on_one_node(job, pass.memory_mode() != MemoryMode::ignore);
}

std::optional<NodeIndex> node_by_cpu_allocation(const SchedulingPass& pass, const JobSpec& job, bool most_allocated) {
  const ClusterView& cluster = pass.cluster();
  const ClusterView::NodeRequest request = ClusterView::node_request(job);
  std::optional<NodeIndex> best;
  double best_share = 0;
  for (NodeIndex n = 0; n < cluster.node_count(); ++n) {
    if (!cluster.cpu_only_fits(request, n)) continue;
    // The mean, over what the node states, of the share requested once the job is there.
    double share = 0;
    int stated = 0;
    if (const std::int64_t cpu = cluster.cpu_capacity_milli(n); cpu > 0 && cluster.limits_node_resources()) {
      share += static_cast<double>(cluster.used_cpu_milli(n) + request.cpu_milli) / static_cast<double>(cpu);
      ++stated;
    }
    if (const std::int64_t host = cluster.host_memory_capacity_mib(n); host > 0 && cluster.limits_node_resources()) {
      share += static_cast<double>(cluster.used_host_memory_mib(n) + request.host_mib) / static_cast<double>(host);
      ++stated;
    }
    if (stated > 0) share /= stated;
    if (!best || (most_allocated ? share > best_share : share < best_share)) {
      best = n;
      best_share = share;
    }
  }
  return best;
}

namespace {
// Calls visit(node) in the requested order, over nodes with at least `min_idle` idle GPUs,
// until it returns true.
template <typename Visit>
void for_each_node(const ClusterView& cluster, NodeOrder order, int min_idle, Visit visit) {
  const auto& index = cluster.nodes_by_empty_gpus();
  const auto first = index.lower_bound({min_idle, 0});
  if (order == NodeOrder::fewest_empty_first) {
    for (auto it = first; it != index.end(); ++it)
      if (visit(it->second)) return;
    return;
  }
  if (order == NodeOrder::lowest_index_first) {
    // Each group of equal idle count is in node order: merging the groups' heads gives node
    // order in O(log groups) per node, without visiting nodes with too few idle GPUs.
    using Cursor = std::pair<NodeIndex, std::decay_t<decltype(first)>>;
    auto later = [](const Cursor& a, const Cursor& b) { return a.first > b.first; };
    std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heads(later);
    for (auto it = first; it != index.end(); it = index.lower_bound({it->first + 1, 0})) heads.push({it->second, it});
    while (!heads.empty()) {
      auto [node, it] = heads.top();
      heads.pop();
      if (visit(node)) return;
      const int count = it->first;
      if (++it != index.end() && it->first == count) heads.push({it->second, it});
    }
    return;
  }
  // Descending idle count, ascending node index within a count.
  auto group_end = index.end();
  while (group_end != first) {
    const int count = std::prev(group_end)->first;
    auto group_begin = index.lower_bound({count, 0});
    for (auto it = group_begin; it != group_end; ++it)
      if (visit(it->second)) return;
    group_end = group_begin;
  }
}
}  // namespace

std::vector<GpuIndex> gang_on_one_node(const SchedulingPass& pass, const JobSpec& job, NodeOrder order,
                                       const GpuFilter& usable, const GpuScore& score, int min_idle) {
  const ClusterView& cluster = pass.cluster();
  std::vector<GpuIndex> chosen;
  std::vector<std::pair<double, GpuIndex>> candidates;
  // A whole-GPU gang only fits on idle GPUs: visit only nodes that have enough of them.
  if (cluster.needs_idle_gpu(job)) min_idle = std::max(min_idle, job.gpus);
  for_each_node(cluster, order, min_idle, [&](NodeIndex node) {
    if (cluster.gpus_on(node) < job.gpus) return false;
    candidates.clear();
    const GpuIndex first = cluster.first_gpu(node);
    for (GpuIndex g = first; g < first + cluster.gpus_on(node); ++g)
      if (usable(g)) candidates.push_back({score(g), g});
    if (static_cast<int>(candidates.size()) < job.gpus) return false;
    std::partial_sort(candidates.begin(), candidates.begin() + job.gpus, candidates.end());
    for (int i = 0; i < job.gpus; ++i) chosen.push_back(candidates[i].second);
    return true;
  });
  return chosen;
}

std::vector<GpuIndex> gang_on_whole_nodes(const SchedulingPass& pass, const JobSpec& job, const GpuFilter& usable) {
  const ClusterView& cluster = pass.cluster();
  std::vector<GpuIndex> chosen;
  for_each_node(cluster, NodeOrder::most_empty_first, 1, [&](NodeIndex node) {
    const int size = cluster.gpus_on(node);
    if (cluster.empty_gpus_on(node) != size) return false;
    const GpuIndex first = cluster.first_gpu(node);
    for (GpuIndex g = first; g < first + size; ++g)
      if (usable ? !usable(g) : !pass.fits(job, g)) return false;
    for (GpuIndex g = first; g < first + size && static_cast<int>(chosen.size()) < job.gpus; ++g)
      chosen.push_back(g);
    return static_cast<int>(chosen.size()) == job.gpus;
  });
  if (static_cast<int>(chosen.size()) < job.gpus) chosen.clear();
  return chosen;
}

bool fits_ignoring_memory(const SchedulingPass& pass, const JobSpec& job, GpuIndex g) {
  const ClusterView& cluster = pass.cluster();
  if (g < 0 || g >= cluster.gpu_count()) return false;
  if (!job.allows_gpu_type(cluster.type_of(g).name)) return false;
  return cluster.share_fits(job, g) && cluster.node_fits_for_gpu(job, cluster.node_of(g));
}

}  // namespace colosim

#include "colosim/policy.h"

#include <limits>

#include "colosim/placement_helpers.h"

namespace colosim {

bool PlacementPolicy::may_fit(const ClusterView& cluster, const JobSpec& job, MemoryMode mode) const {
  if (mode != MemoryMode::enforce) return true;
  return job.memory_mib <= cluster.max_free_mib();
}

std::int64_t PlacementPolicy::gpu_room(const ClusterView& cluster, MemoryMode mode) const {
  return mode != MemoryMode::enforce || cluster.max_free_mib() > 0 ? std::numeric_limits<std::int64_t>::max() : 0;
}

std::optional<NodeIndex> PlacementPolicy::choose_node(SchedulingPass& pass, const JobSpec& job) {
  return node_by_cpu_allocation(pass, job, false);
}

}  // namespace colosim

#include "colosim/policy.h"

namespace colosim {

bool PlacementPolicy::may_fit(const ClusterView& cluster, const JobSpec& job, MemoryMode mode) const {
  if (mode != MemoryMode::enforce) return true;
  return job.memory_mib <= cluster.max_free_mib();
}

bool PlacementPolicy::has_room(const ClusterView& cluster, MemoryMode mode) const {
  return mode != MemoryMode::enforce || cluster.max_free_mib() > 0;
}

}  // namespace colosim

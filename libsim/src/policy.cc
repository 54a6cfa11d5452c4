#include "colosim/policy.h"

namespace colosim {

bool PlacementPolicy::may_fit(const ClusterView& cluster, const JobSpec& job, MemoryMode mode) const {
  if (mode != MemoryMode::enforce) return true;
  return job.memory_mib <= cluster.max_free_mib();
}

}  // namespace colosim

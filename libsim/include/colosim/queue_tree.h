#pragma once
// Multi-tenant queues (docs/queues.md): a tree of queues, as production GPU clusters run teams
// (Kueue ClusterQueues and cohorts, Volcano and KAI queues, Slurm accounts, Philly/Helios virtual
// clusters). Jobs belong to a leaf queue, named by JobSpec::user. Each leaf has a guaranteed quota;
// idle quota is lent to queues that may borrow and reclaimed when its owner needs it back.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "colosim/job.h"
#include "colosim/time.h"

namespace colosim {

struct QueueSpec {
  std::string name;
  std::string parent;                // "" for a queue at the top of the tree
  double quota_gpus = 0;             // guaranteed GPUs (leaves only: a parent's is its children's sum)
  std::optional<double> limit_gpus;  // the most its jobs (a parent: its subtree's) hold at once; unset: none
  double weight = 1;                 // its share, among its siblings, of what is left beyond their quotas
  int priority = 0;                  // larger: served before its siblings' queues of lower priority
  bool borrow = true;                // may run beyond its quota on idle quota lent by others
  bool lend = true;                  // lends its idle quota to queues that borrow
};

struct QueueTree {
  std::vector<QueueSpec> queues;     // parents before or after their children, any order
  // Fair share from past usage (Slurm's fair-share usage decay, KAI's time-aware fairness): the
  // queues are ordered by an exponentially decayed average of their allocation with this
  // half-life instead of their allocation now. 0: allocation now.
  Tick usage_half_life = 0;
  // The queue of jobs whose user names no queue of the tree ("" for a job without a user too);
  // "": such jobs are reported unschedulable.
  std::string default_queue;

  bool empty() const { return queues.empty(); }
  // Names unique and non-empty, parents that exist and no cycle, quotas and limits finite and
  // >= 0 (a limit at least the quota), weights finite and > 0, quotas on leaves only, a default
  // queue that is a leaf. Throws InputError(source, queue's 1-based index, "queues.<field>", ...).
  void validate(const std::string& source) const;
};

// What a job counts against its queue's quota and limit, in thousandths of a GPU: its gang times
// its share of each GPU (a whole GPU when it states none), as Kueue counts nvidia.com/gpu
// requests and gpushare counts shares; independent of the run's GpuSharing mode.
inline std::int64_t quota_demand_milli(const JobSpec& job) {
  return std::int64_t{job.gpus} * (job.gpu_milli > 0 ? job.gpu_milli : 1000);
}
inline std::int64_t gpus_to_milli(double gpus) { return static_cast<std::int64_t>(gpus * 1000.0 + 0.5); }

}  // namespace colosim

#pragma once
// What preempting policies share: whether a job would fit where some running jobs were gone, and
// the search for the fewest, lowest-ranked jobs to displace so that it does.
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "colosim/policy.h"

namespace colosim {

using EvictedTest = std::function<bool(JobSlot)>;

// Whether `job` fits on GPU `g` once the residents for which `evicted` holds have left: GPU
// type, share, memory (unless ignored) and pairs the model knows infeasible with those that stay.
// A resident that is suspending counts as staying (it frees its GPUs only later).
bool fits_after_evicting(SchedulingPass& pass, const JobSpec& job, GpuIndex g, const EvictedTest& evicted);

// `job.gpus` GPUs of `node` (lowest index first) on which `job` fits after the eviction;
// empty when the node has too few.
std::vector<GpuIndex> gang_after_evicting(SchedulingPass& pass, const JobSpec& job, NodeIndex node, const EvictedTest& evicted);

// The running jobs to preempt so that `pending` can start, taken from the last in queue order
// among those `may_displace` allows (e.g. outranked by the pending job), and only those on the
// node(s) that then have room: one node for a gang that fits on one (the first to have room as
// the search goes), whole nodes otherwise. Empty when even all such jobs would not make room.
// With `stop_at_refusal` the search ends at the first job it may not displace (right when the
// displaceable ones are the last in queue order). It costs the running jobs it looks at, at most
// kMaxVictimsLookedAt: beyond that it gives up (empty), so that on a full cluster of shared GPUs,
// where a GPU frees only once all its residents go, one search cannot walk every running job.
inline constexpr int kMaxVictimsLookedAt = 256;

struct Victim {
  JobSlot slot;
  GpuIndex gpu;  // one of its GPUs
};
std::vector<Victim> victims_from_the_last(SchedulingPass& pass, const PendingJob& pending,
                                          const std::function<bool(const RunningJob&)>& may_displace,
                                          bool stop_at_refusal = true);

// Running jobs in the order a search should take them as victims, while `visit` returns true.
using RunningWalk = std::function<void(const std::function<bool(const RunningJob&)>& visit)>;
// The same search over the running jobs in `walk`'s order (the core's reclaim of borrowed GPUs
// walks the latest started first).
std::vector<Victim> victims_in_walk(SchedulingPass& pass, const PendingJob& pending, const RunningWalk& walk,
                                    const std::function<bool(const RunningJob&)>& may_displace, bool stop_at_refusal);

// The jobs a preempting policy displaced for a pending job, until that job starts. While a victim
// still checkpoints (the suspend delay) it holds its GPUs: the policy waits for them rather than
// displacing more jobs, and starts nothing ranked below the waiting job, so that the GPUs being
// freed are not taken by others first (which could displace the same jobs forever).
class PreemptionReservations {
 public:
  void record(JobSlot pending, std::span<const Victim> victims);
  // True while a victim displaced for `pending` still holds the GPU it had.
  bool waiting(const SchedulingPass& pass, JobSlot pending) const;
  void forget(JobSlot pending) { victims_.erase(pending); }

 private:
  std::map<JobSlot, std::vector<Victim>> victims_;  // by the pending job they were displaced for
};

// The pass of a preempting policy: pending jobs in queue order; each starts where `place_now`
// finds room, or else displaces `choose_victims` (preempted with `reason`) and starts in the GPUs
// they free at once. A job that waits for its victims to checkpoint ends the pass (see
// PreemptionReservations); one that can neither start nor displace anyone is skipped, and after
// the first such job the pass only places (the jobs behind it rank no better, so they would
// search the same victims again: one failed search per pass bounds its cost).
void preempting_pass(SchedulingPass& pass, PreemptionReservations& reservations,
                     const std::function<std::vector<GpuIndex>(const JobSpec&)>& place_now,
                     const std::function<std::vector<Victim>(const PendingJob&)>& choose_victims,
                     const std::function<std::string(const PendingJob&)>& reason);

}  // namespace colosim

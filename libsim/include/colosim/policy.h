#pragma once
// Placement policies: given the pending jobs and the cluster, decide where jobs start.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "colosim/cluster_view.h"
#include "colosim/interference.h"
#include "colosim/job.h"
#include "colosim/rng.h"
#include "colosim/sim_config.h"

namespace colosim {

struct PendingJob {
  JobSlot slot;
  const JobSpec* spec;
  std::uint64_t seq;  // arrival order, unique; the tie-breaker everywhere
  int oom_retries;
  double rank = 0;    // under the run's queue order: (rank, seq) lower is offered first
};

// A running job as a preempting policy sees it.
struct RunningJob {
  JobSlot slot;
  const JobSpec* spec;
  std::uint64_t seq;
  double rank;                     // its current rank under the run's queue order
  std::span<const GpuIndex> gpus;  // valid during the visit only

  // Whether `pending` comes before this job in queue order, i.e. may displace it.
  bool outranked_by(const PendingJob& pending) const {
    return pending.rank < rank || (pending.rank == rank && pending.seq < seq);
  }
};

// One scheduling point, as the policy sees it. Implemented by the core.
class SchedulingPass {
 public:
  virtual ~SchedulingPass() = default;

  virtual Tick now() const = 0;
  virtual const ClusterView& cluster() const = 0;
  // Pending jobs offered in this pass, in queue order (the run's queue order; arrival by default).
  virtual std::span<const PendingJob> pending() const = 0;
  // Spec of any active job, e.g. of a GPU's residents.
  virtual const JobSpec& job(JobSlot slot) const = 0;
  virtual const InterferenceModel& interference() const = 0;
  // The run's queue order, canonical ("fifo", "2d-las", "las:quantum=10", ...).
  virtual const std::string& queue_order() const = 0;
  virtual MemoryMode memory_mode() const = 0;
  // The workload fragmentation is measured against (SimConfig::target_workload, else the typical
  // shapes of the jobs arrived so far): for policies whose uses_target_workload() is true.
  virtual const std::vector<TaskShape>& target_workload() = 0;
  // The run's seeded generator: the only randomness a policy may use.
  virtual Rng& rng() = 0;

  // Whether `job` may go on GPU `g` now, counting placements already made in this pass:
  // allowed GPU type, GPU share (ClusterView::share_fits, in every memory mode), the node's CPU
  // and host memory for as many of the job's GPUs as the node has (ClusterView::node_fits_for_gpu;
  // a placement is checked exactly, node by node), memory (unless the mode ignores it) and
  // pairs the interference model knows to be infeasible.
  virtual bool fits(const JobSpec& job, GpuIndex g) const = 0;
  // Starts `job` on `gpus` (its gang size, distinct). The core validates the decision and
  // throws PolicyError when it breaks the rules. `note` is kept with the job's record
  // (e.g. why it was not placed where the policy would have preferred).
  virtual void place(const PendingJob& job, std::span<const GpuIndex> gpus,
                     std::string_view note = {}) = 0;
  virtual bool is_placed(JobSlot slot) const = 0;
  // Running jobs from the last in queue order (the first a preempting policy should displace)
  // towards the first, while `visit` returns true. Costs O(log n) per job visited, so a policy
  // that stops at the jobs it needs never scans the whole cluster.
  virtual void visit_running_last_first(const std::function<bool(const RunningJob&)>& visit) = 0;
  // Preempts a running job: its GPUs are freed now (or after the suspend delay, during which
  // it holds them without progress), it keeps its attained service and remaining work, and it
  // returns to the queue at its rank. The core throws PolicyError unless `slot` was running
  // when the pass began and is preempted once. `reason` is kept with the job's record.
  virtual void preempt(JobSlot slot, std::string_view reason) = 0;
  // Switches GPU g between time-slicing (its jobs take turns: SimConfig::time_slicing) and
  // concurrent running (slowed by interference). Its jobs' rates change at once. Throws
  // PolicyError for a GPU that does not exist.
  virtual void set_time_sliced(GpuIndex g, bool on) = 0;
  // Asks for a scheduling pass at `when` (> now) even if nothing else happens then, e.g. for
  // a round-based policy. Cheap; repeated requests for one instant make one pass, which calls
  // the policy even when no job is pending.
  virtual void call_back_at(Tick when) = 0;
  // Tells the user that the policy lacks an input it relies on (e.g. jobs without a GPU
  // utilisation). The run reports each distinct message once (RunStats::warnings).
  virtual void warn(std::string_view message) = 0;
};

class PlacementPolicy {
 public:
  virtual ~PlacementPolicy() = default;

  // Called once as a run begins, before its first pass. A policy object may serve several runs
  // one after another (a test, a notebook loop): a policy that keeps state between passes
  // (gavel's rounds, gandiva's moves, reservations) starts afresh here.
  virtual void begin_run(const ClusterView& /*cluster*/) {}

  // Contract: called at every scheduling point (after the arrivals and completions of one
  // instant) with the whole pending batch. Places zero or more jobs through pass.place() and
  // never changes anything else. Jobs it leaves stay queued for the next pass. Deterministic:
  // randomness only from pass.rng(), iteration only in index or queue order.
  virtual void schedule(SchedulingPass& pass) = 0;

  // Where a CPU-only job (gpus 0: node CPU and host memory, no GPU) starts now: a node with its
  // whole request free (ClusterView::cpu_only_fits), or none to leave it waiting. Such jobs are
  // never in pending(): the core asks this, in arrival order, after the pass's GPU placements
  // (SchedulingPass::pending() is empty then). The default is kube-scheduler's LeastAllocated
  // (node_by_cpu_allocation, spread); O(nodes) per job.
  virtual std::optional<NodeIndex> choose_node(SchedulingPass& pass, const JobSpec& job);

  // A cheap necessary condition for `job` to start now, used by the core to skip the pass or
  // cut the batch short (the core checks the GPU share itself, ClusterView::share_may_fit).
  // The default checks free GPU memory somewhere (when memory is enforced).
  virtual bool may_fit(const ClusterView& cluster, const JobSpec& job, MemoryMode mode) const;

  // An upper bound on the GPUs this policy could hand out now. 0 skips the pass without looking
  // at the queue; otherwise the core stops offering jobs once their GPUs exceed it. Both keep a
  // long queue on a full cluster cheap. The default: unbounded while some GPU has free memory.
  virtual std::int64_t gpu_room(const ClusterView& cluster, MemoryMode mode) const;

  // True when a job this policy leaves pending can only start after capacity frees (a job
  // ended or failed), i.e. the policy never holds a job back by choice. Then an instant with
  // arrivals only offers just the new arrivals. Default false: every pass offers the queue.
  virtual bool waits_only_for_capacity() const { return false; }

  // The queue order the policy is designed for, used when the run names none ("" = fifo):
  // tiresias ranks by 2D-LAS, priority-preemption by priority.
  virtual std::string preferred_queue_order() const { return {}; }
  // True when the policy may preempt: the core then also runs a pass when a running job's rank
  // changes (a queue order's step), and offers the queue even when no GPU is free; a job that
  // cannot start now (may_fit, the GPU share) is offered only if it outranks the last running
  // job in queue order, the first it could displace.
  virtual bool preempts() const { return false; }
  // True when the policy may move running jobs once capacity frees (gandiva's migration off
  // time-sliced GPUs): the core then also calls it after a job ends or fails with no job
  // waiting. A move is pass.preempt() (with the run's preemption cost) and a later placement.
  virtual bool rearranges() const { return false; }
  // True when the policy reads SchedulingPass::target_workload (fgd): without one given up
  // front, the core then counts the shapes of the jobs that arrive.
  virtual bool uses_target_workload() const { return false; }
  // The round the policy is designed for, used when the run sets none (SimConfig::round): 0 for
  // event-driven scheduling; gavel's 360 s.
  virtual Tick preferred_round() const { return 0; }
};

}  // namespace colosim

#pragma once
// Queue orders: the order in which pending jobs are offered to the placement policy, and the
// ranks a preempting policy compares (a pending job may displace a running job it outranks).
// Separate from placement (a policy places what it is offered, in the order it is offered) and
// from the discipline (whether a job that cannot start blocks the jobs behind it).
//
// Built in (libsim/queue_orders/<name>.cc, one file each): fifo, priority, sjf, srtf, las, 2d-las,
// gittins.
#include <limits>
#include <memory>
#include <string>

#include "colosim/job.h"
#include "colosim/registry.h"

namespace colosim {

// What a job has done so far, as a queue order sees it.
struct JobProgress {
  // GPU-time the job has held, in GPU-ticks: wall-clock time on GPUs x gang size, over every
  // run since it arrived or was last promoted by the starvation guard (promote_after),
  // checkpoint and restore time included (Tiresias' attained service).
  double attained_gpu_ticks = 0;
  // Solo work left, in ticks at speed 1 with the GPUs to itself (work lost to a preemption
  // is counted again).
  double remaining_work = 0;
};

// How the rank of a running job moves while it runs.
enum class RankMotion {
  fixed,     // never: the rank depends on the JobSpec only (fifo, priority, sjf)
  steps,     // at the attained service next_step() names, and only there (las, 2d-las)
  improves,  // continuously, and only towards the front (srtf: remaining work falls)
};

class QueueOrder {
 public:
  virtual ~QueueOrder() = default;
  // Lower ranks are offered first, equal ranks in arrival order. A pending job keeps the rank
  // it had when it entered the queue (at arrival, after an out-of-memory failure, after a
  // preemption): a job gains no service while it waits.
  virtual double rank(const JobSpec& job, const JobProgress& progress) const = 0;
  virtual RankMotion motion() const { return RankMotion::fixed; }
  // For RankMotion::steps: the attained service (GPU-ticks) above progress.attained_gpu_ticks
  // at which the rank next changes; +infinity when it never does again. The core sets a timer
  // for that instant, so a running job's rank is exact without polling.
  virtual double next_step(const JobSpec& /*job*/, const JobProgress& /*progress*/) const {
    return std::numeric_limits<double>::infinity();
  }
  // The starvation guard (Tiresias): ticks a job with this progress may wait in the queue,
  // summed over its waits since it last ran from a fresh start, before it is promoted: its
  // attained service counts from 0 again, and so its rank. +infinity: never (the default).
  virtual double promote_after(const JobSpec& /*job*/, const JobProgress& /*progress*/) const {
    return std::numeric_limits<double>::infinity();
  }

  // Orders that learn from the run (gittins:learn=N) keep state, so each run gets its own copy
  // of them: this returns it; null (the default) for orders that do not learn, which runs share.
  virtual std::unique_ptr<QueueOrder> copy_for_run() const { return nullptr; }
  // A run's own copy is told of every job that finishes, with the GPU-time it held over the
  // whole run (GPU-ticks). True when ranks changed: the core then ranks every waiting and
  // running job again (O(jobs in the system) each time, so an order should change them rarely).
  virtual bool learn_from_finished(const JobSpec& /*job*/, double /*held_gpu_ticks*/) { return false; }
};

class QueueOrderRegistry : public Registry<std::shared_ptr<const QueueOrder>> {
 public:
  QueueOrderRegistry() : Registry("queue order") {}
};

// One registration function per file of libsim/queue_orders/.
void register_fifo_order(QueueOrderRegistry& registry);
void register_priority_order(QueueOrderRegistry& registry);
void register_sjf_order(QueueOrderRegistry& registry);
void register_srtf_order(QueueOrderRegistry& registry);
void register_las_order(QueueOrderRegistry& registry);
void register_two_dimensional_las_order(QueueOrderRegistry& registry);
void register_gittins_order(QueueOrderRegistry& registry);

QueueOrderRegistry builtin_queue_orders();

// The `by` parameter of sjf and srtf: true for gpu-time (work x GPUs, as Tiresias and Gandiva
// measure it), false for duration; throws Error naming the order for anything else.
bool measures_gpu_time(const Params& params);

}  // namespace colosim

#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "colosim/fragmentation.h"
#include "colosim/job.h"
#include "colosim/queue_tree.h"
#include "colosim/time.h"

namespace colosim {

class QueueOrder;  // colosim/queue_order.h

// What GPU memory means in a run.
enum class MemoryMode {
  enforce,     // a placement must fit in free memory; the core rejects one that does not
  overcommit,  // placements may exceed memory; the job that started last then fails out of memory
  ignore,      // memory is not modelled (reproduces experiments that ran regardless of it)
};

// Which pending jobs a scheduling pass may start.
enum class QueueDiscipline {
  fifo,      // strict: a job that cannot start blocks every job behind it in queue order
  backfill,  // any pending job that fits now may start
};

// Whether the CPU and host memory of nodes (NodeSpec::cpu_milli, memory_mib) limit placement, as
// Kubernetes' NodeResourcesFit does for pods' requests (a job's cpu_milli and host_memory_mib
// features). A node that states neither is not limited.
enum class NodeResources {
  enforce,  // a placement must fit in the free CPU and host memory of each of its nodes
  ignore,   // node CPU and host memory are not modelled
};

// What a job that states no GPU share (gpu_milli 0) takes of each of its GPUs.
enum class GpuSharing {
  by_share,  // the whole GPU, as the schema says: jobs share a GPU only within the shares they state
  stack,     // nothing: such jobs stack on a GPU, limited by memory only (experiments that co-located
             // whole-GPU jobs: Kim & Kim 2020, Gandiva-style packing); stated shares still limit
};

// A job's share of each of its GPUs, in thousandths, under `sharing`: the one rule that every
// share check and the GPUs' share accounting use.
inline int gpu_share_milli(const JobSpec& job, GpuSharing sharing) {
  if (job.gpus == 0) return 0;  // a CPU-only job takes no GPU
  if (job.gpu_milli > 0) return job.gpu_milli;
  return sharing == GpuSharing::by_share ? 1000 : 0;
}

// The queue order of a run, as chosen: its spec as text (canonical, for outputs) and the
// order, null for arrival order (fifo), which the core serves without ranking. An empty spec
// means the policy's own (PlacementPolicy::preferred_queue_order: 2d-las for tiresias, ...).
struct QueueOrderChoice {
  std::string spec;
  std::shared_ptr<const QueueOrder> order;

  // From "name" or "name:key=value,..." among the built-in orders; throws Error naming
  // the unknown order or parameter.
  static QueueOrderChoice parse(const std::string& text);
};

// What a preemption costs (docs/scheduling.md). A preempted job holds its GPUs for the suspend
// delay (writing its checkpoint; no progress), waits in the queue, and after it is placed again
// makes no progress for the resume delay (restoring). With a checkpoint interval, progress is
// safe only at whole multiples of that much solo work: the work since the last one is lost and
// done again. Without one, the suspend writes a checkpoint and nothing is lost.
struct PreemptionCost {
  struct Delays {
    Tick suspend = 0;
    Tick resume = 0;
  };
  Delays delays;                              // every application
  std::map<std::string, Delays> per_app;      // overrides, by JobSpec::app
  Tick checkpoint_interval = 0;               // solo work between checkpoints; 0: none needed

  // The work that survives a preemption after `done` ticks of it: the last whole multiple of the
  // interval (all of it without one). Work within safe_work_residue(done) of a multiple counts as
  // reaching it: the core and ContractChecker add the same work up in different orders.
  double safe_work(double done) const {
    if (checkpoint_interval <= 0) return done;
    const auto step = static_cast<double>(checkpoint_interval);
    return std::floor((done + safe_work_residue(done)) / step) * step;
  }
  // How far below a checkpoint work may be and still reach it: floating-point residue, not
  // progress. Two sums of the same work that fall on either side of it differ by at most this
  // much, which an independent check of the work done must allow per preemption.
  static double safe_work_residue(double done) { return 1e-9 * std::max(1.0, std::abs(done)); }
  const Delays& of(const std::string& app) const {
    const auto it = per_app.find(app);
    return it == per_app.end() ? delays : it->second;
  }
  // "app=SUSPEND/RESUME,..." in seconds, as the option per_app_preemption_delays reads and writes it.
  static std::map<std::string, Delays> parse_per_app(const std::string& text);  // throws Error
  static std::string per_app_text(const std::map<std::string, Delays>& per_app);
};

// Time-slicing (docs/scheduling.md), the execution mode beside concurrent sharing: the k jobs on a
// time-sliced GPU take turns of one quantum each, with a context switch between turns, as
// Gandiva's suspend-resume and the stock Kubernetes time-slicing device plugin run them. Over
// many turns a job progresses q / (k (q + c)) of the time; alone it runs at full speed (no
// switch). The interference model applies only to jobs running concurrently. Admission is the
// same in both modes (shares, memory: every job's memory stays resident, as on the plugin).
struct TimeSlicing {
  bool every_gpu = false;                 // every GPU starts time-sliced; else a policy switches GPUs
  Tick quantum = 60 * kTicksPerSecond;    // Gandiva's scheduling quantum (OSDI '18, section 4)
  Tick context_switch = 0;                // the time lost between two turns

  // Time per unit of work with `k` jobs taking turns on the GPU, relative to running alone.
  double stretch(int k) const {
    if (k <= 1) return 1.0;
    return static_cast<double>(k) * static_cast<double>(quantum + context_switch) / static_cast<double>(quantum);
  }
};

// What an interference model may guess when its data does not cover a run (docs/interference.md):
// applications it has no data on (predicted from the job's features) and GPU types it has no
// data on (the mean over its types). Not allowed, such a job or cluster is an error.
struct ModelFallback {
  bool apps = false;
  bool gpu_types = false;
};
std::string to_string(ModelFallback f);          // none, apps, gpu-types, all
ModelFallback parse_model_fallback(const std::string& text);  // throws Error

struct SimConfig {
  QueueDiscipline discipline = QueueDiscipline::backfill;
  QueueOrderChoice queue_order;             // the order pending jobs are offered in
  MemoryMode memory = MemoryMode::enforce;
  NodeResources node_resources = NodeResources::enforce;
  // The workload GPU fragmentation is measured against (fgd; fragmentation.h): typical task
  // shapes with weights summing to 1, e.g. typical_shapes() of the whole trace, as the FGD
  // paper's simulator takes them. Empty: the typical shapes of the jobs arrived so far.
  std::vector<TaskShape> target_workload;
  GpuSharing sharing = GpuSharing::by_share;
  std::uint64_t seed = 1;
  int max_oom_retries = 3;                  // requeues after an OOM before the job is failed
  Tick oom_delay = 10 * kTicksPerSecond;    // run time before an over-committed job fails
  // Pending jobs looked at per pass, 0 = all. Like Slurm's bf_max_job_test, it bounds the cost
  // of a pass when thousands of jobs wait; jobs further back are looked at as the queue drains.
  int backfill_depth = 1000;
  bool allow_multi_node = true;             // gangs larger than any node may span whole nodes
  // Simulated time ends here (at most kHorizon): jobs still running are reported unfinished,
  // those waiting never_started, those not yet arrived never_started too.
  Tick stop_at = kHorizon;
  PreemptionCost preemption;
  TimeSlicing time_slicing;
  // Round-based scheduling (docs/scheduling.md): > 0, passes happen only at whole multiples of
  // the round (and at call-backs), and at each the policy re-decides with every pending job
  // offered, even when none is, so that it may preempt and move running jobs (with the
  // preemption cost), as round-based simulators (Gavel) do. 0: the policy's own
  // (PlacementPolicy::preferred_round; gavel: 360 s), event-driven for the others.
  Tick round = 0;
  // Run jobs at slowdowns sampled from the interference model's error (its held-out residuals)
  // under `seed`, while policies still see the model's predictions: does a policy's advantage
  // survive model error? Only for models that can_sample() (calibrated).
  bool interference_noise = false;
  ModelFallback fallback;
  // Multi-tenant queues (queue_tree.h, docs/queues.md): quotas, limits, fair share, borrowing and
  // reclaim between the queues that jobs name (JobSpec::user). Empty: one queue, as before.
  QueueTree queues;
};

const char* to_string(MemoryMode m);
const char* to_string(QueueDiscipline d);
const char* to_string(GpuSharing s);
const char* to_string(NodeResources r);
MemoryMode parse_memory_mode(const std::string& text);        // throws Error
NodeResources parse_node_resources(const std::string& text);  // throws Error
QueueDiscipline parse_discipline(const std::string& text);    // throws Error
GpuSharing parse_gpu_sharing(const std::string& text);        // throws Error

}  // namespace colosim

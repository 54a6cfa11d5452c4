#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "colosim/job.h"
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

// What a job that states no GPU share (gpu_milli 0) takes of each of its GPUs.
enum class GpuSharing {
  by_share,  // the whole GPU, as the schema says: jobs share a GPU only within the shares they state
  stack,     // nothing: such jobs stack on a GPU, limited by memory only (experiments that co-located
             // whole-GPU jobs: Kim & Kim 2020, Gandiva-style packing); stated shares still limit
};

// A job's share of each of its GPUs, in thousandths, under `sharing`: the one rule that every
// share check and the GPUs' share accounting use.
inline int gpu_share_milli(const JobSpec& job, GpuSharing sharing) {
  if (job.gpu_milli > 0) return job.gpu_milli;
  return sharing == GpuSharing::by_share ? 1000 : 0;
}

// The queue order of a run, as chosen: its spec as text (canonical, for outputs) and the
// order, null for arrival order (fifo), which the core serves without ranking.
struct QueueOrderChoice {
  std::string spec = "fifo";
  std::shared_ptr<const QueueOrder> order;

  // From "name" or "name:key=value,..." among the built-in orders; throws Error naming
  // the unknown order or parameter.
  static QueueOrderChoice parse(const std::string& text);
};

struct SimConfig {
  QueueDiscipline discipline = QueueDiscipline::backfill;
  QueueOrderChoice queue_order;             // the order pending jobs are offered in
  MemoryMode memory = MemoryMode::enforce;
  GpuSharing sharing = GpuSharing::by_share;
  std::uint64_t seed = 1;
  int max_oom_retries = 3;                  // requeues after an OOM before the job is failed
  Tick oom_delay = 10 * kTicksPerSecond;    // run time before an over-committed job fails
  // Pending jobs looked at per pass, 0 = all. Like Slurm's bf_max_job_test, it bounds the cost
  // of a pass when thousands of jobs wait; jobs further back are looked at as the queue drains.
  int backfill_depth = 1000;
  bool allow_multi_node = true;             // gangs larger than any node may span whole nodes
};

const char* to_string(MemoryMode m);
const char* to_string(QueueDiscipline d);
const char* to_string(GpuSharing s);
MemoryMode parse_memory_mode(const std::string& text);        // throws Error
QueueDiscipline parse_discipline(const std::string& text);    // throws Error
GpuSharing parse_gpu_sharing(const std::string& text);        // throws Error

}  // namespace colosim

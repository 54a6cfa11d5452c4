#pragma once
#include <cstdint>
#include <string>

#include "colosim/time.h"

namespace colosim {

// What GPU memory means in a run.
enum class MemoryMode {
  enforce,     // a placement must fit in free memory; the core rejects one that does not
  overcommit,  // placements may exceed memory; the job that started last then fails out of memory
  ignore,      // memory is not modelled (reproduces experiments that ran regardless of it)
};

// Which pending jobs a scheduling pass may start.
enum class QueueDiscipline {
  fifo,      // strict: a job that cannot start blocks every job that arrived after it
  backfill,  // any pending job that fits now may start
};

struct SimConfig {
  QueueDiscipline discipline = QueueDiscipline::backfill;
  MemoryMode memory = MemoryMode::enforce;
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
MemoryMode parse_memory_mode(const std::string& text);        // throws Error
QueueDiscipline parse_discipline(const std::string& text);    // throws Error

}  // namespace colosim

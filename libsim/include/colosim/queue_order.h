#pragma once
// Queue orders: the order in which pending jobs are offered to the placement policy. Separate
// from placement (a policy places what it is offered, in the order it is offered) and from the
// discipline (whether a job that cannot start blocks the jobs behind it).
//
// Built in (libsim/queue_orders/<name>.cc, one file each): fifo, priority, sjf.
#include <memory>
#include <string>

#include "colosim/job.h"
#include "colosim/registry.h"

namespace colosim {

class QueueOrder {
 public:
  virtual ~QueueOrder() = default;
  // A job's rank when it enters the queue: lower ranks are offered first, equal ranks in
  // arrival order. A job keeps its rank while it waits, and when it is requeued after an
  // out-of-memory failure it goes back to its place.
  virtual double rank(const JobSpec& job) const = 0;
};

class QueueOrderRegistry : public Registry<std::shared_ptr<const QueueOrder>> {
 public:
  QueueOrderRegistry() : Registry("queue order") {}
};

// One registration function per file of libsim/queue_orders/.
void register_fifo_order(QueueOrderRegistry& registry);
void register_priority_order(QueueOrderRegistry& registry);
void register_sjf_order(QueueOrderRegistry& registry);

QueueOrderRegistry builtin_queue_orders();

}  // namespace colosim

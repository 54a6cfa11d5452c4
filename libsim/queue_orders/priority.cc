// priority: JobSpec.priority, larger first (Kubernetes PriorityClass values, Slurm QoS), then
// arrival order.
#include "colosim/queue_order.h"

namespace colosim {
namespace {

class PriorityOrder final : public QueueOrder {
 public:
  double rank(const JobSpec& job, const JobProgress&) const override { return -static_cast<double>(job.priority); }
};

}  // namespace

void register_priority_order(QueueOrderRegistry& registry) {
  registry.add({"priority", "larger JobSpec priority first, then arrival order", {},
                [](const Params&) -> std::shared_ptr<const QueueOrder> { return std::make_shared<PriorityOrder>(); }});
}

}  // namespace colosim

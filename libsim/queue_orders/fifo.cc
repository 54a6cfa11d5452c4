// fifo: arrival order, the default. The core serves it without ranking (QueueOrderChoice::order
// is null), so this entry exists for listing and for code that asks the registry.
#include "colosim/queue_order.h"

namespace colosim {
namespace {

class ArrivalOrder final : public QueueOrder {
 public:
  double rank(const JobSpec&, const JobProgress&) const override { return 0.0; }
};

}  // namespace

void register_fifo_order(QueueOrderRegistry& registry) {
  registry.add({"fifo", "arrival order (submit time, then trace order)", {},
                [](const Params&) -> std::shared_ptr<const QueueOrder> { return std::make_shared<ArrivalOrder>(); }});
}

}  // namespace colosim

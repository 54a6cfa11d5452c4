// las: least attained service first, service being GPU-time held (wall clock x GPUs), counted in
// whole quanta: a job's rank is the number of quanta it has received, ties in arrival order. The
// quantum makes the order a round robin among equals instead of a switch at every instant (pure
// LAS is processor sharing, which whole-GPU jobs cannot do); a running job's rank changes when it
// completes a quantum, where the core's timer wakes the scheduler.
#include <algorithm>
#include <cmath>

#include "colosim/errors.h"
#include "colosim/queue_order.h"
#include "colosim/time.h"

namespace colosim {
namespace {

class LeastAttainedService final : public QueueOrder {
 public:
  explicit LeastAttainedService(double quantum_gpu_ticks) : quantum_(quantum_gpu_ticks) {}
  double rank(const JobSpec&, const JobProgress& progress) const override {
    return std::floor(progress.attained_gpu_ticks / quantum_);
  }
  RankMotion motion() const override { return RankMotion::steps; }
  double next_step(const JobSpec&, const JobProgress& progress) const override {
    return (std::floor(progress.attained_gpu_ticks / quantum_) + 1) * quantum_;
  }

 private:
  double quantum_;
};

}  // namespace

void register_las_order(QueueOrderRegistry& registry) {
  registry.add({"las", "least attained service (GPU-time) first, in whole quanta, then arrival order",
                {{"quantum", "60", "GPU-seconds of service per quantum (> 0)"}},
                [](const Params& params) -> std::shared_ptr<const QueueOrder> {
                  const double q = params.number("quantum");
                  if (!(q > 0) || q > 9.0e12)
                    throw Error(params.owner() + ": parameter 'quantum' must be GPU-seconds > 0, got '" + params.text("quantum") + "'");
                  return std::make_shared<LeastAttainedService>(std::max(1.0, std::round(q * kTicksPerSecond)));
                }});
}

}  // namespace colosim

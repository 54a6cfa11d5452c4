// srtf: shortest remaining time first, the preemptive form of sjf: least solo work left first
// (GPU-time by default, as Tiresias measures it), then arrival order. A running job's rank only
// improves as it works, so it is displaced only by a job that arrives (or returns) with less.
#include "colosim/queue_order.h"

namespace colosim {
namespace {

class ShortestRemainingTimeFirst final : public QueueOrder {
 public:
  explicit ShortestRemainingTimeFirst(bool by_gpu_time) : by_gpu_time_(by_gpu_time) {}
  double rank(const JobSpec& job, const JobProgress& progress) const override {
    return by_gpu_time_ ? progress.remaining_work * job.gpus : progress.remaining_work;
  }
  RankMotion motion() const override { return RankMotion::improves; }

 private:
  bool by_gpu_time_;
};

}  // namespace

void register_srtf_order(QueueOrderRegistry& registry) {
  registry.add({"srtf", "shortest remaining time first: least solo work left first, then arrival order (preemptive sjf)",
                {{"by", "gpu-time", "what 'shortest' measures: gpu-time (work left x GPUs) or duration (work left)"}},
                [](const Params& params) -> std::shared_ptr<const QueueOrder> {
                  return std::make_shared<ShortestRemainingTimeFirst>(measures_gpu_time(params));
                }});
}

}  // namespace colosim

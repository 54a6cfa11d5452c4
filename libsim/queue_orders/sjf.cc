// sjf: shortest job first by solo GPU-time (duration alone at speed 1 x gang size), or by duration
// only, as the schedulers that compare against SJF define it (Tiresias and Gandiva use GPU-time).
#include "colosim/queue_order.h"


namespace colosim {
namespace {

class ShortestJobFirst final : public QueueOrder {
 public:
  explicit ShortestJobFirst(bool by_gpu_time) : by_gpu_time_(by_gpu_time) {}
  double rank(const JobSpec& job, const JobProgress&) const override {
    const double duration = static_cast<double>(job.solo_duration);
    return by_gpu_time_ ? duration * job.gpus : duration;
  }

 private:
  bool by_gpu_time_;
};

}  // namespace

void register_sjf_order(QueueOrderRegistry& registry) {
  registry.add({"sjf", "shortest job first: least solo work first, then arrival order",
                {{"by", "gpu-time", "what 'shortest' measures: gpu-time (duration x GPUs) or duration"}},
                [](const Params& params) -> std::shared_ptr<const QueueOrder> {
                  return std::make_shared<ShortestJobFirst>(measures_gpu_time(params));
                }});
}

}  // namespace colosim

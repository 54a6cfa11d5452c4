// 2d-las: Tiresias' two-dimensional least attained service (Gu et al., NSDI '19). Attained
// service is GPU-time (wall clock x GPUs, so both dimensions: how long and how wide); it is
// discretised into queues by thresholds, a job in a lower queue goes first, and jobs within a
// queue in arrival order. A running job moves down a queue the moment its service reaches the
// next threshold (the core's timer), which Tiresias' simulator only notices at its next event.
// Defaults: the thresholds of that simulator's dlas-gpu scheme (3,250 and 7,200 GPU-seconds,
// three queues; its README's 3,600 is outdated), and no starvation guard (starvation=N turns
// on that of its dlas-gpu-N schemes).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/queue_order.h"
#include "colosim/time.h"

namespace colosim {
namespace {

class TwoDimensionalLas final : public QueueOrder {
 public:
  TwoDimensionalLas(std::vector<double> thresholds, double starvation)
      : thresholds_(std::move(thresholds)), starvation_(starvation) {}
  double rank(const JobSpec&, const JobProgress& progress) const override {
    // The number of thresholds reached (>=, as Tiresias demotes) is the queue.
    const auto reached = std::upper_bound(thresholds_.begin(), thresholds_.end(), progress.attained_gpu_ticks);
    return static_cast<double>(reached - thresholds_.begin());
  }
  RankMotion motion() const override { return RankMotion::steps; }
  double next_step(const JobSpec&, const JobProgress& progress) const override {
    const auto next = std::upper_bound(thresholds_.begin(), thresholds_.end(), progress.attained_gpu_ticks);
    return next == thresholds_.end() ? std::numeric_limits<double>::infinity() : *next;
  }
  // Tiresias' guard (its simulator's dlas-gpu-N schemes): a job out of the first queue that has
  // waited N times as long as it ran (wall clock, since it last started afresh) goes back to
  // the first queue. As there, the time run counts in whole seconds and a job that ran less
  // than one is not promoted: runs of microseconds would otherwise swap two jobs every few
  // microseconds.
  double promote_after(const JobSpec& job, const JobProgress& progress) const override {
    const double ran_s = std::floor(progress.attained_gpu_ticks / std::max(1, job.gpus) / kTicksPerSecond);
    if (starvation_ <= 0 || ran_s < 1 || rank(job, progress) == 0) return std::numeric_limits<double>::infinity();
    return starvation_ * ran_s * kTicksPerSecond;
  }

 private:
  std::vector<double> thresholds_;  // GPU-ticks, increasing
  double starvation_;               // N; 0: no guard
};

std::vector<double> parse_thresholds(const Params& params) {
  const std::string& text = params.text("thresholds");
  std::vector<double> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find('/', at);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(at, end - at);
    const auto x = parse_number(item);
    if (!x || !(*x > 0) || *x > 9.0e12 || (!out.empty() && *x * kTicksPerSecond <= out.back()))
      throw Error(params.owner() + ": parameter 'thresholds' must be increasing GPU-seconds > 0 separated by '/', got '" +
                  text + "'");
    out.push_back(std::round(*x * kTicksPerSecond));
    at = end + 1;
  }
  return out;
}

}  // namespace

void register_two_dimensional_las_order(QueueOrderRegistry& registry) {
  registry.add({"2d-las", "Tiresias' 2D-LAS: queues by attained GPU-time, lower queue first, arrival order within one",
                {{"thresholds", "3250/7200", "GPU-seconds of attained service that move a job to the next queue, '/'-separated"},
                 {"starvation", "0",
                  "starvation guard: a job waiting N times as long as it ran goes back to the first queue (0: off, as in "
                  "Tiresias' dlas-gpu; its dlas-gpu-N schemes use N = 0.5 ... 1000)"}},
                [](const Params& params) -> std::shared_ptr<const QueueOrder> {
                  const double n = params.number("starvation");
                  if (!(n >= 0) || n > 1e9)
                    throw Error(params.owner() + ": parameter 'starvation' must be a number from 0 to 1e9, got '" +
                                params.text("starvation") + "'");
                  return std::make_shared<TwoDimensionalLas>(parse_thresholds(params), n);
                }});
}

}  // namespace colosim

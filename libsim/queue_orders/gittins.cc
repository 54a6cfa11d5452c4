// gittins: the Gittins index of a job's attained service over a distribution of job service
// (Tiresias' "Gittins index" discipline, for when the distribution is known but a job's size is
// not). For attained service a and service S drawn from the distribution,
//   G(a) = max over d > 0 of  P(S - a <= d | S > a) / E[min(S - a, d) | S > a],
// the chance of finishing within d per unit of service spent trying: the job most likely to
// finish soon for the least service goes first. The distribution is given as equally likely
// values (`service`, GPU-seconds); with an empirical distribution the maximum is at one of its
// values, so G costs O(values). Like las the index is updated in whole quanta of service (the
// core's rank-step timer). A job beyond every value has index 0: last, in arrival order.
//
// With learn=N the distribution is learnt from the run, as a scheduler that knows its cluster's
// history would: after every N finished jobs it becomes 100 quantiles of the GPU-time held by
// the last `window` finished jobs (`service` until the first N), and the core re-ranks every job.
#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <sstream>
#include <vector>

#include "colosim/errors.h"
#include "colosim/checked.h"
#include "colosim/queue_order.h"
#include "colosim/time.h"

namespace colosim {
namespace {

// Equally likely values that summarise a learnt sample: its quantiles at the midpoints of
// kLearntPoints equal bins (the sample itself when smaller).
constexpr std::size_t kLearntPoints = 100;

struct Learning {
  std::size_t every = 0;   // finished jobs between refreshes; 0: no learning
  std::size_t window = 0;  // most recent finished jobs learnt from
};

class Gittins final : public QueueOrder {
 public:
  Gittins(std::vector<double> service_ticks, double quantum_ticks, Learning learning)
      : service_(std::move(service_ticks)), quantum_(quantum_ticks), learning_(learning) {
    std::sort(service_.begin(), service_.end());
  }

  std::unique_ptr<QueueOrder> copy_for_run() const override {
    return learning_.every > 0 ? std::make_unique<Gittins>(*this) : nullptr;
  }
  bool learn_from_finished(const JobSpec&, double held_gpu_ticks) override {
    if (learning_.every == 0) return false;
    recent_.push_back(held_gpu_ticks);
    if (recent_.size() > learning_.window) recent_.pop_front();
    if (++finished_ % learning_.every != 0) return false;
    std::vector<double> sample(recent_.begin(), recent_.end());
    std::sort(sample.begin(), sample.end());
    if (sample.size() > kLearntPoints) {
      std::vector<double> quantiles(kLearntPoints);
      for (std::size_t i = 0; i < kLearntPoints; ++i)
        quantiles[i] = sample[(2 * i + 1) * sample.size() / (2 * kLearntPoints)];
      sample = std::move(quantiles);
    }
    service_ = std::move(sample);
    return true;
  }

  double rank(const JobSpec&, const JobProgress& progress) const override {
    return -index(std::floor(progress.attained_gpu_ticks / quantum_) * quantum_);
  }
  RankMotion motion() const override { return RankMotion::steps; }
  double next_step(const JobSpec&, const JobProgress& progress) const override {
    if (progress.attained_gpu_ticks >= service_.back()) return std::numeric_limits<double>::infinity();
    return (std::floor(progress.attained_gpu_ticks / quantum_) + 1) * quantum_;
  }

  // G(a) over the values above a: finishing at the j-th of them (in order) has probability
  // (j + 1) / m and costs the service of those that finish plus d for the rest.
  double index(double a) const {
    const auto first = std::upper_bound(service_.begin(), service_.end(), a);
    const auto m = static_cast<double>(service_.end() - first);
    if (m == 0) return 0;
    double best = 0, spent_by_finished = 0;
    std::size_t finished = 0;
    for (auto it = first; it != service_.end(); ++it) {
      const double d = *it - a;
      spent_by_finished += d;
      ++finished;
      const double rest = m - static_cast<double>(finished);
      const double expected = (spent_by_finished + rest * d) / m;
      if (expected > 0) best = std::max(best, (static_cast<double>(finished) / m) / expected);
    }
    return best * static_cast<double>(kTicksPerSecond);  // per second, so that ranks read well
  }

 private:
  std::vector<double> service_;  // ticks, ascending
  double quantum_;
  Learning learning_;
  std::deque<double> recent_;  // GPU-ticks held by the last `window` finished jobs
  std::uint64_t finished_ = 0;
};

// 20 equally likely values: the Philly run-time quantiles at p = 0.05, 0.10, ..., 0.95 and 0.99
// (83,154 jobs, Jeon et al., ATC '19; the generator's built-in table), as GPU-seconds.
constexpr const char* kPhillyService =
    "48/61/68/76/131/229/428/630/889/1186/1500/1871/2242/2590/3342/4699/6300/12859/49948/287283";

}  // namespace

void register_gittins_order(QueueOrderRegistry& registry) {
  registry.add({"gittins",
                "highest Gittins index of attained GPU-time over a service distribution first, in whole quanta, then arrival",
                {{"service", kPhillyService, "equally likely job services, GPU-seconds, separated by / (default: Philly run-time quantiles)"},
                 {"quantum", "60", "GPU-seconds of service between updates of a job's index (> 0)"},
                 {"learn", "0", "learn the distribution from the run: refresh it every N finished jobs (0: keep `service`)"},
                 {"window", "10000", "with learn: the most recent finished jobs it is learnt from"}},
                [](const Params& params) -> std::shared_ptr<const QueueOrder> {
                  const double q = params.number("quantum");
                  if (!(q > 0) || q > 9.0e12)
                    throw Error(params.owner() + ": parameter 'quantum' must be GPU-seconds > 0, got '" + params.text("quantum") + "'");
                  std::vector<double> service;
                  std::stringstream in(params.text("service"));
                  for (std::string item; std::getline(in, item, '/');) {
                    const auto x = parse_number(item);
                    if (!x || !(*x > 0) || *x > 9.0e12)
                      throw Error(params.owner() + ": parameter 'service' must be GPU-seconds > 0 separated by /, got '" + item + "'");
                    service.push_back(std::round(*x * kTicksPerSecond));
                  }
                  if (service.empty()) throw Error(params.owner() + ": parameter 'service' needs at least one value");
                  if (service.size() > 100000) throw Error(params.owner() + ": parameter 'service' has more than 100,000 values");
                  auto count = [&](const char* key, double least) {
                    const double n = params.number(key);
                    if (!(n >= least) || n > 1e9 || n != std::floor(n))
                      throw Error(params.owner() + ": parameter '" + key + "' must be a whole number >= " +
                                  std::to_string(static_cast<int>(least)) + ", got '" + params.text(key) + "'");
                    return static_cast<std::size_t>(n);
                  };
                  const Learning learning{count("learn", 0), count("window", 1)};
                  return std::make_shared<Gittins>(std::move(service), std::max(1.0, std::round(q * kTicksPerSecond)), learning);
                }});
}

}  // namespace colosim

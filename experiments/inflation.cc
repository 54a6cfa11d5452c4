#include "colosim/experiments/inflation.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <exception>
#include <limits>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "colosim/checked.h"
#include "colosim/cluster_fragmentation.h"
#include "colosim/errors.h"
#include "colosim/metrics.h"
#include "colosim/rng.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/csv.h"

namespace colosim::experiments {
namespace {

std::int64_t gpu_request(const JobSpec& job) { return std::int64_t{gpu_share_milli(job, GpuSharing::by_share)} * job.gpus; }

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// After each instant (one arrival): the arrived GPU request, the share held and the
// fragmentation ratio; the tracker must be added to the run before it.
class Recorder final : public SimObserver {
 public:
  Recorder(std::span<const JobSpec> jobs, const FragmentationTracker& tracker) : tracker_(tracker) {
    arrived_.reserve(jobs.size());
    std::int64_t sum = 0;
    for (const JobSpec& j : jobs) arrived_.push_back(sum += gpu_request(j));
  }
  void on_begin(const ClusterView& cluster) override { cluster_ = &cluster; }
  void on_start(Tick, const JobSpec& job, std::span<const GpuIndex> gpus) override {
    allocated_ += std::int64_t{cluster_->share_of(job)} * static_cast<std::int64_t>(gpus.size());
    ++placed_;
  }
  void on_instant(Tick now, const ClusterView&, std::size_t, std::size_t) override {
    if (now < 0 || static_cast<std::size_t>(now) >= arrived_.size()) return;
    points_.push_back({arrived_[static_cast<std::size_t>(now)], allocated_, tracker_.ratio()});
  }
  struct Point {
    std::int64_t arrived, allocated;
    double fragmentation_ratio;
  };
  const std::vector<Point>& points() const { return points_; }
  std::int64_t placed() const { return placed_; }

 private:
  const FragmentationTracker& tracker_;
  const ClusterView* cluster_ = nullptr;
  std::vector<std::int64_t> arrived_;
  std::int64_t allocated_ = 0, placed_ = 0;
  std::vector<Point> points_;
};

// The reference's binning (merge_alloc_discrete.py): by arrived percent, rounded.
std::vector<double> bin(const std::vector<Recorder::Point>& points, double capacity_milli, int max_percent,
                        double (*value)(const Recorder::Point&, double)) {
  std::vector<double> sum(static_cast<std::size_t>(max_percent) + 1, 0), count(sum.size(), 0);
  for (const auto& p : points) {
    const auto a = static_cast<long>(std::lround(static_cast<double>(p.arrived) / capacity_milli * 100));
    if (a >= 0 && a <= max_percent) {
      sum[static_cast<std::size_t>(a)] += value(p, capacity_milli);
      count[static_cast<std::size_t>(a)] += 1;
    }
  }
  std::vector<double> out(sum.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t a = 0; a < out.size(); ++a) {
    double s = sum[a], c = count[a];
    if (c == 0)
      for (std::size_t b : {a - 1, a + 1})
        if (b < out.size()) s += sum[b], c += count[b];
    if (c > 0) out[a] = s / c;
  }
  return out;
}

// The middle value, or the mean of the two middle ones.
double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n == 0 ? 0.0 : n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

std::vector<JobSpec> inflate(std::span<const JobSpec> trace, std::int64_t cluster_gpus, double max_ratio, std::uint64_t seed) {
  if (trace.empty()) throw Error("inflation: the trace has no jobs");
  if (cluster_gpus <= 0) throw Error("inflation: the cluster has no GPUs");
  if (!(max_ratio > 0 && max_ratio <= 100)) throw Error("inflation: the arrived workload ratio must be in (0, 100]");
  Rng rng(seed);
  std::vector<JobSpec> sorted(trace.begin(), trace.end());
  std::sort(sorted.begin(), sorted.end(), [](const JobSpec& a, const JobSpec& b) { return a.id < b.id; });
  std::vector<JobSpec> jobs = sorted;
  for (std::size_t i = jobs.size(); i > 1; --i) std::swap(jobs[i - 1], jobs[rng.below(i)]);
  const double target = max_ratio * 1000.0 * static_cast<double>(cluster_gpus);
  double total = 0;
  for (const JobSpec& j : jobs) total += static_cast<double>(gpu_request(j));
  if (total == 0) throw Error("inflation: no job of the trace asks for a GPU");
  const bool too_much = total > target;
  while (total > target && !jobs.empty()) {
    const std::size_t k = rng.below(jobs.size());
    total -= static_cast<double>(gpu_request(jobs[k]));
    jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(k));
  }
  std::map<std::string, int> copies;
  while (!too_much) {
    const JobSpec& drawn = sorted[rng.below(sorted.size())];
    if (total + gpu_share_milli(drawn, GpuSharing::by_share) > target) break;
    total += static_cast<double>(gpu_request(drawn));
    jobs.push_back(drawn);
    jobs.back().id = drawn.id + "#" + std::to_string(++copies[drawn.id]);
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].submit = static_cast<Tick>(i);
    jobs[i].solo_duration = kMaxTicks;
  }
  return jobs;
}

std::vector<TaskShape> trace_workload(std::span<const JobSpec> trace) {
  SpanJobSource source(trace);
  return typical_shapes_of(source);
}

InflationCurve run_inflation(const ClusterSpec& cluster, std::span<const JobSpec> jobs, const std::vector<TaskShape>& workload,
                             const PolicyRegistry& registry, const std::string& policy_name, std::uint64_t seed, SimConfig config,
                             int max_percent) {
  const auto policy = registry.make(policy_name);
  config.seed = seed;
  config.target_workload = workload;
  config.stop_at = static_cast<Tick>(jobs.size());
  NoInterference none;
  Simulator sim(cluster, none, *policy, config);
  FragmentationTracker tracker(workload);
  Recorder recorder(jobs, tracker);
  sim.add_observer(tracker);
  sim.add_observer(recorder);
  VectorJobSource source(std::vector<JobSpec>(jobs.begin(), jobs.end()));
  const double cpu_before = thread_cpu_seconds();
  sim.run(source);
  InflationCurve curve;
  curve.cpu_seconds = thread_cpu_seconds() - cpu_before;
  curve.policy = policy_name;
  curve.seed = seed;
  curve.jobs = static_cast<std::int64_t>(jobs.size());
  curve.placed = recorder.placed();
  const double capacity = 1000.0 * static_cast<double>(cluster.total_gpus());
  curve.allocated_pct = bin(recorder.points(), capacity, max_percent,
                            [](const Recorder::Point& p, double cap) { return static_cast<double>(p.allocated) / cap * 100; });
  curve.fragmentation_pct =
      bin(recorder.points(), capacity, max_percent, [](const Recorder::Point& p, double) { return p.fragmentation_ratio * 100; });
  return curve;
}

InflationResult run_inflation_grid(const ClusterSpec& cluster, std::span<const JobSpec> trace, const InflationOptions& options) {
  if (options.policies.empty()) throw Error("inflation: no policy to run");
  if (options.seeds.empty()) throw Error("inflation: no seed to run");
  const auto started = std::chrono::steady_clock::now();
  const std::vector<TaskShape> workload = trace_workload(trace);
  InflationResult result;
  result.max_percent = static_cast<int>(std::ceil(options.max_ratio * 100));
  const std::size_t runs = options.policies.size() * options.seeds.size();
  result.curves.resize(runs);
  std::vector<std::exception_ptr> errors(runs);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    const PolicyRegistry registry = builtin_policies();
    for (std::size_t i; (i = next++) < runs;) {
      const std::string& policy = options.policies[i / options.seeds.size()];
      const std::uint64_t seed = options.seeds[i % options.seeds.size()];
      try {
        const std::vector<JobSpec> jobs = inflate(trace, cluster.total_gpus(), options.max_ratio, seed);
        result.curves[i] = run_inflation(cluster, jobs, workload, registry, policy, seed, options.config, result.max_percent);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  const unsigned threads = std::max(1u, std::min<unsigned>(options.threads, static_cast<unsigned>(runs)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

std::vector<InflationSummary> InflationResult::summary(int percent) const {
  std::vector<InflationSummary> out;
  if (percent < 0 || percent > max_percent) throw Error("inflation: no curve reaches " + std::to_string(percent) + "%");
  const auto at = static_cast<std::size_t>(percent);
  for (const InflationCurve& c : curves) {
    if (out.empty() || out.back().policy != c.policy) out.push_back({c.policy});
    out.back().cpu_seconds += c.cpu_seconds;
    out.back().jobs += c.jobs;
  }
  for (InflationSummary& s : out) {
    std::vector<double> unallocated, fragmentation;
    for (const InflationCurve& c : curves)
      if (c.policy == s.policy && !std::isnan(c.allocated_pct[at])) {
        unallocated.push_back(100 - c.allocated_pct[at]);
        fragmentation.push_back(c.fragmentation_pct[at]);
      }
    s.runs = static_cast<int>(unallocated.size());
    if (unallocated.empty()) continue;
    std::sort(unallocated.begin(), unallocated.end());
    s.min = unallocated.front();
    s.max = unallocated.back();
    s.median = median_of(unallocated);
    s.p25 = percentile(unallocated, 25);
    s.p75 = percentile(unallocated, 75);
    s.fragmentation_median = median_of(fragmentation);
  }
  return out;
}

std::string inflation_curves_csv(const InflationResult& result) {
  std::string out = "policy,seed,arrived_pct,allocated_pct,unallocated_pct,fragmentation_pct\n";
  auto number = [](double x) { return std::isnan(x) ? std::string() : fmt::format("{:.4f}", x); };
  for (const InflationCurve& c : result.curves)
    for (std::size_t a = 0; a < c.allocated_pct.size(); ++a)
      out += fmt::format("{},{},{},{},{},{}\n", traces::csv_quote(c.policy), c.seed, a, number(c.allocated_pct[a]), number(100 - c.allocated_pct[a]),
                         number(c.fragmentation_pct[a]));
  return out;
}

std::string inflation_summary_csv(const InflationResult& result, int percent) {
  std::string out =
      "policy,at_pct,unallocated_median,unallocated_p25,unallocated_p75,unallocated_min,unallocated_max,fragmentation_median,"
      "runs,jobs,cpu_s,jobs_per_cpu_s\n";
  for (const InflationSummary& s : result.summary(percent))
    out += fmt::format("{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{},{},{:.3f},{:.0f}\n", traces::csv_quote(s.policy), percent,
                       s.median, s.p25, s.p75, s.min, s.max, s.fragmentation_median, s.runs, s.jobs, s.cpu_seconds,
                       s.cpu_seconds > 0 ? static_cast<double>(s.jobs) / s.cpu_seconds : 0.0);
  return out;
}

}  // namespace colosim::experiments

#include "colosim/traces/generator.h"

#include <algorithm>
#include <cmath>

#include "colosim/checked.h"
#include "colosim/errors.h"

namespace colosim::traces {

QuantileTable::QuantileTable(std::vector<std::pair<double, double>> points, std::string source)
    : points_(std::move(points)), source_(std::move(source)) {
  if (points_.size() < 2) throw Error("quantile table '" + source_ + "' needs at least 2 points");
  if (points_.front().first != 0.0 || points_.back().first != 1.0)
    throw Error("quantile table '" + source_ + "' must run from p = 0 to p = 1");
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const auto [p, x] = points_[i];
    if (!std::isfinite(x) || x < 0) throw Error("quantile table '" + source_ + "': values must be finite and >= 0");
    if (i > 0 && (p < points_[i - 1].first || x < points_[i - 1].second))
      throw Error("quantile table '" + source_ + "': p and x must not decrease");
  }
}

QuantileTable QuantileTable::from_samples(std::vector<double> samples, std::string source) {
  if (samples.size() < 2) throw Error("'" + source + "': need at least 2 samples");
  std::sort(samples.begin(), samples.end());
  std::vector<std::pair<double, double>> points;
  points.reserve(samples.size());
  const double last = static_cast<double>(samples.size() - 1);
  for (std::size_t i = 0; i < samples.size(); ++i) points.emplace_back(static_cast<double>(i) / last, samples[i]);
  points.back().first = 1.0;
  return QuantileTable(std::move(points), std::move(source));
}

double QuantileTable::at(double p) const {
  auto it = std::upper_bound(points_.begin(), points_.end(), p,
                             [](double v, const std::pair<double, double>& pt) { return v < pt.first; });
  if (it == points_.end()) return points_.back().second;
  if (it == points_.begin()) return points_.front().second;
  const auto [p1, x1] = *it;
  const auto [p0, x0] = *(it - 1);
  if (p1 == p0) return x1;
  const double t = (p - p0) / (p1 - p0);
  if (x0 > 0 && x1 > 0) return x0 * std::pow(x1 / x0, t);
  return x0 + t * (x1 - x0);
}

double QuantileTable::mean() const {
  double m = 0;
  for (std::size_t i = 1; i < points_.size(); ++i) {
    const auto [p0, a] = points_[i - 1];
    const auto [p1, b] = points_[i];
    const double segment = (a > 0 && b > 0 && a != b) ? (b - a) / std::log(b / a) : (a + b) / 2;
    m += (p1 - p0) * segment;
  }
  return m;
}

QuantileTable builtin_philly_runtime() {
  // Quantiles (p, seconds) of philly_runtime.csv (83,154 Philly jobs, Jeon et al. ATC'19, via
  // alibaba/clusterdata cluster-trace-gpu-v2020/analysis), interpolated between order statistics
  // and rounded to the second. Median 1,186 s, p90 12,859 s, max 4,628,239 s.
  return QuantileTable({{0, 0},           {0.01, 17},        {0.02, 25},         {0.05, 48},
                        {0.1, 61},        {0.15, 68},        {0.2, 76},          {0.25, 131},
                        {0.3, 229},       {0.35, 428},       {0.4, 630},         {0.45, 889},
                        {0.5, 1186},      {0.55, 1500},      {0.6, 1871},        {0.65, 2242},
                        {0.7, 2590},      {0.75, 3342},      {0.8, 4699},        {0.85, 6300},
                        {0.9, 12859},     {0.925, 21051},    {0.95, 49948},      {0.96, 69287},
                        {0.97, 101863},   {0.98, 167784},    {0.99, 287283},     {0.995, 484497},
                        {0.999, 1361015}, {0.9995, 1912482}, {0.9999, 2745152},  {1, 4628239}},
                       "built-in Philly run-time quantiles (ATC'19 trace, 83,154 jobs)");
}

std::vector<PodShape> builtin_openb_shapes() {
  // (num_gpu, gpu_milli, pods) over the 7,064 pods with num_gpu >= 1 of openb_pod_list_default.csv
  // (alibaba/clusterdata cluster-trace-gpu-v2023; FGD, Weng et al. ATC'23).
  return {{1, 1000, 3911}, {1, 810, 1078}, {1, 470, 750}, {1, 320, 328}, {1, 650, 253}, {1, 230, 140},
          {1, 460, 128},   {1, 590, 75},   {1, 160, 74},  {1, 550, 72},  {1, 220, 62},  {1, 370, 47},
          {8, 1000, 44},   {1, 110, 24},   {1, 480, 19},  {2, 1000, 16}, {4, 1000, 15}, {1, 50, 7},
          {1, 330, 7},     {1, 350, 6},    {1, 270, 4},   {1, 440, 2},   {1, 140, 1},   {1, 290, 1}};
}

std::vector<std::string> builtin_apps() {
  // The single-GPU job types of Gavel's simulation_throughputs.json (stanford-futuredata/gavel,
  // scheduler/job_table.py), sorted by name.
  return {"A3C",
          "CycleGAN",
          "LM (batch size 10)",
          "LM (batch size 20)",
          "LM (batch size 40)",
          "LM (batch size 5)",
          "LM (batch size 80)",
          "Recommendation (batch size 1024)",
          "Recommendation (batch size 2048)",
          "Recommendation (batch size 4096)",
          "Recommendation (batch size 512)",
          "Recommendation (batch size 8192)",
          "ResNet-18 (batch size 128)",
          "ResNet-18 (batch size 16)",
          "ResNet-18 (batch size 256)",
          "ResNet-18 (batch size 32)",
          "ResNet-18 (batch size 64)",
          "ResNet-50 (batch size 128)",
          "ResNet-50 (batch size 16)",
          "ResNet-50 (batch size 32)",
          "ResNet-50 (batch size 64)",
          "Transformer (batch size 128)",
          "Transformer (batch size 16)",
          "Transformer (batch size 256)",
          "Transformer (batch size 32)",
          "Transformer (batch size 64)"};
}

void validate(const GeneratorConfig& c) {
  if (c.jobs < 0) throw Error("generator: jobs must be >= 0");
  if (!(c.arrival_rate > 0) || !std::isfinite(c.arrival_rate)) throw Error("generator: arrival rate must be positive");
  if (c.profile) {
    if (!(c.profile->bin_seconds > 0)) throw Error("generator: profile bins must be positive");
    double total = 0;
    for (double w : c.profile->weights) {
      if (!(w >= 0) || !std::isfinite(w)) throw Error("generator: profile weights must be finite and >= 0");
      total += w;
    }
    if (!(total > 0)) throw Error("generator: the arrival profile is all zero");
    // Finite weights can still sum to infinity; their mean would then make every rate 0 and the
    // arrival walk would never end.
    if (!std::isfinite(total))
      throw Error("generator: the arrival profile's weights sum to infinity (" + c.profile->source + "); scale them down");
  }
  if (!(c.min_duration_s >= 0)) throw Error("generator: min duration must be >= 0");
  if (c.shapes.empty()) throw Error("generator: no GPU request shapes");
  for (const auto& s : c.shapes)
    if (s.gpus < 1 || s.gpu_milli < 1 || s.gpu_milli > 1000 || !(s.weight >= 0))
      throw Error("generator: bad shape (gpus >= 1, gpu_milli 1..1000, weight >= 0)");
  if (c.apps.empty()) throw Error("generator: no application names");
  for (const auto& a : c.apps)
    if (a.empty()) throw Error("generator: empty application name");
  // The per-job memory is gpu_memory_mib * gpu_milli / 1000: bounded so that the product fits.
  if (c.gpu_memory_mib < 0 || c.gpu_memory_mib > (std::int64_t{1} << 40))
    throw Error("generator: GPU memory must be within 0..2^40 MiB");
}

double expected_gpu_seconds_per_job(const GeneratorConfig& c) {
  double weight = 0, gpu_share = 0;
  for (const auto& s : c.shapes) {
    weight += s.weight;
    gpu_share += s.weight * s.gpus * s.gpu_milli / 1000.0;
  }
  return std::max(c.durations.mean(), c.min_duration_s) * gpu_share / weight;
}

double arrival_rate_for_load(const GeneratorConfig& c, int total_gpus, double load) {
  if (total_gpus < 1 || !(load > 0)) throw Error("generator: need GPUs >= 1 and a positive load");
  return load * total_gpus / expected_gpu_seconds_per_job(c);
}

std::string describe(const GeneratorConfig& c) {
  return "colosim generate: seed " + std::to_string(c.seed) + ", " + std::to_string(c.jobs) + " jobs, " +
         (c.profile ? "arrival profile " + c.profile->source : std::string("Poisson arrivals")) + " at " +
         std::to_string(c.arrival_rate) + " jobs/s; durations: " + c.durations.source() + "; " +
         std::to_string(c.shapes.size()) + " GPU request shapes; " + std::to_string(c.apps.size()) + " apps";
}

GeneratedJobSource::GeneratedJobSource(GeneratorConfig config) : config_(std::move(config)), rng_(config_.seed) {
  validate(config_);
  double total = 0;
  for (const auto& s : config_.shapes) shape_cdf_.push_back(total += s.weight);
  if (config_.profile) {
    const auto& w = config_.profile->weights;
    double sum = 0;
    for (double x : w) sum += x;
    const double mean = sum / static_cast<double>(w.size());
    for (double x : w) profile_rate_.push_back(config_.arrival_rate * x / mean);
  }
}

Tick GeneratedJobSource::next_arrival() {
  // Exponential gap with unit mean; 1 - u is in (0, 1], so the log is finite.
  const double e = -std::log(1.0 - rng_.uniform01());
  if (!config_.profile) {
    poisson_now_ += seconds_to_ticks(e / config_.arrival_rate);
    if (poisson_now_ > kMaxTicks) throw Error("generator: arrivals run past 71 years; raise the arrival rate or ask for fewer jobs");
    return poisson_now_;
  }
  // Non-homogeneous Poisson: walk bins, spending e units of integrated rate.
  const double bin = config_.profile->bin_seconds;
  double need = e;
  for (;;) {
    const double rate = profile_rate_[bin_ % profile_rate_.size()];
    const double bin_end = static_cast<double>(bin_ + 1) * bin;
    const double room = rate * (bin_end - profile_now_);
    if (rate > 0 && need <= room) {
      profile_now_ += need / rate;
      break;
    }
    need -= room;
    profile_now_ = bin_end;
    ++bin_;
    // Rates too small to place one arrival in 71 years would walk bins for ever.
    if (profile_now_ * static_cast<double>(kTicksPerSecond) > static_cast<double>(kMaxTicks))
      throw Error("generator: arrivals run past 71 years; raise the arrival rate or ask for fewer jobs");
  }
  return seconds_to_ticks(profile_now_);
}

std::optional<JobSpec> GeneratedJobSource::next() {
  if (emitted_ == config_.jobs) return std::nullopt;
  JobSpec job;
  job.id = config_.id_prefix + std::to_string(emitted_);
  // One fixed order of draws per job (arrival, duration, shape, app): the determinism contract.
  job.submit = next_arrival();
  const double duration = std::max(config_.durations.at(rng_.uniform01()), config_.min_duration_s);
  job.solo_duration = seconds_to_ticks(duration);
  const double pick = rng_.uniform01() * shape_cdf_.back();
  const auto index = static_cast<std::size_t>(std::upper_bound(shape_cdf_.begin(), shape_cdf_.end(), pick) - shape_cdf_.begin());
  const PodShape& shape = config_.shapes[std::min(index, shape_cdf_.size() - 1)];
  job.gpus = shape.gpus;
  job.gpu_milli = shape.gpu_milli;
  job.memory_mib = config_.gpu_memory_mib * shape.gpu_milli / 1000;
  job.app = config_.apps[rng_.below(config_.apps.size())];
  ++emitted_;
  return job;
}

std::unique_ptr<GeneratedJobSource> make_load_source(std::uint64_t seed, std::int64_t jobs, int total_gpus, double load) {
  GeneratorConfig config;
  config.seed = seed;
  config.jobs = jobs;
  config.arrival_rate = arrival_rate_for_load(config, total_gpus, load);
  return std::make_unique<GeneratedJobSource>(std::move(config));
}

}  // namespace colosim::traces

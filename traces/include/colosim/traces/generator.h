#pragma once
// Seeded synthetic traces, streamed: a GeneratedJobSource holds its distributions and one RNG,
// never the jobs, so 10 million jobs take the same memory as ten. Same config and seed -> same
// jobs, bit for bit (all randomness from colosim::Rng, whose output the standard fixes).
//
// Every default is built in (no shared data needed); each table says where it comes from.
// Loaders below replace them with the full public data when it is at hand.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "colosim/job_source.h"
#include "colosim/rng.h"

namespace colosim::traces {

// A distribution given by its quantile function: points (p, x) with p rising from 0 to 1;
// between points x is interpolated log-linearly (linearly where an end is 0), which follows
// heavy-tailed run times better than linear interpolation.
class QuantileTable {
 public:
  QuantileTable(std::vector<std::pair<double, double>> points, std::string source);  // throws Error if malformed
  // All samples, as the empirical distribution: point i at p = i / (n - 1).
  static QuantileTable from_samples(std::vector<double> samples, std::string source);
  double at(double p) const;  // p in [0, 1]
  double mean() const;        // exact mean of the interpolated distribution
  const std::string& source() const { return source_; }
  std::size_t size() const { return points_.size(); }

 private:
  std::vector<std::pair<double, double>> points_;
  std::string source_;
};

// Built in: Philly job run times in seconds (Jeon et al., ATC'19; philly_runtime.csv from
// alibaba/clusterdata, 83,154 jobs), as 32 quantiles. Mean of the table 15,214 s; of the data
// 14,613 s (the log-linear tail is a little heavier).
QuantileTable builtin_philly_runtime();
// philly-derived/philly_runtime.csv (header `runtime`, seconds): every value.
QuantileTable load_philly_runtime(const std::string& path);

// Relative arrival intensity per bin, repeated cyclically.
struct ArrivalProfile {
  double bin_seconds = 600;
  std::vector<double> weights;  // >= 0, not all 0
  std::string source;
};
// helios-derived/venus_cluster_throughput.csv: 10-minute bins, weight = `column`
// (default submit_gpu_job: GPU jobs submitted in the bin).
ArrivalProfile load_helios_arrivals(const std::string& path, const std::string& column = "submit_gpu_job");

// A GPU request: gang size and share of each GPU.
struct PodShape {
  int gpus = 1;
  int gpu_milli = 1000;
  double weight = 1;
};
// Built in: the (num_gpu, gpu_milli) mix of the 7,064 GPU pods of Alibaba's
// openb_pod_list_default.csv (cluster-trace-gpu-v2023, Weng et al., ATC'23): 24 shapes.
std::vector<PodShape> builtin_openb_shapes();
// Any openb pod list: counts of (num_gpu, gpu_milli) over pods with num_gpu >= 1.
std::vector<PodShape> load_openb_shapes(const std::string& path);

// Built in: the 26 single-GPU job types of Gavel's throughput files (Narayanan et al., OSDI'20),
// named as there, so that generated traces match the measured interference data.
std::vector<std::string> builtin_apps();

struct GeneratorConfig {
  std::uint64_t seed = 1;
  std::int64_t jobs = 1000;
  // Mean arrival rate, jobs per second. Poisson when `profile` is empty; otherwise a
  // non-homogeneous Poisson process whose rate follows the profile with this mean.
  double arrival_rate = 0.01;
  std::optional<ArrivalProfile> profile;
  QuantileTable durations = builtin_philly_runtime();
  double min_duration_s = 1;  // shorter samples (Philly has 0 s jobs) become this
  std::vector<PodShape> shapes = builtin_openb_shapes();
  std::vector<std::string> apps = builtin_apps();
  // GPU memory per GPU = gpu_milli / 1000 * this (a job's memory grows with its GPU share).
  std::int64_t gpu_memory_mib = 16384;
  std::string id_prefix = "j";
};

// Mean GPU-seconds one job asks for (duration x gpus x share), used to set a load.
double expected_gpu_seconds_per_job(const GeneratorConfig& config);
// The arrival rate that offers `load` (1.0 = all GPUs busy on average) to `total_gpus`.
double arrival_rate_for_load(const GeneratorConfig& config, int total_gpus, double load);
// Throws Error naming the bad field.
void validate(const GeneratorConfig& config);
// A one-line description (seed, counts, sources) for a trace header.
std::string describe(const GeneratorConfig& config);

class GeneratedJobSource final : public JobSource {
 public:
  explicit GeneratedJobSource(GeneratorConfig config);
  std::optional<JobSpec> next() override;
  std::string name() const override { return "generator(seed=" + std::to_string(config_.seed) + ")"; }
  const GeneratorConfig& config() const { return config_; }

 private:
  Tick next_arrival();

  GeneratorConfig config_;
  Rng rng_;
  std::vector<double> shape_cdf_;
  std::vector<double> profile_rate_;  // jobs/s per bin
  std::int64_t emitted_ = 0;
  Tick poisson_now_ = 0;
  double profile_now_ = 0;  // seconds
  std::size_t bin_ = 0;
};

// The benchmark's source: `jobs` jobs with the built-in distributions, Poisson arrivals at the
// rate that offers `load` to `total_gpus` GPUs (e.g. 1,000,000 jobs on 1,250 x 8 GPUs).
std::unique_ptr<GeneratedJobSource> make_load_source(std::uint64_t seed, std::int64_t jobs, int total_gpus, double load);

}  // namespace colosim::traces

#pragma once
// A comparison as the user writes it (CompareSpec: command-line flags or a sweep file) and as
// it runs (Experiment: inputs read, names checked, axes expanded). Everything that can be wrong
// with the inputs is reported by resolve(), before the first run starts.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "colosim/cluster_spec.h"
#include "colosim/interference.h"
#include "colosim/job_source.h"
#include "colosim/registry.h"
#include "colosim/sim_config.h"
#include "colosim/traces/generator.h"
#include "compare/grid.h"

namespace colosim::compare {

struct CompareSpec {
  std::string trace;                  // a trace file, or a generator spec "gen:key=value,..."
  std::vector<std::string> clusters;  // cluster files, or "uniform:nodes=4,gpus_per_node=4,..."
  std::vector<std::string> policies;  // empty: every registered policy with its defaults
  std::string seeds = "1";
  std::vector<double> loads = {1.0};  // arrival-rate factors: submit times are divided by them
  std::string interference = "none";  // "none", "seed-paper", or a pair-table file
  std::string baseline;               // empty: exclusive when it is among the policies
  std::string discipline = "backfill", memory = "enforce", composition = "multiplicative";
  std::optional<double> unknown_pair_slowdown;
  int max_oom_retries = 3;
  double oom_delay_s = 10.0;
  int backfill_depth = 0;
};

// "gen:jobs=500,load=0.9,workload=seed-paper": a seeded synthetic trace (traces/generator.h).
//   jobs      number of jobs (default 1000)
//   load      offered load on each cluster (1.0 = every GPU busy on average), or
//   rate      arrivals per second (default: the generator's 0.01)
//   seed      a fixed trace seed; by default each run seed also draws a new workload, so seeds
//             are independent workload samples and the paired comparison pairs them
//   workload  gavel (default: Gavel's 26 job types, Alibaba pod shapes) or seed-paper (the
//             four applications of Kim & Kim 2020, one whole GPU each, memory from the paper)
//   durations builtin (Philly run-time quantiles) or a philly_runtime.csv
//   shapes    builtin or an openb pod list CSV;  arrivals  poisson or a Helios throughput CSV
//   gpu_memory_mib  memory of a whole-GPU job (gavel workload)
struct GeneratorSpec {
  std::int64_t jobs = 1000;
  std::optional<double> rate, load;
  std::optional<std::uint64_t> seed;
  std::string workload = "gavel";
  std::string durations = "builtin", shapes = "builtin", arrivals = "poisson";
  std::int64_t gpu_memory_mib = 16384;

  static bool is_spec(const std::string& trace);     // "gen" or "gen:..."
  static GeneratorSpec parse(const std::string& text);  // throws Error naming the bad key
};

// "uniform:nodes=4,gpus_per_node=4,memory_mib=16384,gpu_type=GPU,speed=1": identical nodes.
bool is_uniform_cluster_spec(const std::string& text);
ClusterSpec parse_uniform_cluster(const std::string& text);  // throws Error

struct NamedCluster {
  std::string label;  // the cluster's name, or its path when names are missing or repeat
  std::string source; // as given
  ClusterSpec spec;
};

struct NamedPolicy {
  std::string label;  // canonical "name:key=value,..." (keys sorted)
  PolicySpec spec;
};

struct Experiment {
  std::string trace;  // as given
  std::optional<GeneratorSpec> generator;
  std::optional<traces::GeneratorConfig> generator_base;  // loaded tables, seed and rate unset
  std::vector<NamedCluster> clusters;
  std::vector<NamedPolicy> policies;
  std::vector<std::uint64_t> seeds;
  std::vector<double> loads;
  std::string interference;  // as given
  std::shared_ptr<const InterferenceModel> model;
  SimConfig config;          // seed set per run
  std::optional<std::size_t> baseline;  // index into policies
  std::string note;          // why there is no baseline, when there is none
  CompareSpec spec;          // what it was made from

  GridShape shape() const { return {clusters.size(), loads.size(), policies.size(), seeds.size()}; }
  // The jobs of one run: the trace (or the generator, seeded) with its arrivals scaled by the
  // run's load factor.
  std::unique_ptr<JobSource> open_jobs(const RunPoint& point) const;
};

// Reads every input and checks every name; throws Error (or InputError) on the first problem.
Experiment resolve(const CompareSpec& spec, const PolicyRegistry& registry);

// Divides submit times by `factor` (> 0), rounding to the tick: factor 2 makes arrivals twice
// as frequent. Rounding keeps the order of submit times, which the simulator relies on.
class LoadScaledSource final : public JobSource {
 public:
  LoadScaledSource(std::unique_ptr<JobSource> inner, double factor) : inner_(std::move(inner)), factor_(factor) {}
  std::optional<JobSpec> next() override;
  std::string name() const override { return inner_->name(); }

 private:
  std::unique_ptr<JobSource> inner_;
  double factor_;
};

}  // namespace colosim::compare

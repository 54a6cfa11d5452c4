#pragma once
// The FGD paper's experiment (Weng et al., "Beware of Fragmentation", USENIX ATC '23, section
// 6; their simulator's workload tuning and allocation report): jobs arrive one at a time and
// never leave, until what arrived asks for a given multiple of the cluster's GPUs; after each
// arrival the allocated GPU share and the fragmentation ratio are recorded. Policies are judged
// by how much of the cluster stays unallocated as the arrived workload passes 100%.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "colosim/cluster_spec.h"
#include "colosim/job.h"
#include "colosim/registry.h"
#include "colosim/sim_config.h"

namespace colosim::experiments {

// The jobs of one inflated run: `trace` in a seeded random order, then jobs drawn from it with
// replacement (seeded) and appended until the next one's per-GPU share would take the arrived
// GPU request (share x gang, milli-GPU) past max_ratio x 1000 x `cluster_gpus`; a trace that asks
// for more than that loses jobs at random instead, until it asks for no more. Job i arrives at tick i and runs for
// kMaxTicks (it never leaves within the experiment); a job drawn again gets the id "<id>#<k>".
std::vector<JobSpec> inflate(std::span<const JobSpec> trace, std::int64_t cluster_gpus, double max_ratio, std::uint64_t seed);

// One run's curve. Index a of the vectors: arrivals whose arrived GPU request rounds to a% of the
// cluster's GPUs; the mean over them (the reference's binning: where no arrival rounds to a, the
// arrivals within a +- 1; NaN where none is).
struct InflationCurve {
  std::string policy;
  std::uint64_t seed = 0;
  std::vector<double> allocated_pct;      // GPU share held by running jobs, % of the cluster's GPUs
  std::vector<double> fragmentation_pct;  // fragmentation / idle GPU share, %
  std::int64_t jobs = 0;                  // arrived
  std::int64_t placed = 0;                // started on arrival
  double cpu_seconds = 0;                 // of the simulation, on its thread
};

// Runs `policy` on `jobs` (from inflate()) with fragmentation measured against `workload`
// (typical_shapes() of the original trace, as the paper's simulator takes it); `config` gives
// the other settings (node resources, GPU sharing); its seed, target workload and stop time are
// set here.
InflationCurve run_inflation(const ClusterSpec& cluster, std::span<const JobSpec> jobs, const std::vector<TaskShape>& workload,
                             const PolicyRegistry& registry, const std::string& policy, std::uint64_t seed, SimConfig config,
                             int max_percent);

// The target workload of a trace: typical_shapes() of its jobs' shapes.
std::vector<TaskShape> trace_workload(std::span<const JobSpec> trace);

struct InflationOptions {
  std::vector<std::string> policies;  // as the registry reads them ("random:pick=node")
  std::vector<std::uint64_t> seeds;   // the paper's: 42-51
  double max_ratio = 1.3;             // arrivals stop at this multiple of the cluster's GPUs
  unsigned threads = 1;
  SimConfig config;                   // node resources, GPU sharing; seed and workload are set per run
};

// Across seeds, for one policy, at one arrived percent: the unallocated GPU share (%).
struct InflationSummary {
  std::string policy;
  double median = 0, p25 = 0, p75 = 0, min = 0, max = 0;  // unallocated %, at `at_percent`
  double fragmentation_median = 0;                         // fragmentation ratio %, there
  double cpu_seconds = 0;                                  // all its runs
  std::int64_t jobs = 0;                                   // arrived in all its runs
  int runs = 0;                                            // seeds with a value at `at_percent`
};

struct InflationResult {
  std::vector<InflationCurve> curves;  // policy-major, then seed, in the options' order
  int max_percent = 0;                 // the curves run from 0 to this arrived percent
  double wall_seconds = 0;
  // Per policy at `percent` arrived (the paper's table: 100).
  std::vector<InflationSummary> summary(int percent = 100) const;
};

// Every policy on every seed's inflation of `trace`, on `options.threads` threads; the target
// workload is trace_workload(trace). Throws the first run's error (in grid order).
InflationResult run_inflation_grid(const ClusterSpec& cluster, std::span<const JobSpec> trace, const InflationOptions& options);

// The curves' CSV columns, defined once: policy, seed, arrived_pct, allocated_pct,
// unallocated_pct, fragmentation_pct; one row per run and arrived percent (empty where NaN).
std::string inflation_curves_csv(const InflationResult& result);
// The summary's CSV columns, defined once: policy, at_pct, unallocated_median, unallocated_p25,
// unallocated_p75, unallocated_min, unallocated_max, fragmentation_median, runs, jobs, cpu_s,
// jobs_per_cpu_s; one row per policy (InflationResult::summary).
std::string inflation_summary_csv(const InflationResult& result, int percent = 100);

}  // namespace colosim::experiments

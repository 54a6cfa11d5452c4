#pragma once
// A comparison as the user writes it (CompareSpec: command-line flags, a sweep file or Python
// keywords) and as it runs (Experiment: inputs read, names checked, axes expanded). Everything
// that can be wrong with the inputs is reported by resolve(), before the first run starts.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "colosim/cluster_spec.h"
#include "colosim/experiments/grid.h"
#include "colosim/interference.h"
#include "colosim/job_source.h"
#include "colosim/registry.h"
#include "colosim/run_options.h"
#include "colosim/traces/inputs.h"

namespace colosim::experiments {

// Inputs are named as colosim/traces/inputs.h describes; run options as run_options.h does.
struct CompareSpec {
  std::string trace;                  // a trace file, "-" (standard input), or a generator spec "gen:key=value,..."
  std::string trace_format;           // a trace format spec (traces/trace_format.h); "": the extension (CSV for "-")
  std::string vary;                   // how the trace varies with the seed (traces::VariationSpec); "" is none
  bool allow_empty = false;           // a trace file without jobs is not an error
  std::vector<std::string> clusters;  // cluster files or "uniform:..." specs; empty: the trace's header cluster
  std::vector<std::string> policies;  // empty: every registered policy with its defaults
  std::string seeds = "1";
  std::vector<double> loads = {1.0};  // arrival-rate factors: submit times are divided by them
  std::string interference = "none";
  std::string baseline;               // empty: exclusive when it is among the policies
  RunOptions options;
};

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
  traces::JobInput jobs;
  std::vector<NamedCluster> clusters;
  std::vector<NamedPolicy> policies;
  std::vector<std::uint64_t> seeds;
  std::vector<double> loads;
  std::string interference;  // as given
  std::shared_ptr<const InterferenceModel> model;
  RunOptions options;        // the run seed is set per run
  std::optional<std::size_t> baseline;  // index into policies
  std::string note;          // why there is no baseline, when there is none
  CompareSpec spec;          // what it was made from

  GridShape shape() const { return {clusters.size(), loads.size(), policies.size(), seeds.size()}; }
  // The jobs of one run: the trace (or the generator, seeded) with its arrivals scaled by the
  // run's load factor.
  std::unique_ptr<JobSource> open_jobs(const RunPoint& point) const;
  // The simulator configuration of one run.
  SimConfig config(const RunPoint& point) const;
};

// Reads every input and checks every name; throws Error (or InputError) on the first problem.
Experiment resolve(const CompareSpec& spec, const PolicyRegistry& registry);

}  // namespace colosim::experiments

#pragma once
// What a comparison writes: runs.csv (one row per run, in grid order), the statistics over
// seeds with the paired comparison against the baseline, and summary.json.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "colosim/experiments/experiment.h"
#include "colosim/metric_table.h"
#include "colosim/experiments/runner.h"
#include "colosim/experiments/stats.h"
#include "colosim/traces/atomic_file.h"

namespace colosim::experiments {

// Streams runs.csv into its partial file (traces/atomic_file.h): the header at once, then one
// row per call. commit() makes it appear under its name: after the summary is ready, or with
// the rows of the finished runs when the comparison was interrupted. Destroyed uncommitted (an
// error), it leaves nothing.
class RunsCsv {
 public:
  explicit RunsCsv(const std::string& path);  // throws Error if it cannot be written
  void write(const Experiment& e, const RunOutcome& run);
  void commit() { file_.commit(); }
  traces::AtomicFile& file() { return file_; }
  static std::string header();
  static std::string row(const Experiment& e, const RunOutcome& run);

 private:
  traces::AtomicFile file_;
};

struct GroupStats {
  std::size_t cluster = 0, load = 0, policy = 0;
  std::vector<MeanInterval> metrics;  // parallel to summary_metrics()
  // Every seed ran on the same jobs and gave the same result: there is nothing to average over,
  // so the metrics carry no interval (not a zero-width one).
  bool seed_invariant = false;
};

struct PairedStats {
  std::size_t cluster = 0, load = 0, policy = 0;  // compared with e.baseline on the same seeds
  // Both this policy and the baseline are seed-invariant: no interval and no significance.
  bool seed_invariant = false;
  std::vector<PairedComparison> metrics;          // parallel to summary_metrics()
  std::vector<std::vector<double>> differences;   // [metric][seed]: policy - baseline
};

struct Analysis {
  std::vector<GroupStats> groups;   // grid order: cluster, load, policy
  std::vector<PairedStats> paired;  // the same order, without the baseline
  bool inputs_vary_with_seed = true;  // traces::JobInput::varies_with_seed()
  // When every seed runs on the same jobs: what the intervals do and do not mean; else empty.
  std::string variation_note;
};

// `runs` holds every run of the grid, by grid index. Confidence level 95%.
Analysis analyse(const Experiment& e, const std::vector<RunOutcome>& runs);

// Deterministic JSON (fixed key order, shortest round-trip numbers, null for NaN).
std::string summary_json(const Experiment& e, const Analysis& a);

// "28.7k +- 3.10k": about three significant digits, k and M for large values; just the mean
// for one seed.
std::string format_mean_ci(const MeanInterval& m);
// "-12.3% *": relative change of the mean, '*' when the interval of the difference excludes
// zero; the absolute difference when the baseline mean is 0.
std::string format_change(const PairedComparison& c);
std::string compact(double x);

std::string json_string(const std::string& s);
std::string json_number(double x);

}  // namespace colosim::experiments

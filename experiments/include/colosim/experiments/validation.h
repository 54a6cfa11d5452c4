#pragma once
// `colosim validate`: a simulation set against the run a cluster's log recorded (RecordedRun,
// from the kubernetes and slurm-sacct importers), per job and in aggregate. This is the number
// that says how far to trust a what-if answer on that cluster. Definitions: docs/validate.md.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "colosim/cluster_spec.h"
#include "colosim/job.h"
#include "colosim/observer.h"

namespace colosim::experiments {

// Collects what validation needs from a run: each job's first start (its queueing delay; a
// preempted job's JobRecord keeps its last start) and its record.
class ValidationCollector final : public SimObserver {
 public:
  void on_start(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_start_cpu_only(Tick now, const JobSpec& job, NodeIndex node) override;
  void on_job_done(const JobRecord& record) override { records_.push_back(record); }

  const std::vector<JobRecord>& records() const { return records_; }
  std::optional<Tick> first_start(const std::string& id) const;

 private:
  std::map<std::string, Tick, std::less<>> first_start_;
  std::vector<JobRecord> records_;
};

// One job, recorded against simulated. Times in seconds from the trace's origin; unset where the
// log or the run has no value (never started, still running, not finished).
struct ValidatedJob {
  std::string id;
  std::optional<double> recorded_queueing_s, simulated_queueing_s;
  std::optional<double> recorded_start_s, simulated_start_s;
  std::optional<double> recorded_jct_s, simulated_jct_s;
  std::vector<std::string> recorded_nodes, simulated_nodes;  // sorted, each node once
  std::optional<bool> same_nodes;  // both known: the same set of nodes
};

// The errors of one quantity over the jobs where both values exist (n of them).
struct ErrorStats {
  std::string quantity;      // "queueing_delay", "start", "jct"
  std::size_t n = 0;
  double mae = 0;            // mean |simulated - recorded|, seconds
  double bias = 0;           // mean (simulated - recorded): > 0, the simulation is late
  double p50_abs = 0, p90_abs = 0;  // nearest-rank percentiles of |simulated - recorded|
  std::size_t mape_n = 0;    // jobs with recorded >= the MAPE floor (and > 0)
  std::optional<double> mape;       // mean |simulated - recorded| / recorded over them, percent
  std::optional<double> spearman;   // spearman_correlation (rank_correlation.h); unset: n < 2 or a constant side
  double ks = 0;             // Kolmogorov-Smirnov distance of the two empirical distributions
};

struct ValidationReport {
  std::vector<ValidatedJob> jobs;   // in trace order
  std::vector<ErrorStats> errors;   // queueing_delay, start, jct
  std::size_t placement_compared = 0, placement_same = 0;  // jobs with both node sets
  std::size_t recorded_started = 0, simulated_started = 0, both_started = 0;
  double mape_floor_s = 0;
};

// `jobs` as the run read them (with their recorded runs), the run's collector and the cluster
// it ran on (GPU indices are node by node in its order). MAPE counts only jobs whose recorded
// value is at least `mape_floor_s` (a queueing delay of 0 has no relative error); start times
// have no MAPE (they count from an arbitrary origin). Throws Error when no job has a recorded run.
ValidationReport validate_run(std::span<const JobSpec> jobs, const ValidationCollector& run, const ClusterSpec& cluster,
                              double mape_floor_s = 60);

// The statistics, exposed for tests: over pairs (recorded[i], simulated[i]); no MAPE without a
// floor.
ErrorStats error_stats(const std::string& quantity, std::span<const double> recorded, std::span<const double> simulated,
                       std::optional<double> mape_floor);
double ks_distance(std::span<const double> a, std::span<const double> b);

// The per-job table as CSV (validate.csv) and the aggregate as JSON (validate.json); the columns
// and keys are defined here once.
std::string validation_jobs_csv(const ValidationReport& report);
std::string validation_json(const ValidationReport& report, const std::map<std::string, std::string>& meta);

}  // namespace colosim::experiments

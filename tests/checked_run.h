#pragma once
// One run checked against the simulator's contract (ContractChecker), shared by the policy
// conformance tests and fuzz_simulation: the run's job rows (as jobs.csv prints them) and summary
// as text, to compare runs byte for byte, and the contract violations found.
#include <functional>
#include <string>
#include <vector>

#include "colosim/contract_checker.h"
#include "colosim/metric_table.h"
#include "colosim/simulator.h"
#include "colosim/traces/results_io.h"

namespace colosim::testing {

struct CheckedRun {
  std::string text;        // one jobs.csv row per job, then key=value per summary metric
  std::string violations;  // ContractChecker::report(); empty when the contract held
  std::vector<JobRecord> records;
};

// `every_1024_events`, if set, is called every 1,024 events and may throw to abandon the run.
inline CheckedRun run_checked(const ClusterSpec& cluster, const std::vector<JobSpec>& jobs,
                              const InterferenceModel& model, PlacementPolicy& policy, const SimConfig& config,
                              std::function<void()> every_1024_events = {}) {
  struct RowWriter final : SimObserver {
    void on_job_done(const JobRecord& r) override { rows += traces::format_job_row(r) + "\n"; }
    std::string rows;
  };
  Simulator sim(cluster, model, policy, config);
  ContractChecker checker(model, config);
  MetricsCollector metrics(config.target_workload);
  RowWriter rows;
  RecordCollector records;
  sim.add_observer(checker);
  sim.add_observer(metrics);
  sim.add_observer(rows);
  sim.add_observer(records);
  if (every_1024_events) sim.set_interrupt_check(std::move(every_1024_events), 1024);
  VectorJobSource source(jobs);
  sim.run(source);
  checker.check_jobs(jobs);
  const Summary summary = metrics.summary();
  checker.check_summary(summary);
  CheckedRun run{std::move(rows.rows), checker.report(), std::move(records.records)};
  for (const MetricDef& m : summary_metrics()) run.text += std::string(m.key) + "=" + m.text(summary) + "\n";
  return run;
}

}  // namespace colosim::testing

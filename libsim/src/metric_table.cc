#include "colosim/metric_table.h"

#include "colosim/errors.h"
#include "colosim/number_text.h"

namespace colosim {

double MetricDef::value(const Summary& s) const {
  return std::visit([&](auto member) { return static_cast<double>(s.*member); }, field);
}

std::int64_t MetricDef::count(const Summary& s) const {
  if (!is_count()) throw Error(std::string("metric '") + key + "' is not a count");
  return s.*std::get<std::int64_t Summary::*>(field);
}

std::string MetricDef::text(const Summary& s) const {
  return is_count() ? std::to_string(count(s)) : shortest_text(value(s));
}

const std::vector<MetricDef>& summary_metrics() {
  // Constant data, built once.
  static const std::vector<MetricDef> metrics = {
      {"jobs", "jobs", "jobs in the trace, each reported once", &Summary::jobs, false, false},
      {"finished", "finished", "jobs that ran to completion", &Summary::finished, false, false},
      {"makespan_s", "makespan (s)", "first submit to last end, seconds", &Summary::makespan_s, true, true},
      {"jct_mean_s", "JCT mean (s)", "mean job completion time (submit to end) of finished jobs, seconds", &Summary::jct_mean_s, true, true},
      {"jct_p50_s", "JCT p50 (s)", "median JCT of finished jobs (nearest rank), seconds", &Summary::jct_p50_s, true, false},
      {"jct_p95_s", "JCT p95 (s)", "95th percentile JCT of finished jobs (nearest rank), seconds", &Summary::jct_p95_s, true, true},
      {"jct_p99_s", "JCT p99 (s)", "99th percentile JCT of finished jobs (nearest rank), seconds", &Summary::jct_p99_s, true, true},
      {"queueing_delay_mean_s", "queueing delay (s)", "mean submit-to-start delay of finished jobs, seconds", &Summary::queueing_delay_mean_s, true, true},
      {"slowdown_mean", "slowdown", "mean slowdown from sharing of finished jobs: run time over time alone on the same GPUs (1 = no interference, whatever the GPU's speed)", &Summary::slowdown_mean, true, true},
      {"slowdown_p95", "slowdown p95", "95th percentile of the slowdown from sharing (nearest rank)", &Summary::slowdown_p95, true, false},
      {"speedup_mean", "GPU speed-up", "mean speed-up of finished jobs from the type of their GPUs: solo duration (speed 1) over time alone on the GPUs they got (the slowest GPU's speed)", &Summary::speedup_mean, false, false},
      {"gpu_time_utilisation", "GPU util", "GPU-time with at least one job over GPUs x makespan", &Summary::gpu_time_utilisation, false, true},
      {"memory_utilisation", "memory util", "used GPU memory-time over total memory x makespan", &Summary::memory_utilisation, false, false},
      {"oom_events", "OOM events", "out-of-memory failures, retried or not", &Summary::oom_events, true, true},
      {"oom_failed", "OOM-failed", "jobs failed after the out-of-memory retry limit", &Summary::oom_failed, true, false},
      {"unschedulable", "unschedulable", "jobs that can never fit on the cluster", &Summary::unschedulable, true, false},
      {"never_started", "never started", "jobs still pending when nothing could start them (or at the end of simulated time)", &Summary::never_started, true, false},
      {"preemptions", "preemptions", "preemptions of all jobs", &Summary::preemptions, true, true},
      {"lost_gpu_time_share", "lost GPU-time", "GPU-time preemptions cost (work done again, suspend, resume) over GPU-time jobs held", &Summary::lost_gpu_time_share, true, false},
      {"ftf_jain", "FTF Jain", "Jain's fairness index of finish-time fairness rho (JCT over time alone) of finished jobs with work (1 = all equal)", &Summary::ftf_jain, false, false},
      {"ftf_max", "FTF max", "largest finish-time fairness rho (JCT over time alone) of a finished job", &Summary::ftf_max, true, false},
      {"fragmentation_ratio_mean", "fragmentation", "time-weighted mean of GPU fragmentation over the idle GPU share (the FGD paper's metric against the trace's typical shapes: --fragmentation trace; 0 when not measured)", &Summary::fragmentation_ratio_mean, true, false},
      {"unfinished", "unfinished", "jobs still running at the end of simulated time (kHorizon, about 73,000 years)", &Summary::unfinished, true, false},
  };
  return metrics;
}

const MetricDef* find_metric(std::string_view key) {
  for (const MetricDef& m : summary_metrics())
    if (key == m.key) return &m;
  return nullptr;
}

}  // namespace colosim

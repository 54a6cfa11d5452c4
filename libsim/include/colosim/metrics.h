#pragma once
// The run summary, computed as an observer.
#include <cstdint>
#include <optional>
#include <vector>

#include "colosim/cluster_fragmentation.h"
#include "colosim/observer.h"

namespace colosim {

struct Summary {
  std::int64_t jobs = 0;
  std::int64_t finished = 0;
  double makespan_s = 0;            // first submit to last end
  double jct_mean_s = 0, jct_p50_s = 0, jct_p95_s = 0, jct_p99_s = 0;  // finished jobs
  double queueing_delay_mean_s = 0;
  double slowdown_mean = 0, slowdown_p95 = 0;  // from sharing only (JobRecord::slowdown)
  double speedup_mean = 0;                     // from the GPU type only (JobRecord::speedup)
  double gpu_time_utilisation = 0;  // busy GPU-time / (GPUs x makespan)
  double memory_utilisation = 0;    // used MiB-time / (total MiB x makespan)
  std::int64_t oom_events = 0;      // every out-of-memory failure, retried or not
  std::int64_t oom_failed = 0;      // jobs that gave up after the retry limit
  std::int64_t unschedulable = 0;
  std::int64_t never_started = 0;
  std::int64_t unfinished = 0;      // still running at the end of simulated time (kHorizon)
  std::int64_t preemptions = 0;     // every preemption of every job
  double lost_gpu_time_share = 0;   // GPU-time preemptions cost over GPU-time jobs held
  double ftf_jain = 0;              // Jain's fairness index of finish-time fairness rho (1 = equal)
  double ftf_max = 0;               // largest rho of a finished job
  // Time-weighted mean of GPU fragmentation over idle GPU share against SimConfig::target_workload
  // (cluster_fragmentation.h); 0 when the run measures none.
  double fragmentation_ratio_mean = 0;
};

// Nearest-rank percentile (p in [0,100]) of `values`, which it sorts; 0 for no values.
double percentile(std::vector<double>& values, double p);

class MetricsCollector final : public SimObserver {
 public:
  // With a target workload (SimConfig::target_workload), the summary's fragmentation_ratio_mean
  // is measured against it.
  explicit MetricsCollector(const std::vector<TaskShape>& fragmentation_workload = {});

  void on_begin(const ClusterView& cluster) override;
  void on_start(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_oom(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_release(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_start_cpu_only(Tick now, const JobSpec& job, NodeIndex node) override;
  void on_job_done(const JobRecord& record) override;
  void on_instant(Tick now, const ClusterView& cluster, std::size_t queued, std::size_t running) override;

  Summary summary() const;
  // The fragmentation measured as the run goes, when it has a target workload; else null.
  const FragmentationTracker* fragmentation() const { return fragmentation_ ? &*fragmentation_ : nullptr; }

 private:
  int gpus_ = 0;
  std::int64_t capacity_mib_ = 0;
  std::int64_t jobs_ = 0, finished_ = 0, oom_events_ = 0, oom_failed_ = 0;
  std::int64_t unschedulable_ = 0, never_started_ = 0, unfinished_ = 0;
  Tick first_submit_ = -1, last_end_ = -1;
  std::vector<double> jct_s_, delay_s_, slowdown_;
  double speedup_sum_ = 0;
  std::int64_t preemptions_ = 0;
  double lost_gpu_ticks_ = 0, held_gpu_ticks_ = 0;
  double rho_sum_ = 0, rho_square_sum_ = 0, rho_max_ = 0;
  std::int64_t rho_count_ = 0;
  // Piecewise-constant integrals between instants.
  Tick last_instant_ = -1;
  int busy_gpus_ = 0;
  std::int64_t used_mib_ = 0;
  double busy_gpu_ticks_ = 0, used_mib_ticks_ = 0;
  double busy_gpu_ticks_at_last_end_ = 0, used_mib_ticks_at_last_end_ = 0;  // up to last_end_
  std::optional<FragmentationTracker> fragmentation_;
};

}  // namespace colosim

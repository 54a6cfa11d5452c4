#include "colosim/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace colosim {

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  const auto n = static_cast<double>(values.size());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n));
  rank = std::clamp<std::size_t>(rank, 1, values.size());
  return values[rank - 1];
}

MetricsCollector::MetricsCollector(const std::vector<TaskShape>& fragmentation_workload) {
  if (!fragmentation_workload.empty()) fragmentation_.emplace(fragmentation_workload);
}

void MetricsCollector::on_begin(const ClusterView& cluster) {
  gpus_ = cluster.gpu_count();
  capacity_mib_ = cluster.total_capacity_mib();
  if (fragmentation_) fragmentation_->on_begin(cluster);
}

void MetricsCollector::on_start(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) {
  if (fragmentation_) fragmentation_->on_start(now, job, gpus);
}

void MetricsCollector::on_oom(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) {
  ++oom_events_;
  if (fragmentation_) fragmentation_->on_oom(now, job, gpus);
}

void MetricsCollector::on_release(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) {
  if (fragmentation_) fragmentation_->on_release(now, job, gpus);
}

void MetricsCollector::on_start_cpu_only(Tick now, const JobSpec& job, NodeIndex node) {
  if (fragmentation_) fragmentation_->on_start_cpu_only(now, job, node);
}

void MetricsCollector::on_job_done(const JobRecord& r) {
  if (fragmentation_) fragmentation_->on_job_done(r);
  ++jobs_;
  preemptions_ += r.preemptions;
  lost_gpu_ticks_ += r.lost_gpu_ticks;
  held_gpu_ticks_ += r.attained_gpu_ticks;
  if (first_submit_ < 0 || r.submit < first_submit_) first_submit_ = r.submit;
  switch (r.outcome) {
    case JobOutcome::finished:
      ++finished_;
      jct_s_.push_back(ticks_to_seconds(r.jct()));
      delay_s_.push_back(ticks_to_seconds(r.queueing_delay()));
      slowdown_.push_back(r.slowdown());
      speedup_sum_ += r.speedup();
      if (r.solo_duration > 0) {
        const double rho = r.finish_time_fairness();
        ++rho_count_;
        rho_sum_ += rho;
        rho_square_sum_ += rho * rho;
        rho_max_ = std::max(rho_max_, rho);
      }
      break;
    case JobOutcome::oom_failed: ++oom_failed_; break;
    case JobOutcome::unschedulable: ++unschedulable_; break;
    case JobOutcome::never_started: ++never_started_; break;
    case JobOutcome::unfinished: ++unfinished_; break;
  }
  if (r.end >= 0 && r.end >= last_end_) {
    // The utilisations cover the makespan only: a job still running at the end of simulated
    // time, or a later arrival, must not add GPU-time past the last end (issue 10).
    const double dt = last_instant_ >= 0 ? static_cast<double>(r.end - last_instant_) : 0.0;
    busy_gpu_ticks_at_last_end_ = busy_gpu_ticks_ + dt * busy_gpus_;
    used_mib_ticks_at_last_end_ = used_mib_ticks_ + dt * static_cast<double>(used_mib_);
  }
  if (r.end > last_end_) last_end_ = r.end;
}

void MetricsCollector::on_instant(Tick now, const ClusterView& cluster, std::size_t queued, std::size_t running) {
  if (last_instant_ >= 0) {
    const auto dt = static_cast<double>(now - last_instant_);
    busy_gpu_ticks_ += dt * busy_gpus_;
    used_mib_ticks_ += dt * static_cast<double>(used_mib_);
  }
  last_instant_ = now;
  busy_gpus_ = cluster.busy_gpu_count();
  used_mib_ = cluster.total_used_mib();
  if (fragmentation_) fragmentation_->on_instant(now, cluster, queued, running);
}

Summary MetricsCollector::summary() const {
  Summary s;
  s.jobs = jobs_;
  s.finished = finished_;
  s.oom_events = oom_events_;
  s.oom_failed = oom_failed_;
  s.unschedulable = unschedulable_;
  s.never_started = never_started_;
  s.unfinished = unfinished_;
  if (first_submit_ >= 0 && last_end_ > first_submit_) {
    const Tick span = last_end_ - first_submit_;
    s.makespan_s = ticks_to_seconds(span);
    if (gpus_ > 0) s.gpu_time_utilisation = busy_gpu_ticks_at_last_end_ / (static_cast<double>(span) * gpus_);
    if (capacity_mib_ > 0)
      s.memory_utilisation = used_mib_ticks_at_last_end_ / (static_cast<double>(span) * static_cast<double>(capacity_mib_));
  }
  auto mean = [](const std::vector<double>& v) {
    return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  };
  std::vector<double> jct = jct_s_, slow = slowdown_;
  s.jct_mean_s = mean(jct);
  s.jct_p50_s = percentile(jct, 50);
  s.jct_p95_s = percentile(jct, 95);
  s.jct_p99_s = percentile(jct, 99);
  s.queueing_delay_mean_s = mean(delay_s_);
  s.slowdown_mean = mean(slow);
  s.slowdown_p95 = percentile(slow, 95);
  s.speedup_mean = finished_ > 0 ? speedup_sum_ / static_cast<double>(finished_) : 0.0;
  s.preemptions = preemptions_;
  s.lost_gpu_time_share = held_gpu_ticks_ > 0 ? lost_gpu_ticks_ / held_gpu_ticks_ : 0.0;
  // Jain: (sum x)^2 / (n sum x^2), over finished jobs with work (rho of a zero-length job is 0/0).
  s.ftf_jain = rho_square_sum_ > 0 ? rho_sum_ * rho_sum_ / (static_cast<double>(rho_count_) * rho_square_sum_) : 0.0;
  s.ftf_max = rho_max_;
  if (fragmentation_) s.fragmentation_ratio_mean = fragmentation_->mean_ratio();
  return s;
}

}  // namespace colosim

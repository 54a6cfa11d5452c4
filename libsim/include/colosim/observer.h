#pragma once
// Metrics, traces and time series attach to a run as observers, so the event loop itself does
// not grow a branch per statistic.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "colosim/cluster_view.h"
#include "colosim/job.h"

namespace colosim {

// Everything reported about one job once it leaves the simulation.
struct JobRecord {
  std::string id;
  std::string app;
  Tick submit = 0;
  Tick start = -1;          // start of the last (successful or final) attempt; -1 if never
  Tick end = -1;            // completion or final failure; -1 if never started
  Tick solo_duration = 0;
  int gpus = 0;
  std::vector<GpuIndex> gpu_list;  // GPUs of the last attempt
  NodeIndex node = -1;      // a CPU-only job (gpus 0) that started: its node
  double gpu_speed = 1.0;   // speed of the slowest GPU of the last attempt (1, the reference, if none)
  int oom_retries = 0;
  int preemptions = 0;
  Tick suspended = 0;             // from each preemption until the job made progress again:
                                  // suspend delay, time queued, resume delay
  double redone_ticks = 0;        // run time spent on work a preemption lost (done again later)
  double lost_gpu_ticks = 0;      // GPU-time preemptions cost: (redone + suspend + resume) x GPUs
  double attained_gpu_ticks = 0;  // GPU-time held: wall clock on GPUs x gang size, every run
  JobOutcome outcome = JobOutcome::finished;
  std::string note;         // policy note or the reason it was unschedulable

  Tick queueing_delay() const { return start >= 0 ? start - submit : -1; }
  Tick jct() const { return end >= 0 ? end - submit : -1; }
  // Time alone on the GPUs of the last attempt: the solo duration (at speed 1) over the speed
  // of its slowest GPU, which sets a gang's pace.
  double alone_ticks() const;
  // Slowdown from sharing only: run time of the last attempt (less the time preemptions took:
  // suspended and redone) over alone_ticks(), so that a job alone on a fast GPU has slowdown 1.
  // 0 when it did not finish.
  double slowdown() const;
  // Finish-time fairness rho: JCT over alone_ticks(), the JCT it would have had alone on the
  // GPUs it got, from submit (Mahajan et al., Themis, NSDI '20). 0 when it did not finish.
  double finish_time_fairness() const;
  // Speed-up from the GPU type only: solo duration over alone_ticks(), i.e. gpu_speed. 0 when
  // it did not finish.
  double speedup() const;
};

class SimObserver {
 public:
  virtual ~SimObserver() = default;
  virtual void on_begin(const ClusterView& /*cluster*/) {}
  virtual void on_start(Tick /*now*/, const JobSpec& /*job*/, std::span<const GpuIndex> /*gpus*/) {}
  virtual void on_oom(Tick /*now*/, const JobSpec& /*job*/, std::span<const GpuIndex> /*gpus*/) {}
  // A running job is preempted: it stops progress now; it frees its GPUs at on_release (at
  // once, or after the suspend delay). A later on_start resumes it with its progress.
  virtual void on_preempt(Tick /*now*/, const JobSpec& /*job*/, std::span<const GpuIndex> /*gpus*/) {}
  virtual void on_release(Tick /*now*/, const JobSpec& /*job*/, std::span<const GpuIndex> /*gpus*/) {}
  // A CPU-only job (gpus 0) starts on node `node`: it holds the node's CPU and host memory
  // until its on_job_done (JobRecord::node). Such jobs are never preempted and never fail.
  virtual void on_start_cpu_only(Tick /*now*/, const JobSpec& /*job*/, NodeIndex /*node*/) {}
  virtual void on_job_done(const JobRecord& /*record*/) {}
  // After each instant at which something happened: state that holds until the next instant.
  virtual void on_instant(Tick /*now*/, const ClusterView& /*cluster*/, std::size_t /*queued*/,
                          std::size_t /*running*/) {}
  virtual void on_end(Tick /*now*/) {}
};

}  // namespace colosim

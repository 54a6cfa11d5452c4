#pragma once
// The simulator's contract, checked from the outside while a run happens. Used by the policy
// conformance test, the simulation fuzzer (fuzz/fuzz_simulation.cc) and anyone who wants to check
// a run of their own policy. It keeps its own books (which job is on which GPU, how much work each
// has done at the rate its co-runners allow) rather than trusting the core's, so that a bug in the
// core's bookkeeping shows up as a disagreement:
//  - every submitted job is reported exactly once, with a valid outcome and, unless it finished,
//    the reason; start >= submit, end >= start; a job never started has neither;
//  - a job runs on distinct GPUs of a type it allows, as many as its gang, within each GPU's share;
//  - time never goes backwards or reaches the horizon;
//  - no node over its CPU or host memory under NodeResources::enforce, and the core charges each
//    node what the jobs on it ask;
//  - no GPU over memory under MemoryMode::enforce (nor an infeasible pair on one GPU); under
//    overcommit a GPU over memory sees an out-of-memory failure within oom_delay of the last start on it;
//  - work is conserved: a finished job's run time integrated at its achieved rate (GPU speed over
//    the model's slowdown beside its co-runners, slowest GPU) equals its solo work, to a tick,
//    counting no progress while it suspends or restores after a preemption and taking off the
//    work a preemption loses since its last checkpoint (where a preemption falls within
//    floating-point residue of a checkpoint, either side of it); a suspending job slows no co-runner;
//  - preemptions: only of running jobs; the record's preemption count and attained service
//    (GPU-time held) agree with what was seen;
//  - the run's Summary agrees with the figures recomputed from the job records and the occupancy
//    (the fragmentation ratio measured afresh from its own books at every instant).
#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "colosim/cluster_fragmentation.h"
#include "colosim/interference.h"
#include "colosim/metrics.h"
#include "colosim/observer.h"
#include "colosim/sim_config.h"

namespace colosim {

class ContractChecker final : public SimObserver {
 public:
  // The model and config the simulator runs with; the model must outlive the checker.
  ContractChecker(const InterferenceModel& model, SimConfig config);

  void on_begin(const ClusterView& cluster) override;
  void on_start(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_oom(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_preempt(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_release(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_start_cpu_only(Tick now, const JobSpec& job, NodeIndex node) override;
  void on_job_done(const JobRecord& record) override;
  void on_instant(Tick now, const ClusterView& cluster, std::size_t queued, std::size_t running) override;

  // After the run: every job of `submitted` was reported exactly once, as submitted, and nothing else.
  void check_jobs(std::span<const JobSpec> submitted);
  // After the run: `summary` (the run's MetricsCollector) agrees with the recomputed figures.
  void check_summary(const Summary& summary);

  // What broke, in the order found (the first few of each kind); empty when the contract held.
  const std::vector<std::string>& violations() const { return violations_; }
  // One line per violation, for a test's message or a fuzzer's report.
  std::string report() const;

 private:
  struct Running {
    JobSpec spec;
    std::vector<GpuIndex> gpus;
    NodeIndex node = -1;    // a CPU-only job: its node
    Tick last = 0;          // work is settled up to here
    double work = 0;        // ticks of solo work done
    double rate = 0;        // solo work per tick since `last`
    double max_rate = 0;
    Tick progress_from = 0; // no progress before (restoring after a resume)
    // How far the core's work may be from `work` because a preemption fell within floating-point
    // residue of a checkpoint, where the core's sum may land on the other side of it than ours.
    double may_be_behind = 0;  // the core kept one checkpoint fewer: it does more work than we count
    double may_be_ahead = 0;   // the core kept one more
    bool suspending = false;
    Tick held_since = 0;
  };
  struct Service {  // over the job's whole life, out-of-memory restarts included
    double held_gpu_ticks = 0;
    int preemptions = 0;
  };

  void fail(std::string what);
  void settle(Running& job, Tick now) const;
  double rate_of(const Running& job) const;
  void leave(const std::string& id, Tick now);
  struct NodeBooks {
    std::vector<std::int64_t> cpu, host;  // per node, what its jobs ask
  };
  NodeBooks node_books(const ClusterView& cluster) const;
  void check_node_resources(Tick now, const ClusterView& cluster, const NodeBooks& books);
  void measure_fragmentation(Tick now, const ClusterView& cluster, const NodeBooks& books, const std::vector<int>& shares);

  const InterferenceModel& model_;
  SimConfig config_;
  const ClusterView* cluster_ = nullptr;
  std::vector<std::string> violations_;
  std::size_t suppressed_ = 0;

  std::map<std::string, Running> running_;            // by job id, suspending ones included
  std::map<std::string, Running> preempted_;          // waiting to resume, by job id
  std::map<std::string, Service> service_;            // by job id
  std::vector<std::vector<const Running*>> on_gpu_;   // residents per GPU, in start order
  std::vector<Tick> over_memory_since_;               // per GPU, -1 when within memory
  Tick last_instant_ = -1;
  TimeWeightedMean fragmentation_mean_;  // against config_.target_workload, when it has shapes

  std::vector<JobRecord> records_;
  std::int64_t oom_events_ = 0;
  double busy_gpu_ticks_ = 0, used_mib_ticks_ = 0;
  int busy_gpus_ = 0;
  std::int64_t used_mib_ = 0;
  Tick last_end_ = -1;
  double busy_at_last_end_ = 0, used_at_last_end_ = 0;
};

}  // namespace colosim

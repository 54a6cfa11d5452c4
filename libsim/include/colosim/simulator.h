#pragma once
// The discrete-event core. Life of a job: arrival -> pending queue -> placed by the policy in a
// scheduling pass -> running at a rate set by its co-runners -> finished (or OOM and requeued).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "colosim/cluster_spec.h"
#include "colosim/interference.h"
#include "colosim/job_source.h"
#include "colosim/metrics.h"
#include "colosim/observer.h"
#include "colosim/policy.h"
#include "colosim/queue_book.h"
#include "colosim/sim_config.h"

namespace colosim {

struct RunStats {
  std::uint64_t events = 0;       // completions, OOM failures and arrivals handled
  std::uint64_t passes = 0;       // scheduling passes that offered jobs to the policy
  std::uint64_t rate_updates = 0; // job rate recomputations
  std::vector<std::string> warnings;  // distinct SchedulingPass::warn messages, first seen first
  std::string queue_order;        // the order the run used: as named, or the policy's own
  // Slowdown predictions of the interference model for jobs sharing a GPU, and how many of them
  // used a fallback (SimConfig::fallback): an application, or a GPU type, outside its data.
  std::uint64_t predictions = 0;
  std::uint64_t app_fallbacks = 0;
  std::uint64_t gpu_type_fallbacks = 0;
  QueueReport queues;  // per-queue results when the run had a queue tree (SimConfig::queues)
};

class Simulator {
 public:
  // The model and policy must outlive the simulator. Throws InputError for an invalid cluster.
  Simulator(ClusterSpec cluster, const InterferenceModel& model, PlacementPolicy& policy,
            SimConfig config = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  void add_observer(SimObserver& observer);
  // A way to abandon a long run (Ctrl-C) without polling per event: run() calls `check` at the
  // end of an instant once `every_events` events have passed since the last call. To stop, it
  // throws (Interrupted, or the caller's own exception, e.g. Python's KeyboardInterrupt); the
  // exception leaves run(). It runs on the simulating thread; keep it cheap (an atomic load,
  // a clock read). Generic on purpose: the core knows no signal and no Python.
  void set_interrupt_check(std::function<void()> check, std::uint64_t every_events = 1024);
  // Runs until every job has left. Can be called once.
  RunStats run(JobSource& jobs);

 private:
  class Engine;
  std::unique_ptr<Engine> engine_;
};

// Everything a caller usually wants from one run, kept in memory.
struct RunResult {
  std::vector<JobRecord> jobs;  // in the order jobs left the simulation
  Summary summary;
  RunStats stats;
};

RunResult simulate(const ClusterSpec& cluster, std::vector<JobSpec> jobs,
                   const InterferenceModel& model, PlacementPolicy& policy, SimConfig config = {});

// Collects every record, for RunResult and tests.
class RecordCollector final : public SimObserver {
 public:
  void on_job_done(const JobRecord& record) override { records.push_back(record); }
  std::vector<JobRecord> records;
};

}  // namespace colosim

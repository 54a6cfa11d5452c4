#pragma once
// Runs the grid on a pool of threads. Every run has its own policy instance and simulator; the
// inputs (clusters, interference model, generator tables) are shared read-only. Results are
// delivered in grid order, whatever order the runs finish in, so that what is written is the
// same for any number of threads.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "colosim/errors.h"
#include "colosim/metrics.h"
#include "colosim/simulator.h"
#include "colosim/experiments/experiment.h"

namespace colosim::experiments {

struct RunOutcome {
  RunPoint point;
  Summary summary;
  RunStats stats;
};

// Runs one point of the grid. With `jobs_csv` non-empty, writes its jobs.csv there. When
// `stop` becomes true the run is abandoned (throws colosim::Interrupted) soon after.
RunOutcome run_point(const Experiment& e, const PolicyRegistry& registry, const RunPoint& point,
                     const std::atomic<bool>* stop = nullptr, const std::string& jobs_csv = "");

struct GridOptions {
  unsigned threads = 1;
  // Where run i writes its jobs.csv (empty: none); called before the run starts.
  std::function<std::string(const RunPoint&)> jobs_csv;
  // Called on the calling thread, in grid order, as soon as every earlier run has finished.
  std::function<void(const RunOutcome&)> on_in_order;
  // Called on the calling thread about every `tick` while runs are going, and once at the end.
  std::function<void(std::size_t done, std::size_t total)> on_progress;
  std::chrono::milliseconds tick{200};
  // Set (e.g. by a signal handler) to stop: no run starts after it, running ones are abandoned.
  const std::atomic<bool>* stop = nullptr;
};

struct GridResult {
  std::vector<std::optional<RunOutcome>> runs;  // by grid index; empty where not finished
  bool interrupted = false;
  std::size_t finished() const;
  bool complete() const { return !interrupted && finished() == runs.size(); }
};

// Rethrows the first error of a run (lowest grid index among those that failed) after the
// pool has stopped.
GridResult run_grid(const Experiment& e, const PolicyRegistry& registry, const GridOptions& options);

}  // namespace colosim::experiments

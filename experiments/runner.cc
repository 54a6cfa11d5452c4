#include "colosim/experiments/runner.h"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "colosim/traces/results_io.h"

namespace colosim::experiments {

std::size_t GridResult::finished() const {
  std::size_t n = 0;
  for (const auto& r : runs) n += r.has_value();
  return n;
}

RunOutcome run_point(const Experiment& e, const PolicyRegistry& registry, const RunPoint& point,
                     const std::atomic<bool>* stop, const std::string& jobs_csv) {
  const SimConfig config = e.config(point);
  const auto policy = registry.make(e.policies[point.policy].spec);
  Simulator sim(e.clusters[point.cluster].spec, *e.model, *policy, config);
  MetricsCollector metrics(config.target_workload);
  sim.add_observer(metrics);
  // Ctrl-C does not wait for a long simulation to finish.
  if (stop)
    sim.set_interrupt_check([stop] {
      if (stop->load(std::memory_order_relaxed)) throw Interrupted();
    });
  // Written as a partial file: a failed or abandoned run leaves no jobs file that would look
  // like a finished run's.
  std::unique_ptr<traces::JobsCsvWriter> csv;
  if (!jobs_csv.empty()) {
    csv = std::make_unique<traces::JobsCsvWriter>(jobs_csv);
    sim.add_observer(*csv);
  }
  auto jobs = e.open_jobs(point);
  RunOutcome out{point, {}, sim.run(*jobs)};
  out.summary = metrics.summary();
  if (csv) csv->commit();
  return out;
}

GridResult run_grid(const Experiment& e, const PolicyRegistry& registry, const GridOptions& options) {
  const std::vector<RunPoint> points = expand(e.shape());
  const std::size_t total = points.size();
  GridResult result;
  result.runs.resize(total);

  std::mutex mutex;
  std::condition_variable changed;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> halt{false};  // a failure or an outside stop: start nothing more
  std::size_t done = 0, alive = 0;
  std::size_t error_index = total;
  std::exception_ptr error;
  auto outside_stop = [&] { return options.stop && options.stop->load(); };

  auto worker = [&] {
    for (;;) {
      if (halt.load() || outside_stop()) break;
      const std::size_t i = next.fetch_add(1);
      if (i >= total) break;
      try {
        const std::string csv = options.jobs_csv ? options.jobs_csv(points[i]) : std::string();
        RunOutcome outcome = run_point(e, registry, points[i], &halt, csv);
        std::lock_guard lock(mutex);
        result.runs[i] = std::move(outcome);
        ++done;
      } catch (const Interrupted&) {
        break;
      } catch (...) {
        std::lock_guard lock(mutex);
        if (i < error_index) {
          error_index = i;
          error = std::current_exception();
        }
        halt = true;
      }
      changed.notify_all();
    }
    std::lock_guard lock(mutex);
    --alive;
    changed.notify_all();
  };

  const unsigned threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(options.threads, total)));
  std::vector<std::jthread> pool;
  alive = threads;
  // If the caller's callbacks throw, stop the pool before the exception leaves (jthread joins).
  struct Halt {
    std::atomic<bool>& halt;
    ~Halt() { halt = true; }
  };
  pool.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  Halt halt_on_exit{halt};  // declared after the pool: runs first, then the pool joins

  std::size_t delivered = 0;
  std::unique_lock lock(mutex);
  for (;;) {
    changed.wait_for(lock, options.tick, [&] {
      return alive == 0 || (delivered < total && result.runs[delivered]) || outside_stop();
    });
    if (outside_stop()) halt = true;
    while (delivered < total && result.runs[delivered]) {
      const RunOutcome& r = *result.runs[delivered];
      ++delivered;
      lock.unlock();
      if (options.on_in_order) options.on_in_order(r);
      lock.lock();
    }
    const bool finished = alive == 0;
    const std::size_t now_done = done;
    lock.unlock();
    if (options.on_progress) options.on_progress(now_done, total);
    lock.lock();
    if (finished) break;
  }
  lock.unlock();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  result.interrupted = outside_stop() && result.finished() < total;
  return result;
}

}  // namespace colosim::experiments

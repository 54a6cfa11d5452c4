// End-to-end replay of a seeded synthetic trace of 1,000,000 jobs on 1,250 nodes x 8 GPUs, for
// binpack, exclusive, tiresias (2D-LAS, preempting) and tiresias under SRTF (preemption-heavy),
// against the floor: a bare event-queue replay of the same events.
// The generator sizes a job's memory as its GPU share of 16 GiB, so the 16 GiB GPUs here make
// memory and share bind together, as on the Alibaba cluster the shapes come from.
// Run: ./build/bench/colosim_bench --benchmark_filter=Replay
#include <benchmark/benchmark.h>

#include "colosim/event_queue.h"
#include "colosim/metrics.h"
#include "colosim/pair_table.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/generator.h"

namespace {

using namespace colosim;

constexpr int kNodes = 1250;
constexpr int kGpusPerNode = 8;
constexpr double kLoad = 0.8;
constexpr std::uint64_t kSeed = 2026;

std::int64_t jobs_from(const benchmark::State& state) { return state.range(0); }

// Offered load: state.range(1) percent when given, else kLoad.
double load_from(const benchmark::State& state) { return state.range(1) > 0 ? static_cast<double>(state.range(1)) / 100 : kLoad; }

void replay(benchmark::State& state, const char* policy_name, const char* queue_order = "") {
  const auto cluster = ClusterSpec::uniform(kNodes, kGpusPerNode, {"V100", 16384, 1.0});
  // Every pair slows both jobs by 1.3: each co-location change costs real model calls.
  PairTable model({Composition::multiplicative, 1.3});
  const PolicyRegistry registry = builtin_policies();
  std::uint64_t events = 0, rate_updates = 0;
  std::int64_t preemptions = 0;
  SimConfig config;
  if (*queue_order) config.queue_order = QueueOrderChoice::parse(queue_order);
  for (auto _ : state) {
    auto policy = registry.make(policy_name);
    auto source = traces::make_load_source(kSeed, jobs_from(state), kNodes * kGpusPerNode, load_from(state));
    Simulator sim(cluster, model, *policy, config);
    MetricsCollector metrics;
    sim.add_observer(metrics);
    const RunStats stats = sim.run(*source);
    events = stats.events;
    rate_updates = stats.rate_updates;
    preemptions = metrics.summary().preemptions;
  }
  state.counters["preemptions"] = static_cast<double>(preemptions);
  state.counters["jobs/s"] = benchmark::Counter(static_cast<double>(jobs_from(state)) * state.iterations(),
                                                benchmark::Counter::kIsRate);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events) * state.iterations(),
                                                  benchmark::Counter::kIsRate);
  state.counters["events"] = static_cast<double>(events);
  state.counters["rate_updates"] = static_cast<double>(rate_updates);
}

void BM_ReplayBinpack(benchmark::State& state) { replay(state, "binpack"); }
void BM_ReplayExclusive(benchmark::State& state) { replay(state, "exclusive"); }
void BM_ReplayTiresias(benchmark::State& state) { replay(state, "tiresias"); }
void BM_ReplayTiresiasSrtf(benchmark::State& state) { replay(state, "tiresias", "srtf"); }

// The floor: the same arrivals and as many completions (at submit + solo duration) through the
// bare event queue, with nothing else.
void BM_ReplayBareEventQueue(benchmark::State& state) {
  std::uint64_t events = 0;
  for (auto _ : state) {
    auto source = traces::make_load_source(kSeed, jobs_from(state), kNodes * kGpusPerNode, load_from(state));
    EventQueue queue;
    std::vector<EventQueue::Handle> free_handles;
    EventQueue::Handle next_handle = 0;
    events = 0;
    std::uint64_t seq = 0;
    while (auto job = source->next()) {
      while (!queue.empty() && queue.top_key().time <= job->submit) {
        free_handles.push_back(queue.pop());
        ++events;
      }
      ++events;  // the arrival
      EventQueue::Handle h = next_handle;
      if (!free_handles.empty()) {
        h = free_handles.back();
        free_handles.pop_back();
      } else {
        ++next_handle;
      }
      queue.schedule(h, {job->submit + job->solo_duration, 0, seq++});
    }
    while (!queue.empty()) {
      queue.pop();
      ++events;
    }
    benchmark::DoNotOptimize(events);
  }
  state.counters["jobs/s"] = benchmark::Counter(static_cast<double>(jobs_from(state)) * state.iterations(),
                                                benchmark::Counter::kIsRate);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events) * state.iterations(),
                                                  benchmark::Counter::kIsRate);
  state.counters["events"] = static_cast<double>(events);
}

// Arguments: jobs, offered load in percent (0: kLoad). The preempting ones also at a load that
// makes queues, so that there is something to preempt for.
BENCHMARK(BM_ReplayBareEventQueue)->Args({1'000'000, 0})->Args({1'000'000, 120})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayBinpack)->Args({1'000'000, 0})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayExclusive)->Args({1'000'000, 0})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayTiresias)->Args({1'000'000, 0})->Args({1'000'000, 120})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayTiresiasSrtf)->Args({1'000'000, 0})->Args({1'000'000, 120})->Unit(benchmark::kMillisecond)->Iterations(1);
// Smaller, for a quick look: --benchmark_filter='/100000/'
BENCHMARK(BM_ReplayBareEventQueue)->Args({100'000, 120})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayTiresias)->Args({100'000, 120})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayTiresiasSrtf)->Args({100'000, 120})->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

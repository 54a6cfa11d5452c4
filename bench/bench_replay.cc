// End-to-end replay of a seeded synthetic trace of 1,000,000 jobs on 1,250 nodes x 8 GPUs, for
// binpack, exclusive, tiresias (2D-LAS, preempting) and tiresias under SRTF, and of the same trace
// on whole GPUs on 25 nodes (preemption-heavy), against the floor: a bare event-queue replay of
// the same events.
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
#include "replay_registration.h"

namespace {

using namespace colosim;

constexpr int kNodes = 1250;
constexpr int kGpusPerNode = 8;
constexpr double kLoad = 0.8;
constexpr std::uint64_t kSeed = 2026;

std::int64_t jobs_from(const benchmark::State& state) { return state.range(0); }

// Offered load: state.range(1) percent when given, else kLoad.
double load_from(const benchmark::State& state) { return state.range(1) > 0 ? static_cast<double>(state.range(1)) / 100 : kLoad; }
// Nodes: state.range(2) when not 0, else kNodes.
int nodes_from(const benchmark::State& state) { return state.range(2) > 0 ? static_cast<int>(state.range(2)) : kNodes; }

// The same generator with every job on whole GPUs (the openb gang sizes, shares rounded up to
// 1000): jobs no longer pack into shares, the cluster fills at high load, and a preempting
// policy preempts (the preemption-heavy case).
std::unique_ptr<traces::GeneratedJobSource> whole_gpu_source(std::int64_t jobs, int gpus, double load) {
  traces::GeneratorConfig config;
  config.seed = kSeed;
  config.jobs = jobs;
  for (traces::PodShape& shape : config.shapes) shape.gpu_milli = 1000;
  config.arrival_rate = traces::arrival_rate_for_load(config, gpus, load);
  return std::make_unique<traces::GeneratedJobSource>(config);
}

enum class Shapes { openb, whole_gpus };

std::unique_ptr<traces::GeneratedJobSource> source_for(const benchmark::State& state, Shapes shapes) {
  const int gpus = nodes_from(state) * kGpusPerNode;
  return shapes == Shapes::openb ? traces::make_load_source(kSeed, jobs_from(state), gpus, load_from(state))
                                 : whole_gpu_source(jobs_from(state), gpus, load_from(state));
}

void replay(benchmark::State& state, const char* policy_name, const char* queue_order = "", Shapes shapes = Shapes::openb) {
  const auto cluster = ClusterSpec::uniform(nodes_from(state), kGpusPerNode, {"V100", 16384, 1.0});
  // Every pair slows both jobs by 1.3: each co-location change costs real model calls.
  PairTable model({Composition::multiplicative, 1.3});
  const PolicyRegistry registry = builtin_policies();
  std::uint64_t events = 0, rate_updates = 0;
  std::int64_t preemptions = 0;
  SimConfig config;
  if (*queue_order) config.queue_order = QueueOrderChoice::parse(queue_order);
  for (auto _ : state) {
    auto policy = registry.make(policy_name);
    auto source = source_for(state, shapes);
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
void BM_ReplayWholeGpusTiresias(benchmark::State& state) { replay(state, "tiresias", "", Shapes::whole_gpus); }
void BM_ReplayWholeGpusTiresiasSrtf(benchmark::State& state) { replay(state, "tiresias", "srtf", Shapes::whole_gpus); }

// The floor: the same arrivals and as many completions (at submit + solo duration) through the
// bare event queue, with nothing else.
void bare_event_queue(benchmark::State& state, Shapes shapes) {
  std::uint64_t events = 0;
  for (auto _ : state) {
    auto source = source_for(state, shapes);
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

void BM_ReplayBareEventQueue(benchmark::State& state) { bare_event_queue(state, Shapes::openb); }
void BM_ReplayWholeGpusBareEventQueue(benchmark::State& state) { bare_event_queue(state, Shapes::whole_gpus); }

// Arguments: jobs, offered load in percent (0: kLoad), nodes (0: kNodes); always all three.
BENCHMARK(BM_ReplayBareEventQueue)->Args({1'000'000, 0, 0})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayBinpack)->Args({1'000'000, 0, 0})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayExclusive)->Args({1'000'000, 0, 0})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayTiresias)->Args({1'000'000, 0, 0})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayTiresiasSrtf)->Args({1'000'000, 0, 0})->Unit(benchmark::kMillisecond)->Iterations(1);
// Preemption-heavy: whole-GPU jobs at load 0.9 and 0.97 on 25 x 8 GPUs, where the queue
// fluctuates enough (1 M jobs on 200 GPUs) for tiresias to preempt hundreds of thousands of times.
void whole_gpu_args(benchmark::internal::Benchmark* b) {
  b->Args({1'000'000, 90, 25})->Args({1'000'000, 97, 25})->Args({100'000, 97, 25})->Unit(benchmark::kMillisecond)->Iterations(1);
}
BENCHMARK(BM_ReplayWholeGpusBareEventQueue)->Apply(whole_gpu_args);
BENCHMARK(BM_ReplayWholeGpusTiresias)->Apply(whole_gpu_args);
BENCHMARK(BM_ReplayWholeGpusTiresiasSrtf)->Apply(whole_gpu_args);
// Smaller, for a quick look: --benchmark_filter='/100000/'
BENCHMARK(BM_ReplayBareEventQueue)->Args({100'000, 120, 0})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayTiresias)->Args({100'000, 120, 0})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ReplayTiresiasSrtf)->Args({100'000, 120, 0})->Unit(benchmark::kMillisecond)->Iterations(1);

// Every built-in policy with its defaults on the same trace, at 100,000 jobs (with the floor
// above at the same size: --benchmark_filter='Replay(BareEventQueue|Policy)/100000/0'), and a
// cluster-size sweep: 500,000 jobs at load 0.8 on 125, 1,250 and 12,500 nodes (1 k, 10 k, 100 k
// GPUs; arrivals scale with the cluster), where a flat cost per job means no scan of the cluster
// per event. The FGD paper's policies score every node per job, as kube-scheduler does, so they
// are left out of the sweep. gavel decides in rounds; its default round (360 s) is kept.
}  // namespace

void colosim::bench::register_policy_replays() {
  benchmark::RegisterBenchmark("BM_ReplayBareEventQueue", BM_ReplayBareEventQueue)
      ->Args({100'000, 0, 0})
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
  const PolicyRegistry registry = builtin_policies();
  for (const PolicyInfo* info : registry.list()) {
    const std::string name = info->name;
    benchmark::RegisterBenchmark(("BM_ReplayPolicy_" + name).c_str(),
                                 [name](benchmark::State& state) { replay(state, name.c_str()); })
        ->Args({100'000, 0, 0})
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
  }
  for (const char* name : {"binpack", "first-fit", "load-balance"})
    benchmark::RegisterBenchmark((std::string("BM_ReplayClusterSize_") + name).c_str(),
                                 [name](benchmark::State& state) { replay(state, name); })
        ->Args({500'000, 0, 125})
        ->Args({500'000, 0, 1250})
        ->Args({500'000, 0, 12500})
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
}

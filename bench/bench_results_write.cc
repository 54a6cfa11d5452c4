// Formatting throughput of jobs.csv (rows/s, as items_per_second): the rows of a 200,000-job
// binpack replay (1,250 nodes x 8 GPUs, load 0.8, the replay benchmark's trace), recorded once
// and formatted as jobs.csv prints them, without the file system.
#include <benchmark/benchmark.h>

#include "colosim/interference.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/generator.h"
#include "colosim/traces/results_io.h"

namespace {

using namespace colosim;

const std::vector<JobRecord>& records() {
  static const std::vector<JobRecord> rows = [] {
    const auto cluster = ClusterSpec::uniform(1250, 8, {"V100", 16384, 1.0});
    NoInterference model;
    auto policy = builtin_policies().make("binpack");
    auto source = traces::make_load_source(2026, 200'000, 1250 * 8, 0.8);
    Simulator sim(cluster, model, *policy);
    RecordCollector collected;
    sim.add_observer(collected);
    sim.run(*source);
    return collected.records;
  }();
  return rows;
}

void BM_FormatJobsCsv(benchmark::State& state) {
  const std::vector<JobRecord>& rows = records();
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const JobRecord& r : rows) bytes += traces::format_job_row(r).size() + 1;
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}

}  // namespace

BENCHMARK(BM_FormatJobsCsv)->Unit(benchmark::kMillisecond)->Iterations(3);

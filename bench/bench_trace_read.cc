// Read throughput of the trace readers (jobs/s, as items_per_second): the .pb stream and the
// plain CSV format, 1,000,000 generated jobs each. The files are written once into a temporary
// directory on first use and removed at exit.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "colosim/traces/generator.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"

namespace {

constexpr std::int64_t kJobs = 1'000'000;

struct TraceFiles {
  std::filesystem::path dir;
  std::string pb, csv;
  TraceFiles() {
    dir = std::filesystem::temp_directory_path() / ("colosim-bench-traces-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    pb = (dir / "jobs.pb").string();
    csv = (dir / "jobs.csv").string();
    for (const auto& path : {pb, csv}) {
      colosim::v1::TraceHeader header;
      header.set_job_count(kJobs);
      auto writer = colosim::traces::open_trace_writer(path, header);
      // 1,250 nodes x 8 GPUs at load 0.9: the benchmark cluster of the simulator.
      auto source = colosim::traces::make_load_source(1, kJobs, 1250 * 8, 0.9);
      while (auto job = source->next()) writer->write(*job);
      writer->finish();
    }
  }
  ~TraceFiles() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

const TraceFiles& files() {
  static const TraceFiles f;
  return f;
}

void read_trace(benchmark::State& state, const std::string& path) {
  for (auto _ : state) {
    auto reader = colosim::traces::open_trace_reader(path);
    std::int64_t n = 0;
    while (auto job = reader->next()) {
      benchmark::DoNotOptimize(job->solo_duration);
      ++n;
    }
    if (n != kJobs) state.SkipWithError("wrong job count");
  }
  state.SetItemsProcessed(state.iterations() * kJobs);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(std::filesystem::file_size(path)));
}

void BM_ReadTracePb(benchmark::State& state) { read_trace(state, files().pb); }
void BM_ReadTraceCsv(benchmark::State& state) { read_trace(state, files().csv); }

}  // namespace

BENCHMARK(BM_ReadTracePb)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ReadTraceCsv)->Unit(benchmark::kMillisecond)->Iterations(3);

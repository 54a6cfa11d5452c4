#include <benchmark/benchmark.h>

#include "replay_registration.h"

int main(int argc, char** argv) {
  colosim::bench::register_policy_replays();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

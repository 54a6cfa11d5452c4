#pragma once
// Benchmarks registered at start-up from the policy registry (bench_replay.cc), which static
// registration cannot reach safely: the registry is built from other libraries' code.
namespace colosim::bench {

void register_policy_replays();

}  // namespace colosim::bench

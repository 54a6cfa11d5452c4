// Over-committed GPU memory fails like a real GPU: the job that started last runs out of memory.
// The jobs state no GPU share and are put on one GPU to over-commit it: the runs stack them.
#include <doctest/doctest.h>

#include <map>

#include "colosim/policies/builtin.h"
#include "colosim/errors.h"
#include "colosim/pair_table.h"
#include "colosim/simulator.h"

using namespace colosim;

namespace {
JobSpec job(std::string id, std::int64_t mib, double solo_s, double submit_s = 0) {
  JobSpec j;
  j.id = std::move(id);
  j.app = "app";
  j.solo_duration = seconds_to_ticks(solo_s);
  j.submit = seconds_to_ticks(submit_s);
  j.memory_mib = mib;
  return j;
}
}  // namespace

TEST_CASE("overcommit: the later job fails out of memory after the delay, is requeued, and runs when memory frees") {
  // One 10 GB GPU; 'a' (8 GB, 100 s) starts at 0; 'b' (6 GB, 50 s) arrives at 1 s and random with
  // check_memory=false puts it beside 'a'. With a 5 s OOM delay, 'b' fails at 6 s, is requeued,
  // placed again at 6 s, fails at 11 s ... With max 1 retry it fails for good at 11 s.
  const PolicyRegistry registry = builtin_policies();
  auto policy = registry.make("random:check_memory=false");
  SimConfig config;
  config.sharing = GpuSharing::stack;
  config.memory = MemoryMode::overcommit;
  config.oom_delay = 5 * kTicksPerSecond;
  config.max_oom_retries = 1;
  NoInterference none;
  auto result = simulate(ClusterSpec::uniform(1, 1, {"G", 10240, 1.0}), {job("a", 8192, 100), job("b", 6144, 50, 1)}, none,
                         *policy, config);
  std::map<std::string, JobRecord> by_id;
  for (auto& r : result.jobs) by_id[r.id] = r;
  CHECK(by_id["a"].outcome == JobOutcome::finished);
  CHECK(by_id["a"].end == 100 * kTicksPerSecond);
  CHECK(by_id["b"].outcome == JobOutcome::oom_failed);
  CHECK(by_id["b"].oom_retries == 2);
  CHECK(by_id["b"].end == 11 * kTicksPerSecond);
  CHECK(result.summary.oom_events == 2);
  CHECK(result.summary.oom_failed == 1);
}

TEST_CASE("overcommit: a job whose co-runner left before the OOM delay ran out carries on") {
  const PolicyRegistry registry = builtin_policies();
  auto policy = registry.make("random:check_memory=false");
  SimConfig config;
  config.sharing = GpuSharing::stack;
  config.memory = MemoryMode::overcommit;
  config.oom_delay = 30 * kTicksPerSecond;
  config.max_oom_retries = 3;
  NoInterference none;
  // 'a' (8 GB) ends at 40 s. 'b' (6 GB, 50 s) arrives at 1 s beside it: over memory, it fails at
  // 31 s and is placed again beside 'a' at once. 'a' leaves at 40 s, so when b's delay runs out
  // at 61 s its GPU has room: it carries on and ends at 31 + 50 = 81 s after one OOM.
  auto result = simulate(ClusterSpec::uniform(1, 1, {"G", 10240, 1.0}), {job("a", 8192, 40), job("b", 6144, 50, 1)}, none,
                         *policy, config);
  std::map<std::string, JobRecord> by_id;
  for (auto& r : result.jobs) by_id[r.id] = r;
  CHECK(by_id["b"].outcome == JobOutcome::finished);
  CHECK(by_id["b"].oom_retries == 1);
  CHECK(by_id["b"].start == 31 * kTicksPerSecond);
  CHECK(by_id["b"].end == 81 * kTicksPerSecond);
  CHECK(result.summary.oom_events == 1);
}

TEST_CASE("enforce: a policy that places over memory breaks its contract and gets a clear error") {
  const PolicyRegistry registry = builtin_policies();
  auto policy = registry.make("random:check_memory=false");
  NoInterference none;
  SimConfig config;
  config.sharing = GpuSharing::stack;
  CHECK_THROWS_WITH_AS(simulate(ClusterSpec::uniform(1, 1, {"G", 10240, 1.0}), {job("a", 8192, 100), job("b", 6144, 50, 1)},
                                none, *policy, config),
                       doctest::Contains("job 'b' does not fit on GPU 0: needs 6144 MiB, 2048 MiB free"), PolicyError);
}

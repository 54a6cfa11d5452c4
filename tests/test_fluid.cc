// Fluid execution: rates follow co-runners, exactly.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "colosim/errors.h"
#include "colosim/pair_table.h"
#include "colosim/simulator.h"

using namespace colosim;

namespace {

JobSpec job(std::string id, std::string app, double solo_s, int gpus = 1, double submit_s = 0) {
  JobSpec j;
  j.id = std::move(id);
  j.app = std::move(app);
  j.submit = seconds_to_ticks(submit_s);
  j.solo_duration = seconds_to_ticks(solo_s);
  j.gpus = gpus;
  j.memory_mib = 1000;
  return j;
}

// Places every job, in queue order, on the GPUs given by `where` (job id -> GPUs).
class FixedPlacement final : public PlacementPolicy {
 public:
  explicit FixedPlacement(std::map<std::string, std::vector<GpuIndex>> where) : where_(std::move(where)) {}
  void schedule(SchedulingPass& pass) override {
    for (const PendingJob& p : pass.pending()) pass.place(p, where_.at(p.spec->id));
  }
  bool may_fit(const ClusterView&, const JobSpec&, MemoryMode) const override { return true; }

 private:
  std::map<std::string, std::vector<GpuIndex>> where_;
};

// These jobs state no GPU share and are put on one GPU on purpose: the runs stack them.
SimConfig stacked() {
  SimConfig config;
  config.sharing = GpuSharing::stack;
  return config;
}

std::map<std::string, JobRecord> by_id(const RunResult& r) {
  std::map<std::string, JobRecord> m;
  for (const auto& rec : r.jobs) m[rec.id] = rec;
  return m;
}

}  // namespace

TEST_CASE("issue 2 hand-worked example: A ends at 150 s, B at 175 s") {
  // A and B (100 s solo each) share one GPU; slowdown(A|B) = 1.5, slowdown(B|A) = 2.0.
  // A: 100 s of work at rate 1/1.5 -> ends at 150 s. B has done 150/2 = 75 s of work by then,
  // and finishes the last 25 s alone at full speed: 175 s.
  PairTable table;
  table.set("A", "B", 1.5);
  table.set("B", "A", 2.0);
  FixedPlacement policy({{"a", {0}}, {"b", {0}}});
  auto result = by_id(simulate(ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}), {job("a", "A", 100), job("b", "B", 100)},
                               table, policy, stacked()));
  CHECK(result["a"].end == 150 * kTicksPerSecond);
  CHECK(result["b"].end == 175 * kTicksPerSecond);
  CHECK(result["a"].slowdown() == 1.5);
  CHECK(result["b"].slowdown() == 1.75);
}

TEST_CASE("a multi-GPU job progresses at the rate of its slowest GPU") {
  // G runs on GPUs 0 and 1; X shares GPU 0 (slowdown(G|X) = 2), Y shares GPU 1 (slowdown(G|Y) = 1.25).
  // G's rate is 1/2 while X runs. X (solo 50 s, slowdown(X|G) = 1) ends at 50 s; G has 25 s of work
  // done. Then G runs at 1/1.25 beside Y (solo 1000 s): 75 s of work take 93.75 s -> G ends at 143.75 s.
  PairTable table;
  table.set("G", "X", 2.0);
  table.set("G", "Y", 1.25);
  table.set("X", "G", 1.0);
  table.set("Y", "G", 1.0);
  FixedPlacement policy({{"g", {0, 1}}, {"x", {0}}, {"y", {1}}});
  auto result = by_id(simulate(ClusterSpec::uniform(1, 2, {"G", 16000, 1.0}),
                               {job("g", "G", 100, 2), job("x", "X", 50), job("y", "Y", 1000)}, table, policy, stacked()));
  CHECK(result["x"].end == 50 * kTicksPerSecond);
  CHECK(result["g"].end == 143'750'000);
  CHECK(result["y"].end == 1000 * kTicksPerSecond);
}

TEST_CASE("a faster GPU type shortens run time by its relative speed") {
  NoInterference none;
  FixedPlacement policy(std::map<std::string, std::vector<GpuIndex>>{{"a", {0}}});
  auto result = by_id(simulate(ClusterSpec::uniform(1, 1, {"Fast", 16000, 2.0}), {job("a", "A", 100)}, none, policy));
  CHECK(result["a"].end == 50 * kTicksPerSecond);
}

TEST_CASE("issue 10 #15: slowdown counts sharing only, the GPU type's speed is a separate speed-up") {
  // Alone on a speed-2 GPU, 100 s of solo work take 50 s = the time alone on that GPU:
  // slowdown 50 / 50 = 1 (it was 50 / 100 = 0.5 before), speed-up 100 / 50 = 2.
  NoInterference none;
  FixedPlacement alone(std::map<std::string, std::vector<GpuIndex>>{{"a", {0}}});
  const RunResult solo = simulate(ClusterSpec::uniform(1, 1, {"Fast", 16000, 2.0}), {job("a", "A", 100)}, none, alone);
  REQUIRE(solo.jobs.size() == 1);
  CHECK(solo.jobs[0].end == 50 * kTicksPerSecond);
  CHECK(solo.jobs[0].slowdown() == 1.0);
  CHECK(solo.jobs[0].speedup() == 2.0);
  CHECK(solo.summary.slowdown_mean == 1.0);
  CHECK(solo.summary.speedup_mean == 2.0);

  // Two 100 s jobs share the speed-2 GPU, pair slowdown 1.5 both ways: each drains at 2 / 1.5,
  // so both end at 75 s; alone on that GPU each takes 50 s: slowdown 75 / 50 = 1.5, speed-up 2.
  PairTable table;
  table.set("A", "B", 1.5);
  table.set("B", "A", 1.5);
  FixedPlacement shared({{"a", {0}}, {"b", {0}}});
  const RunResult pair = simulate(ClusterSpec::uniform(1, 1, {"Fast", 16000, 2.0}), {job("a", "A", 100), job("b", "B", 100)},
                                  table, shared, stacked());
  REQUIRE(pair.jobs.size() == 2);
  for (const JobRecord& r : pair.jobs) {
    CHECK(r.end == 75 * kTicksPerSecond);
    CHECK(r.slowdown() == 1.5);
    CHECK(r.speedup() == 2.0);
  }
  CHECK(pair.summary.slowdown_mean == 1.5);
  CHECK(pair.summary.speedup_mean == 2.0);

  // A gang goes at the pace of its slowest GPU: speeds 2 and 0.5 -> alone it takes 100 / 0.5 =
  // 200 s; that is its speed-up (0.5), not a slowdown (1).
  ClusterSpec mixed;
  mixed.gpu_types = {{"Fast", 16000, 2.0}, {"Slow", 16000, 0.5}};
  mixed.nodes = {{"n0", "Fast", 1}, {"n1", "Slow", 1}};
  FixedPlacement gang(std::map<std::string, std::vector<GpuIndex>>{{"g", {0, 1}}});
  const RunResult across = simulate(mixed, {job("g", "G", 100, 2)}, none, gang);
  REQUIRE(across.jobs.size() == 1);
  CHECK(across.jobs[0].end == 200 * kTicksPerSecond);
  CHECK(across.jobs[0].slowdown() == 1.0);
  CHECK(across.jobs[0].speedup() == 0.5);
}

TEST_CASE("three co-runners compose multiplicatively by default, additively as an option") {
  // V beside P and Q: multiplicative 1.2 * 1.5 = 1.8 -> 180 s; additive 1 + 0.2 + 0.5 = 1.7 -> 170 s.
  for (auto [rule, expected_s] : {std::pair{Composition::multiplicative, 180}, std::pair{Composition::additive, 170}}) {
    PairTable table({rule, 1.0});
    table.set("V", "P", 1.2);
    table.set("V", "Q", 1.5);
    FixedPlacement policy({{"v", {0}}, {"p", {0}}, {"q", {0}}});
    auto result = by_id(simulate(ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}),
                                 {job("v", "V", 100), job("p", "P", 1000), job("q", "Q", 1000)}, table, policy, stacked()));
    CHECK(result["v"].end == expected_s * kTicksPerSecond);
  }
}

TEST_CASE("an unknown pair is an error naming the pair unless a default is configured") {
  PairTable strict;
  strict.set("A", "A", 1.1);
  FixedPlacement policy({{"a", {0}}, {"b", {0}}});
  const auto cluster = ClusterSpec::uniform(1, 1, {"G", 16000, 1.0});
  CHECK_THROWS_WITH_AS(simulate(cluster, {job("a", "A", 10), job("b", "B", 10)}, strict, policy, stacked()),
                       doctest::Contains("no slowdown for victim 'A' beside aggressor 'B'"), SimulationError);
  PairTable lenient({Composition::multiplicative, 2.0});
  FixedPlacement again({{"a", {0}}, {"b", {0}}});
  auto result = by_id(simulate(cluster, {job("a", "A", 10), job("b", "B", 10)}, lenient, again, stacked()));
  CHECK(result["a"].end == 20 * kTicksPerSecond);
}

TEST_CASE("issue 10 #16: pair slowdowns below 1 count as 1 and composition saturates at time-slicing") {
  // compose(): a pair below 1 is 1; k co-runners give at most max(k + 1, worst pair).
  const std::vector<double> speedups(39, 0.97), twos(39, 2.0), one_bad = {1.1, 9.0};
  CHECK(compose(speedups, Composition::additive) == 1.0);
  CHECK(compose(speedups, Composition::multiplicative) == 1.0);
  CHECK(compose(twos, Composition::multiplicative) == 40.0);  // 2^39 saturated at 39 + 1
  CHECK(compose(twos, Composition::additive) == 40.0);        // 1 + 39 x 1, the bound itself
  CHECK(compose(one_bad, Composition::multiplicative) == 9.0);  // 9.9 capped at the worst pair
  const std::vector<double> nan = {1.2, std::nan("")};
  CHECK_THROWS_AS(compose(nan, Composition::additive), SimulationError);
  // 40 jobs of one application at 0.97 under additive composition: before, 1 + 39 x (-0.03) =
  // -0.17 aborted the run (30 jobs: 0.13, each 7.7x faster than alone). Now each runs at its solo
  // speed, 100 s, and the table says how many pairs it took as 1.
  PairTable table({Composition::additive, std::nullopt});
  table.set("A", "A", 0.97);
  CHECK(table.describe().find("1 pair slowdowns below 1 taken as 1") != std::string::npos);
  std::map<std::string, std::vector<GpuIndex>> where;
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 40; ++i) {
    jobs.push_back(job("j" + std::to_string(i), "A", 100));
    jobs.back().memory_mib = 100;
    jobs.back().gpu_milli = 25;  // 40 share one GPU
    where[jobs.back().id] = {0};
  }
  FixedPlacement policy(where);
  for (const JobRecord& r : simulate(ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}), jobs, table, policy).jobs) {
    CHECK(r.outcome == JobOutcome::finished);
    CHECK(r.end == 100 * kTicksPerSecond);
  }
}

// The FGD paper's experiment (issue 15): inflated traces, the allocation and fragmentation curves,
// their summary over seeds, and the incremental fragmentation tracker.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "colosim/checked.h"
#include "colosim/cluster_fragmentation.h"
#include "colosim/errors.h"
#include "colosim/experiments/inflation.h"
#include "colosim/policies/builtin.h"
#include "colosim/rng.h"
#include "colosim/simulator.h"

using namespace colosim;
using namespace colosim::experiments;

namespace {

JobSpec job(const std::string& id, int gpu_milli, int gpus = 1) {
  JobSpec j;
  j.id = id;
  j.app = "A";
  j.solo_duration = seconds_to_ticks(10);
  j.gpus = gpus;
  j.gpu_milli = gpu_milli;
  return j;
}

std::int64_t request(const std::vector<JobSpec>& jobs) {
  std::int64_t total = 0;
  for (const JobSpec& j : jobs) total += std::int64_t{gpu_share_milli(j, GpuSharing::by_share)} * j.gpus;
  return total;
}

}  // namespace

TEST_CASE("issue 15: inflate shuffles the trace, then draws from it until the next job would pass the ratio") {
  const std::vector<JobSpec> trace{job("a", 600), job("b", 1000, 2), job("c", 300)};  // 2,900 milli
  // 4 GPUs x 1.3: up to 5,200 milli.
  for (std::uint64_t seed : {42, 43, 44}) {
    CAPTURE(seed);
    const std::vector<JobSpec> jobs = inflate(trace, 4, 1.3, seed);
    REQUIRE(jobs.size() >= 3);
    std::set<std::string> first{jobs[0].id, jobs[1].id, jobs[2].id};
    CHECK(first == std::set<std::string>{"a", "b", "c"});  // the trace itself, in some order
    CHECK(request(jobs) <= 5200);
    std::set<std::string> ids;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      CHECK(jobs[i].submit == static_cast<Tick>(i));
      CHECK(jobs[i].solo_duration == kMaxTicks);
      ids.insert(jobs[i].id);
    }
    CHECK(ids.size() == jobs.size());
    const std::vector<JobSpec> again = inflate(trace, 4, 1.3, seed);  // seeded
    REQUIRE(again.size() == jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) CHECK(again[i].id == jobs[i].id);
  }
  // A trace asking for more than the ratio loses jobs at random: 2 GPUs x 1.0 = 2,000 milli.
  const std::vector<JobSpec> fewer = inflate(trace, 2, 1.0, 7);
  CHECK(request(fewer) <= 2000);
  CHECK(fewer.size() <= 2);
  CHECK_THROWS_WITH_AS(inflate({}, 4, 1.3, 1), doctest::Contains("no jobs"), Error);
  CHECK_THROWS_WITH_AS(inflate(trace, 4, 0, 1), doctest::Contains("ratio"), Error);
}

TEST_CASE("issue 15: an inflated run's curves, by hand") {
  // One node of 2 GPUs; every job asks 600 of one GPU; up to 130%: 2,600 milli, four jobs
  // (a fifth would make 3,000). The first goes on GPU 0, the second on GPU 1 (400 left on GPU 0),
  // the third and fourth fit nowhere. Arrived 30, 60, 90, 120%; allocated 30, 60, 60, 60%.
  // Against the workload {600}: after the first, [400, 1000] keeps 400 a fragment: 400 / 1400 =
  // 28.57%; after the second, [400, 400] cannot take a 600: all 800 idle is fragment, 100%.
  const ClusterSpec cluster = ClusterSpec::uniform(1, 2, {"G", 16384, 1.0});
  const std::vector<JobSpec> trace{job("x", 600)};
  InflationOptions options;
  options.policies = {"fgd", "best-fit", "gpu-packing"};
  options.seeds = {42, 43};
  options.threads = 2;
  const InflationResult result = run_inflation_grid(cluster, trace, options);
  REQUIRE(result.curves.size() == 6);
  CHECK(result.max_percent == 130);
  for (const InflationCurve& c : result.curves) {
    CAPTURE(c.policy);
    CHECK(c.jobs == 4);
    CHECK(c.placed == 2);
    REQUIRE(c.allocated_pct.size() == 131);
    CHECK(std::isnan(c.allocated_pct[0]));
    CHECK(c.allocated_pct[30] == doctest::Approx(30));
    CHECK(c.allocated_pct[29] == doctest::Approx(30));  // no arrival rounds to 29: its neighbours
    CHECK(std::isnan(c.allocated_pct[45]));
    CHECK(c.allocated_pct[60] == doctest::Approx(60));
    CHECK(c.allocated_pct[90] == doctest::Approx(60));
    CHECK(c.allocated_pct[120] == doctest::Approx(60));
    CHECK(c.fragmentation_pct[30] == doctest::Approx(400.0 / 14));
    CHECK(c.fragmentation_pct[60] == doctest::Approx(100));
  }
  const auto summary = result.summary(90);
  REQUIRE(summary.size() == 3);
  CHECK(summary[0].policy == "fgd");
  CHECK(summary[0].median == doctest::Approx(40));
  CHECK(summary[0].min == doctest::Approx(40));
  CHECK(summary[0].max == doctest::Approx(40));
  CHECK(summary[0].fragmentation_median == doctest::Approx(100));
  CHECK(summary[0].jobs == 8);
  CHECK_THROWS_AS(result.summary(131), Error);
  const std::string csv = inflation_curves_csv(result);
  CHECK(csv.rfind("policy,seed,arrived_pct,allocated_pct,unallocated_pct,fragmentation_pct\nfgd,42,0,,,\n", 0) == 0);
  CHECK(csv.find("\nfgd,42,30,30.0000,70.0000,28.5714\n") != std::string::npos);
}

TEST_CASE("issue 15: the fragmentation tracker, updated node by node, equals a full measurement at every instant") {
  // Random jobs (parts of GPUs, whole GPUs, gangs, CPU requests) that come and go on nodes of
  // different sizes, models and CPUs, under fgd and best-fit.
  struct Full final : SimObserver {
    Full(const FragmentationTracker& t, std::vector<TaskShape> w) : tracker(t), workload(std::move(w)) {}
    void on_instant(Tick now, const ClusterView& cluster, std::size_t, std::size_t) override {
      double f = 0;
      std::int64_t idle = 0;
      for (NodeIndex n = 0; n < cluster.node_count(); ++n) {
        const NodeFreeResources free = node_free_resources(cluster, n);
        f += node_fragmentation(free, workload);
        idle += idle_gpu_milli(free);
      }
      ++instants;
      if (std::abs(f - tracker.fragmentation_milli()) > 1e-6 * (1 + f) || idle != tracker.idle_milli())
        mismatches.push_back("t=" + std::to_string(now) + ": " + std::to_string(f) + " vs " + std::to_string(tracker.fragmentation_milli()));
    }
    const FragmentationTracker& tracker;
    std::vector<TaskShape> workload;
    std::vector<std::string> mismatches;
    int instants = 0;
  };
  ClusterSpec cluster;
  cluster.gpu_types = {{"T4", 16384, 1.0}, {"V100", 32768, 1.0}};
  cluster.nodes = {{"a", "T4", 2, 8000, 0}, {"b", "V100", 4, 32000, 0}, {"c", "T4", 8, 0, 0}, {"d", "V100", 1, 4000, 0}};
  Rng rng(5);
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 300; ++i) {
    JobSpec j = job("j" + std::to_string(i), rng.below(2) == 0 ? 1000 : 50 + static_cast<int>(rng.below(950)));
    j.submit = seconds_to_ticks(static_cast<double>(i));
    j.solo_duration = seconds_to_ticks(1 + static_cast<double>(rng.below(60)));
    if (j.gpu_milli == 1000 && rng.below(3) == 0) j.gpus = 1 + static_cast<int>(rng.below(4));
    if (rng.below(2) == 0) j.features[kCpuMilliFeature] = static_cast<double>(rng.below(6000));
    if (rng.below(5) == 0) j.gpu_types = {"V100"};
    jobs.push_back(j);
  }
  const std::vector<TaskShape> workload = trace_workload(jobs);
  for (const char* name : {"fgd", "best-fit"}) {
    CAPTURE(name);
    auto policy = builtin_policies().make(name);
    NoInterference none;
    Simulator sim(cluster, none, *policy, SimConfig{});
    FragmentationTracker tracker(workload);
    Full full(tracker, workload);
    sim.add_observer(tracker);
    sim.add_observer(full);
    VectorJobSource source(jobs);
    sim.run(source);
    CHECK(full.instants > 300);
    CHECK(full.mismatches.empty());
    if (!full.mismatches.empty()) MESSAGE(full.mismatches.front());
  }
  CHECK_THROWS_WITH_AS(FragmentationTracker({}), doctest::Contains("no shapes"), Error);
}

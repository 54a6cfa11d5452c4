// The interference-aware policy (issue 4): the best pairing of a hand-made pair table, never a
// GPU over memory, and the experiment of docs/interference.md ("Experiment: Gavel-calibrated
// workload on 16 nodes x 4 V100") on Gavel's measured V100 pairs, run for run (about 1 s in
// Release, 6 s under ASan+UBSan).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "colosim/calibrated_model.h"
#include "colosim/calibration.h"
#include "colosim/metrics.h"
#include "colosim/pair_table.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/generator.h"
#include "colosim/traces/interference_import.h"
#include "shared_data.h"

using namespace colosim;

namespace {

JobSpec one_gpu_job(const std::string& id, const std::string& app, std::int64_t memory_mib) {
  JobSpec j;
  j.id = id;
  j.app = app;
  j.submit = 0;
  j.solo_duration = seconds_to_ticks(100);
  j.memory_mib = memory_mib;
  return j;
}

// Fails the test at the first instant at which a GPU holds more than its memory.
class MemoryWatch final : public SimObserver {
 public:
  void on_instant(Tick now, const ClusterView& cluster, std::size_t, std::size_t) override {
    for (GpuIndex g = 0; g < cluster.gpu_count(); ++g)
      if (cluster.used_mib(g) > cluster.capacity_mib(g)) {
        ++over;
        if (over == 1) FAIL_CHECK("GPU " << g << " over memory at t=" << now << ": " << cluster.used_mib(g) << " MiB");
      }
  }
  int over = 0;
};

// The experiment's workload (docs/interference.md): Gavel's job types, the one-GPU pod shapes of
// Alibaba's openb trace (memory = gpu_milli / 1000 x 16 GiB), Philly run times, Poisson arrivals.
traces::GeneratorConfig gavel_workload(std::uint64_t seed, std::int64_t jobs, int gpus, double load) {
  traces::GeneratorConfig g;
  g.seed = seed;
  g.jobs = jobs;
  g.gpu_memory_mib = 16384;
  std::vector<traces::PodShape> shapes;
  for (const auto& s : traces::builtin_openb_shapes())
    if (s.gpus == 1) shapes.push_back(s);
  // In the order load_openb_shapes() gives for the pod list filtered to num_gpu == 1 (the
  // docs' command), so that the same seed draws the same jobs.
  std::sort(shapes.begin(), shapes.end(), [](const auto& a, const auto& b) { return a.gpu_milli < b.gpu_milli; });
  g.shapes = shapes;
  g.arrival_rate = traces::arrival_rate_for_load(g, gpus, load);
  return g;
}

Summary run(const ClusterSpec& cluster, const InterferenceModel& model, const std::string& policy,
            traces::GeneratorConfig workload, SimConfig config, MemoryWatch* watch = nullptr) {
  traces::GeneratedJobSource jobs(std::move(workload));
  const auto p = builtin_policies().make(policy);
  Simulator sim(cluster, model, *p, config);
  MetricsCollector metrics;
  sim.add_observer(metrics);
  if (watch) sim.add_observer(*watch);
  sim.run(jobs);
  return metrics.summary();
}

}  // namespace

TEST_CASE("interference-aware: maximum-weight matching finds the best pairing of a hand-made table") {
  // Four jobs arrive at once on two GPUs. Benefit of a pair = 1/s(a|b) + 1/s(b|a) - 1:
  //   A+B: 1/1.0 + 1/1.25 - 1 = 0.8   (the best single pair)
  //   A+C: 1/1.25 + 1/1.25 - 1 = 0.6,  B+D: 0.6
  //   C+D: 1/2 + 1/4 - 1 = -0.25,  A+D, B+C: 1/2 + 1/2 - 1 = 0   (no gain: never shared)
  // Pairings that use both GPUs: {A+C, B+D} = 1.2 > {A+B} alone = 0.8 (C and D cannot share
  // with gain). Greedy on the best pair would take A+B and leave C or D waiting; the matching
  // takes A+C and B+D. Equal benefits go in queue order: A+C on GPU 0, B+D on GPU 1.
  PairTable table;
  auto both = [&](const std::string& a, const std::string& b, double s_ab, double s_ba) {
    table.set(a, b, s_ab);
    table.set(b, a, s_ba);
  };
  both("A", "B", 1.0, 1.25);
  both("A", "C", 1.25, 1.25);
  both("B", "D", 1.25, 1.25);
  both("C", "D", 2.0, 4.0);
  both("A", "D", 2.0, 2.0);
  both("B", "C", 2.0, 2.0);
  const ClusterSpec cluster = ClusterSpec::uniform(1, 2, GpuType{"V100", 16384, 1.0});
  std::vector<JobSpec> jobs = {one_gpu_job("a", "A", 4000), one_gpu_job("b", "B", 4000), one_gpu_job("c", "C", 4000),
                               one_gpu_job("d", "D", 4000)};
  const auto policy = builtin_policies().make("interference-aware");
  SimConfig stack;  // the jobs state no GPU share: memory and the table decide who shares
  stack.sharing = GpuSharing::stack;
  const RunResult result = simulate(cluster, jobs, table, *policy, stack);
  std::map<std::string, JobRecord> by_id;
  for (const auto& r : result.jobs) by_id[r.id] = r;
  REQUIRE(by_id.size() == 4);
  for (const char* id : {"a", "b", "c", "d"}) {
    CHECK(by_id[id].start == 0);
    REQUIRE(by_id[id].gpu_list.size() == 1);
  }
  CHECK(by_id["a"].gpu_list[0] == 0);
  CHECK(by_id["c"].gpu_list[0] == 0);
  CHECK(by_id["b"].gpu_list[0] == 1);
  CHECK(by_id["d"].gpu_list[0] == 1);
  // Memory decides too: with C too large to share, A+B is the best pairing left.
  jobs[2].memory_mib = 14000;
  const auto again = builtin_policies().make("interference-aware");
  const RunResult second = simulate(cluster, jobs, table, *again, stack);
  for (const auto& r : second.jobs) by_id[r.id] = r;
  CHECK(by_id["a"].start == 0);
  CHECK(by_id["b"].start == 0);
  CHECK(by_id["a"].gpu_list == by_id["b"].gpu_list);
  CHECK(by_id["c"].start == 0);  // alone on the other GPU (C and D share with no gain)
  CHECK(by_id["d"].start > 0);   // waits
}

TEST_CASE("interference-aware: never places a GPU over memory, even when the core would allow it") {
  // Under MemoryMode::overcommit the core accepts an over-full GPU (and fails a job out of
  // memory later); the policy must still keep every GPU within its memory. Jobs of every
  // one-GPU openb share (memory 0.05 to 1 x 16 GiB), offered at three times the capacity.
  PairTableOptions options;
  options.unknown_pair_slowdown = 1.3;
  const PairTable table(options);
  const ClusterSpec cluster = ClusterSpec::uniform(4, 4, GpuType{"V100", 16384, 1.0});
  for (MemoryMode mode : {MemoryMode::enforce, MemoryMode::overcommit}) {
    SimConfig config;
    config.memory = mode;
    config.seed = 3;
    MemoryWatch watch;
    const Summary s = run(cluster, table, "interference-aware", gavel_workload(3, 400, 16, 3.0), config, &watch);
    CHECK(watch.over == 0);
    CHECK(s.oom_events == 0);
    CHECK(s.finished == 400);
  }
}

TEST_CASE("interference-aware: lowest mean JCT on the Gavel V100 workload (docs experiment)") {
  auto path = shared_data_file("gavel-colocation/simulation_throughputs.json");
  if (!path) return;
  // The model of `colosim calibrate --data .../simulation_throughputs.json`, with its CV search
  // cut to the point it picks on this file (rank 4, factor ridge 0.3, shared interaction ridge
  // 0.3): the same fit, without the cost of the search. Measured pairs are served as measured;
  // only the 48 withheld pairs use the fit.
  const InterferenceData data = traces::import_gavel_throughputs(path->string());
  CalibrationOptions options;
  options.ranks = {4};
  options.factor_lambdas = {0.3};
  options.shared_factor_lambdas = {0.3};
  const CalibratedModel model(calibrate(data, options));

  // The whole experiment of docs/interference.md, run for run (it takes about a second in
  // Release): 2,000 jobs per seed, seeds 1-5, load 2 on 16 x 4 V100. The mean JCT order is
  // robust and asserted. The makespan is the end of the longest Philly job (about 2.7 M s
  // alone), so its ordering is fragile and not asserted: the same jobs with their GPU shares
  // drawn in another order gave binpack and load-balance a lower mean makespan, and since the
  // matching is exact (issue 10 #2; Boost's was not always maximal) exclusive and binpack have a
  // lower mean makespan than interference-aware (2.76 and 2.78 M s against 2.80 M s).
  constexpr int kSeeds = 5;
  const ClusterSpec cluster = ClusterSpec::uniform(16, 4, GpuType{"v100", 16384, 1.0});
  const std::vector<std::string> policies = {"exclusive",  "random",       "binpack",
                                             "standalone", "load-balance", "interference-aware"};
  std::map<std::string, double> jct, makespan;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed)
    for (const auto& policy : policies) {
      SimConfig config;
      config.seed = seed;
      config.backfill_depth = 0;  // as colosim compare
      const Summary s = run(cluster, model, policy, gavel_workload(seed, 2000, cluster.total_gpus(), 2.0), config);
      REQUIRE(s.finished == 2000);
      jct[policy] += s.jct_mean_s / kSeeds;
      makespan[policy] += s.makespan_s / kSeeds;
    }
  for (const auto& policy : policies) {
    MESSAGE(policy << ": mean JCT " << jct[policy] << " s, makespan " << makespan[policy] << " s");
    if (policy == "interference-aware") continue;
    CHECK(jct["interference-aware"] < jct[policy]);
  }
}

TEST_CASE("issue 10 #2: interference-aware runs where Boost's matching crashed (equal weights, 12 jobs)") {
  // 12 single-GPU jobs of 12 applications at t=0 on one idle GPU, so the first pass matches
  // pending jobs with each other: an edge (benefit 2/1.25 - 1 = 0.6, all equal) where the pair
  // table says 1.25, none where it says 3 (2/3 - 1 < 0). This graph, edges in this order,
  // made Boost 1.74's maximum_weighted_matching overflow its stack (boostorg/graph #199).
  const int edges[][2] = {{0, 1}, {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}, {0, 9}, {1, 3}, {1, 5}, {1, 8}, {1, 9},
                          {2, 6}, {2, 11}, {3, 4}, {3, 5}, {3, 7}, {3, 8}, {3, 10}, {4, 8}, {4, 10}, {5, 6}, {5, 7},
                          {5, 8}, {6, 7}, {6, 10}, {6, 11}, {7, 9}, {7, 10}, {7, 11}, {8, 9}, {8, 11}, {9, 10}, {9, 11}};
  auto app = [](int i) { return "a" + std::to_string(i); };
  PairTable table;
  for (int i = 0; i < 12; ++i)
    for (int k = 0; k < 12; ++k) table.set(app(i), app(k), 3.0);
  for (const auto& e : edges) {
    table.set(app(e[0]), app(e[1]), 1.25);
    table.set(app(e[1]), app(e[0]), 1.25);
  }
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 12; ++i) {
    jobs.push_back(one_gpu_job("j" + std::to_string(i), app(i), 100));
    jobs.back().solo_duration = 100 * kTicksPerSecond;
    jobs.back().gpu_milli = 50;
  }
  auto policy = builtin_policies().make("interference-aware");
  for (auto discipline : {QueueDiscipline::fifo, QueueDiscipline::backfill}) {
    CAPTURE(to_string(discipline));
    SimConfig config;
    config.discipline = discipline;
    const RunResult result = simulate(ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}), jobs, table, *policy, config);
    CHECK(result.summary.finished == 12);
    // The first pass shares the idle GPU between a matched pair (sharing gains 0.6).
    CHECK(std::count_if(result.jobs.begin(), result.jobs.end(), [](const JobRecord& r) { return r.start == 0; }) == 2);
  }
}

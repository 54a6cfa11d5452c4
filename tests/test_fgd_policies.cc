// The FGD paper's policies (issue 15): fgd, best-fit, dot-product, gpu-packing, gpu-clustering and
// random:pick=node, each choosing a node and GPU on a small cluster worked out by hand.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "checked_run.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"

using namespace colosim;

namespace {

// Three nodes of 2 GPUs: node 0 (GPUs 0-1, 64 CPUs), node 1 (GPUs 2-3, 128 CPUs), node 2 (GPUs
// 4-5, 128 CPUs). Before the job under test arrives (at 1 s), the jobs placed at 0 leave free:
// GPU 0: 400 (a part of 600 taken), GPU 1: 1000, GPU 2: 800 (200 taken), GPU 3: 0 (a whole GPU
// taken), GPUs 4 and 5: 1000.
ClusterSpec cluster() {
  ClusterSpec c = ClusterSpec::uniform(3, 2, {"G", 16384, 1.0});
  const std::int64_t cpus[] = {64000, 128000, 128000};
  for (int n = 0; n < 3; ++n) c.nodes[n].cpu_milli = cpus[n];
  return c;
}

JobSpec job(const std::string& id, int gpu_milli, std::int64_t cpu_milli, double submit) {
  JobSpec j;
  j.id = id;
  j.app = "A";
  j.submit = seconds_to_ticks(submit);
  j.solo_duration = seconds_to_ticks(1000);
  j.memory_mib = 100;
  j.gpu_milli = gpu_milli;
  if (cpu_milli > 0) j.features[kCpuMilliFeature] = static_cast<double>(cpu_milli);
  return j;
}

// Places the jobs that set the scene where the test says, then lets the policy under test decide.
class Scripted final : public PlacementPolicy {
 public:
  Scripted(std::shared_ptr<PlacementPolicy> inner, std::map<std::string, GpuIndex> script)
      : inner_(std::move(inner)), script_(std::move(script)) {}
  void begin_run(const ClusterView& cluster) override { inner_->begin_run(cluster); }
  bool uses_target_workload() const override { return inner_->uses_target_workload(); }
  void schedule(SchedulingPass& pass) override {
    if (pass.now() > 0) return inner_->schedule(pass);
    for (const PendingJob& p : pass.pending()) {
      const GpuIndex g = script_.at(p.spec->id);
      pass.place(p, std::span<const GpuIndex>(&g, 1));
    }
  }

 private:
  std::shared_ptr<PlacementPolicy> inner_;
  std::map<std::string, GpuIndex> script_;
};

// The GPUs the job under test ("t") got from `policy_name`.
std::vector<GpuIndex> placed(const std::string& policy_name, int gpu_milli, std::int64_t cpu_milli, std::uint64_t seed = 1,
                             std::vector<TaskShape> workload = {}) {
  Scripted policy(builtin_policies().make(policy_name), {{"s0", 0}, {"s1", 2}, {"s2", 3}});
  SimConfig config;
  config.seed = seed;
  config.target_workload = std::move(workload);
  NoInterference none;
  const std::vector<JobSpec> jobs{job("s0", 600, 0, 0), job("s1", 200, 0, 0), job("s2", 1000, 0, 0), job("t", gpu_milli, cpu_milli, 1)};
  const testing::CheckedRun run = testing::run_checked(cluster(), jobs, none, policy, config);
  CHECK(run.violations == "");
  for (const JobRecord& r : run.records)
    if (r.id == "t" && r.start == seconds_to_ticks(1)) return r.gpu_list;
  return {};
}

// Two shapes, equally popular: a half GPU and a whole GPU.
std::vector<TaskShape> half_and_whole() {
  TaskShape half, whole;
  half.gpu_milli = 500;
  half.weight = 0.5;
  whole.gpu_milli = 1000;
  whole.weight = 0.5;
  return {half, whole};
}

}  // namespace

TEST_CASE("issue 15: fgd places where fragmentation grows least, by hand") {
  // Against {half GPU, whole GPU} (p = 1/2 each), F = 400 on node 0 ([400, 1000]: the 400 left
  // is a fragment for both shapes), 400 on node 1 ([800, 0]: no whole GPU, all 800 for the
  // whole shape), 0 on node 2.
  // A 300 job: on GPU 0, node 0 becomes [100, 1000], F = 100: score floor(100 sigmoid(0.3)) = 57;
  // on GPU 1 [400, 700], F = 750: 41. Node 1, GPU 2 [500, 0], F = 250: 53. Node 2 [700, 1000],
  // F = 350: 41. GPU 0 wins.
  CHECK(placed("fgd", 300, 1000, 1, half_and_whole()) == std::vector<GpuIndex>{0});
  // A 600 job: node 0 only on GPU 1 ([400, 400], F = 800): 40; node 1 on GPU 2 ([200, 0],
  // F = 200): 54; node 2 ([400, 1000], F = 400): 40. GPU 2, where best-fit would not go.
  CHECK(placed("fgd", 600, 0, 1, half_and_whole()) == std::vector<GpuIndex>{2});
  // Learnt from the arrivals instead ({600: 1/2, 1000: 1/4, 200: 1/4}: the three jobs there and
  // the job itself): node 0 F 300 -> 600 (42), node 1 200 -> 150 (51), node 2 0 -> 300 (42).
  CHECK(placed("fgd", 600, 0) == std::vector<GpuIndex>{2});
}

TEST_CASE("issue 15: best-fit leaves the least CPU and GPU free, by hand") {
  // 300 with 1 CPU: trunc(100 (1 - (0.5 cpu_left / 128000 + 0.5 gpu_left / 8000))):
  // node 0: 63000 and 1100 -> 68; node 1: 127000 and 500 -> 47; node 2: 127000, 1700 -> 39.
  // On node 0, the fitting GPU with the least free share: GPU 0 (400).
  CHECK(placed("best-fit", 300, 1000) == std::vector<GpuIndex>{0});
  // 600, no CPU: node 0: 64000, 800 -> 70; node 1: 128000, 200 -> 48; node 2: 41. GPU 1 (GPU 0
  // has 400 free).
  CHECK(placed("best-fit", 600, 0) == std::vector<GpuIndex>{1});
}

TEST_CASE("issue 15: dot-product goes where the request aligns least with what is free; ties by the ties rule") {
  // 500 with 64 CPUs: trunc(100 (1 - dot / 2)), dot = cpu_free/128000 * 0.5 + gpu_free/8000 * 0.0625:
  // node 0: 0.25 + 0.0109375 -> 86; node 1: 0.5 + 0.00625 -> 74; node 2: 0.5 + 0.015625 -> 74.
  // Node 0, its only GPU with 500 free: GPU 1.
  CHECK(placed("dot-product", 500, 64000) == std::vector<GpuIndex>{1});
  // 300 with 1 CPU: every node scores 99. By default (ties=first, the FGD simulator's smallest
  // node name) the first node, whatever the seed: GPU 0, its fitting GPU with the least free.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) CHECK(placed("dot-product", 300, 1000, seed) == std::vector<GpuIndex>{0});
  // ties=random: the seed picks among them, each node now and then.
  std::set<GpuIndex> seen;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const auto gpus = placed("dot-product:ties=random", 300, 1000, seed);
    REQUIRE(gpus.size() == 1);
    seen.insert(gpus[0]);
    CHECK(gpus == placed("dot-product:ties=random", 300, 1000, seed));  // the same seed, the same choice
  }
  CHECK(seen == std::set<GpuIndex>{0, 2, 4});
  CHECK_THROWS_WITH(builtin_policies().make("fgd:ties=last"),
                    "policy 'fgd': parameter 'ties' must be first or random, got 'last'");
}

TEST_CASE("issue 15: gpu-packing fills GPUs in use, then idle GPUs of busy nodes, then idle nodes") {
  // 300: node 0 on GPU 0 (400 free): max(100 - floor(40 / 10), 50) = 96; node 1 on GPU 2 (800):
  // 92; node 2, idle: max(33 - 2, 2) = 31.
  CHECK(placed("gpu-packing", 300, 0) == std::vector<GpuIndex>{0});
  // A whole GPU: node 0 on its idle GPU 1: max(50 - 1, 33) = 49; node 1 has no room; node 2: 31.
  CHECK(placed("gpu-packing", 1000, 0) == std::vector<GpuIndex>{1});
}

TEST_CASE("issue 15: gpu-clustering gathers jobs of one kind") {
  // 300 (a part of one GPU): node 0 runs only parts: 75 + floor(25 * 6600 / 8000) = 95; node 1
  // runs parts and a whole GPU: 50 + 22 = 72; node 2 runs nothing: 25 + 18 = 43.
  CHECK(placed("gpu-clustering", 300, 0) == std::vector<GpuIndex>{0});
  // A whole GPU: node 0 runs only parts: 0 + 20; node 2: 43. The lower of its idle GPUs: 4.
  CHECK(placed("gpu-clustering", 1000, 0) == std::vector<GpuIndex>{4});
}

TEST_CASE("issue 15: random:pick=node draws a node uniformly, then a fitting GPU") {
  // A 300 job may go to nodes 0, 1, 2; on them to GPUs 0 or 1, 2 (not 3: full), 4 or 5.
  std::map<NodeIndex, int> nodes;
  std::set<GpuIndex> gpus;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    const auto g = placed("random:pick=node", 300, 0, seed);
    REQUIRE(g.size() == 1);
    gpus.insert(g[0]);
    ++nodes[g[0] / 2];
  }
  CHECK(gpus == std::set<GpuIndex>{0, 1, 2, 4, 5});
  for (const auto& [node, count] : nodes) {
    CAPTURE(node);
    CHECK(count > 70);  // 100 expected of 300; below 71 has probability < 1e-4
    CHECK(count < 130);
  }
}

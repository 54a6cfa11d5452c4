// Issue 15: the fragmentation metric of Weng et al. (ATC '23), hand-worked.
#include <doctest/doctest.h>

#include "checked_run.h"
#include "colosim/errors.h"
#include "colosim/fragmentation.h"
#include "colosim/number_text.h"
#include "colosim/policies/builtin.h"
#include "colosim/rng.h"

using namespace colosim;

TEST_CASE("issue 15: fragmentation of two nodes for a three-shape workload, by hand") {
  // Workload: a half-GPU task with 2 CPUs (p 0.5), a 2-GPU task with 4 CPUs (0.25), a CPU-only
  // task (0.25).
  const std::vector<TaskShape> workload = {{2000, 500, 1, {}, 0.5}, {4000, 1000, 2, {}, 0.25}, {1000, 0, 0, {}, 0.25}};
  // Node a: 8 free CPUs, GPUs with 1000 and 300 free. The half-GPU task fits (GPU 0): GPU 1's 300
  // are too small for it, its fragment. The 2-GPU task needs two whole free GPUs: all 1300 idle
  // are fragment; so for the CPU-only task. F = 0.5 x 300 + 0.25 x 1300 + 0.25 x 1300 = 800.
  const NodeFreeResources a{8000, {1000, 300}, "T4"};
  CHECK(task_fragment(a, workload[0]) == 300);
  CHECK(task_fragment(a, workload[1]) == 1300);
  CHECK(task_fragment(a, workload[2]) == 1300);
  CHECK(node_fragmentation(a, workload) == doctest::Approx(800));
  // Node b: 3 free CPUs, two whole free GPUs. The half-GPU task fits with nothing too small (0);
  // the 2-GPU task lacks CPU (all 2000); the CPU-only task: all 2000. F = 0 + 500 + 500 = 1000.
  const NodeFreeResources b{3000, {1000, 1000}, "T4"};
  CHECK(task_fragment(b, workload[0]) == 0);
  CHECK(task_fragment(b, workload[1]) == 2000);
  CHECK(node_fragmentation(b, workload) == doctest::Approx(1000));
  // Cluster: 1800 of 3300 idle milli-GPU, a ratio of 54.5%.
  CHECK(idle_gpu_milli(a) + idle_gpu_milli(b) == 3300);
  CHECK((node_fragmentation(a, workload) + node_fragmentation(b, workload)) / 3300 == doctest::Approx(1800.0 / 3300));
  // A task that allows only A10 GPUs cannot use a T4 node: all idle is fragment.
  CHECK(task_fragment(b, {1000, 500, 1, {"A10"}, 1}) == 2000);
  CHECK(task_fragment(b, {1000, 500, 1, {"A10", "T4"}, 1}) == 0);
  // A node without GPUs has nothing to fragment.
  CHECK(task_fragment({8000, {}, ""}, workload[0]) == 0);
}

TEST_CASE("issue 15: the target workload keeps the most popular shapes up to the coverage") {
  // 10 tasks: 5 of shape x, 3 of y, 1 of z, 1 of w. At 80% coverage x and y stay (8 of 10),
  // renormalised to 5/8 and 3/8. z and w tie in popularity: the larger shape (more CPU) first.
  const TaskShape x{1000, 500, 1, {}, 1}, y{2000, 1000, 1, {}, 1}, z{3000, 1000, 2, {}, 1}, w{500, 1000, 1, {}, 1};
  std::vector<TaskShape> tasks;
  for (int i = 0; i < 5; ++i) tasks.push_back(x);
  for (int i = 0; i < 3; ++i) tasks.push_back(y);
  tasks.push_back(w);
  tasks.push_back(z);
  const auto kept = typical_shapes(tasks, 0.8);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].cpu_milli == 1000);
  CHECK(kept[0].weight == doctest::Approx(5.0 / 8));
  CHECK(kept[1].weight == doctest::Approx(3.0 / 8));
  const auto most = typical_shapes(tasks, 0.9);
  REQUIRE(most.size() == 3);
  CHECK(most[2].cpu_milli == 3000);  // z before w
  CHECK(most[2].weight == doctest::Approx(1.0 / 9));
  CHECK(typical_shapes(tasks, 1.0).size() == 4);
  // Allowed models in another order are the same shape.
  CHECK(typical_shapes({{1000, 500, 1, {"T4", "A10"}, 1}, {1000, 500, 1, {"A10", "T4"}, 1}}, 1.0).size() == 1);
  CHECK_THROWS_AS(typical_shapes(tasks, 0), Error);
  CHECK_THROWS_AS(typical_shapes({}, 0.95), Error);
}

TEST_CASE("issue 15: a run's summary reports the time-weighted mean fragmentation ratio, by hand") {
  // One node of 2 GPUs, workload {600 of one GPU}. first-fit: a (600, 0-100 s) on GPU 0: [400,
  // 1000], F = 400 of 1400 idle (2/7); b (600, 50-150 s) on GPU 1: [400, 400], F = 800 of 800 (1);
  // a ends: [1000, 400], 2/7; b ends at 150. Mean over 0-150: (2/7 + 1 + 2/7) / 3 = 11/21.
  auto job = [](const std::string& id, double submit, double seconds) {
    JobSpec j;
    j.id = id;
    j.app = "A";
    j.submit = seconds_to_ticks(submit);
    j.solo_duration = seconds_to_ticks(seconds);
    j.gpu_milli = 600;
    return j;
  };
  const std::vector<JobSpec> jobs{job("a", 0, 100), job("b", 50, 100)};
  TaskShape shape;
  shape.gpu_milli = 600;
  SimConfig config;
  config.target_workload = {shape};
  NoInterference none;
  auto policy = builtin_policies().make("first-fit");
  const ClusterSpec cluster = ClusterSpec::uniform(1, 2, {"G", 16384, 1.0});
  const testing::CheckedRun checked = testing::run_checked(cluster, jobs, none, *policy, config);
  CHECK(checked.violations == "");
  CHECK(checked.text.find("fragmentation_ratio_mean=" + shortest_text(11.0 / 21)) != std::string::npos);
  CHECK(simulate(cluster, jobs, none, *policy, config).summary.fragmentation_ratio_mean == doctest::Approx(11.0 / 21));
  // Without a target workload nothing is measured.
  CHECK(simulate(cluster, jobs, none, *policy, SimConfig{}).summary.fragmentation_ratio_mean == 0);
  // The typical shapes of the trace are that one shape.
  SpanJobSource source(jobs);
  const std::vector<TaskShape> typical = typical_shapes_of(source);
  REQUIRE(typical.size() == 1);
  CHECK(typical[0] == shape);
}

TEST_CASE("issue 15: F_n after taking a part of one GPU, from counts per shape, equals measuring it afresh") {
  Rng rng(11);
  const std::vector<std::string> models{"T4", "V100"};
  for (int trial = 0; trial < 2000; ++trial) {
    CAPTURE(trial);
    std::vector<TaskShape> workload;
    const int shapes = 1 + static_cast<int>(rng.below(6));
    for (int m = 0; m < shapes; ++m) {
      TaskShape s;
      s.cpu_milli = static_cast<std::int64_t>(rng.below(4)) * 2000;
      s.gpus = static_cast<int>(rng.below(4));  // 0: CPU-only
      s.gpu_milli = rng.below(2) == 0 ? 1000 : 1 + static_cast<int>(rng.below(1000));
      if (rng.below(4) == 0) s.gpu_models = {models[rng.below(2)]};
      s.weight = 1.0 / shapes;
      workload.push_back(s);
    }
    NodeFreeResources node;
    node.cpu_milli = static_cast<std::int64_t>(rng.below(10)) * 1000;
    node.gpu_model = models[rng.below(2)];
    const int gpus = 1 + static_cast<int>(rng.below(8));
    for (int g = 0; g < gpus; ++g) node.gpu_milli.push_back(rng.below(3) == 0 ? 1000 : static_cast<int>(rng.below(1001)));
    const NodeFragmentationDelta delta(node, workload);
    CHECK(delta.before() == doctest::Approx(node_fragmentation(node, workload)));
    const auto gpu = static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(gpus)));
    const int share = static_cast<int>(rng.below(static_cast<std::uint64_t>(node.gpu_milli[gpu]) + 1));
    const auto cpu = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(node.cpu_milli) + 1));
    NodeFreeResources after = node;
    after.gpu_milli[gpu] -= share;
    after.cpu_milli -= cpu;
    CHECK(delta.after_taking(gpu, share, cpu) == doctest::Approx(node_fragmentation(after, workload)));
  }
}

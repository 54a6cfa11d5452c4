// Issue 15: the fragmentation metric of Weng et al. (ATC '23), hand-worked.
#include <doctest/doctest.h>

#include "colosim/errors.h"
#include "colosim/fragmentation.h"

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

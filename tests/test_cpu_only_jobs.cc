// CPU-only jobs (gpus 0, issue 15): they take node CPU and host memory and no GPU, so they
// compete with GPU jobs for the CPU of GPU nodes, as the CPU-only pods of Alibaba's openb trace do.
#include <doctest/doctest.h>

#include <map>

#include "checked_run.h"
#include "node_resource_fixtures.h"
#include "colosim/contract_checker.h"
#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"

using namespace colosim;

namespace {

using testing::cluster;
using testing::job;

struct Outcome {
  std::map<std::string, JobRecord> jobs;
  std::string violations;
  std::string text;
};

Outcome run(const std::string& policy_name, const ClusterSpec& spec, const std::vector<JobSpec>& jobs,
            SimConfig config = {}) {
  auto policy = builtin_policies().make(policy_name);
  NoInterference none;
  testing::CheckedRun run = testing::run_checked(spec, jobs, none, *policy, config);
  Outcome out;
  for (const JobRecord& r : run.records) out.jobs[r.id] = r;
  out.violations = run.violations;
  out.text = run.text;
  return out;
}

double s(Tick t) { return ticks_to_seconds(t); }

std::vector<std::string> every_policy() {
  const PolicyRegistry registry = builtin_policies();
  std::vector<std::string> names;
  for (const PolicyInfo* info : registry.list()) names.push_back(info->name == "gavel" ? "gavel:round=100" : info->name);
  names.push_back("random:pick=node");
  return names;
}

}  // namespace

TEST_CASE("issue 15: a CPU-only job is valid without GPU fields and invalid with them") {
  JobSpec c = job("c", 0, 10, 2000);
  CHECK_FALSE(find_problem(c).has_value());
  c.memory_mib = 5;
  CHECK(find_problem(c)->field == "memory_mib");
  c.memory_mib = 0;
  c.gpu_milli = 500;
  CHECK(find_problem(c)->field == "gpu_milli");
  c.gpu_milli = 0;
  c.gpu_types = {"G"};
  CHECK(find_problem(c)->problem == "a CPU-only job (gpus 0) cannot constrain the GPU type");
  c.gpus = -1;
  c.gpu_types.clear();
  CHECK(find_problem(c)->problem == "must be at least 0 (0: a CPU-only job), got -1");
  CHECK(gpu_share_milli(job("c", 0, 1, 0), GpuSharing::by_share) == 0);
}

TEST_CASE("issue 15: a CPU-only job holds node CPU that a GPU job then waits for, under every policy") {
  // One node, 2 GPUs, 8 CPUs. c (CPU-only, 6 CPUs, 100 s) starts at 0; g (1 GPU, 4 CPUs, 50 s,
  // at 1 s) finds idle GPUs but 2 CPUs free: it starts when c ends, at 100, and ends at 150.
  // The reverse: h (1 GPU, 6 CPUs) holds the CPU, d (CPU-only, 4 CPUs, 30 s) waits until 100.
  const ClusterSpec spec = cluster(1, 2, 8000);
  for (const std::string& name : every_policy()) {
    CAPTURE(name);
    const Outcome a = run(name, spec, {job("c", 0, 100, 6000), job("g", 1, 50, 4000, 0, 1)});
    CHECK(a.violations == "");
    const JobRecord& c = a.jobs.at("c");
    CHECK(c.outcome == JobOutcome::finished);
    CHECK(s(c.start) == 0);
    CHECK(s(c.end) == 100);
    CHECK(c.node == 0);
    CHECK(c.gpu_list.empty());
    CHECK(c.attained_gpu_ticks == 0);
    CHECK(c.note.find("CPU only, on node 'node0'") == 0);
    CHECK(s(a.jobs.at("g").start) == 100);
    CHECK(s(a.jobs.at("g").end) == 150);

    const Outcome b = run(name, spec, {job("h", 1, 100, 6000), job("d", 0, 30, 4000, 0, 1)});
    CHECK(b.violations == "");
    CHECK(s(b.jobs.at("d").start) == 100);
    CHECK(s(b.jobs.at("d").end) == 130);

    SimConfig ignore;
    ignore.node_resources = NodeResources::ignore;
    const Outcome free = run(name, spec, {job("c", 0, 100, 6000), job("g", 1, 50, 4000, 0, 1)}, ignore);
    CHECK(free.violations == "");
    CHECK(s(free.jobs.at("g").start) == (name == "gavel:round=100" ? 100 : 1));  // gavel starts jobs at its rounds
  }
}

TEST_CASE("issue 15: CPU-only jobs no node can hold are unschedulable; one still waiting is never-started") {
  // Nodes of 8 CPUs and 32 GiB: 9 CPUs never fit, nor 40 GiB; w waits behind c past the stop.
  const ClusterSpec spec = cluster(2, 1, 8000, 32768);
  SimConfig config;
  config.stop_at = seconds_to_ticks(50);
  const Outcome out = run("first-fit", spec,
                          {job("cpu", 0, 10, 9000), job("host", 0, 10, 0, 40960, 0), job("c1", 0, 100, 8000),
                           job("c2", 0, 100, 8000), job("w", 0, 10, 1000, 0, 1)},
                          config);
  CHECK(out.violations == "");
  CHECK(out.jobs.at("cpu").outcome == JobOutcome::unschedulable);
  CHECK(out.jobs.at("cpu").note == "needs 9000 milli-CPU and 0 MiB of host memory on one node; no node has that much");
  CHECK(out.jobs.at("host").outcome == JobOutcome::unschedulable);
  CHECK(out.jobs.at("c1").outcome == JobOutcome::unfinished);
  CHECK(out.jobs.at("w").outcome == JobOutcome::never_started);
  CHECK(out.jobs.at("w").note.find("still waiting for node CPU or host memory at the end of simulated time") == 0);
}

TEST_CASE("issue 15: where each policy puts a CPU-only job") {
  // Node 0 (type A) and node 1 (type B): 1 GPU and 4 CPUs each. g (1 GPU of type A, 1 CPU)
  // runs on node 0, its GPU full. Then c (CPU-only, 2 CPUs) arrives. Target workload: one
  // shape, a whole GPU with 3 CPUs.
  //  - fgd: on node 0 no GPU is free before or after (F 0 -> 0, score 50); on node 1 the idle
  //    GPU could take the shape before (4 >= 3 CPUs) and not after (2 CPUs): F 0 -> 1000,
  //    score trunc(100 sigmoid(-1)) = 26. Node 0.
  //  - best-fit: node 0 trunc(100 (1 - (0.5 * 1000/128000 + 0))) = 99, node 1
  //    trunc(100 (1 - (0.5 * 2000/128000 + 0.5 * 1000/8000))) = 92. Node 0.
  //  - binpack packs by the share of CPU requested: node 0 (3/4) over node 1 (2/4).
  //  - dot-product: trunc(100 (1 - (cpu_free/128000)(2000/128000)/2)) = 99 on both; gpu-packing
  //    and gpu-clustering score 0 on both: ties, so the first node (ties=first).
  //  - the default, LeastAllocated, spreads: node 1.
  ClusterSpec spec;
  spec.gpu_types = {{"A", 16384, 1.0}, {"B", 16384, 1.0}};
  spec.nodes = {{"n0", "A", 1, 4000, 0}, {"n1", "B", 1, 4000, 0}};
  JobSpec g = job("g", 1, 100, 1000);
  g.gpu_types = {"A"};
  const std::vector<JobSpec> jobs{g, job("c", 0, 10, 2000, 0, 1)};
  SimConfig config;
  config.target_workload = {TaskShape{3000, 1000, 1, {}, 1.0}};
  const std::map<std::string, NodeIndex> expected{
      {"fgd", 0},       {"best-fit", 0},  {"binpack", 0},      {"dot-product", 0},
      {"gpu-packing", 0}, {"gpu-clustering", 0}, {"first-fit", 1}, {"load-balance", 1}, {"exclusive", 1}};
  for (const auto& [name, node] : expected) {
    CAPTURE(name);
    const Outcome out = run(name, spec, jobs, config);
    CHECK(out.violations == "");
    CHECK(out.jobs.at("g").gpu_list == std::vector<GpuIndex>{0});
    CHECK(out.jobs.at("c").node == node);
  }
}

TEST_CASE("issue 15: a policy that puts a CPU-only job on a full or missing node gets a PolicyError") {
  struct Stubborn final : PlacementPolicy {
    void schedule(SchedulingPass&) override {}
    std::optional<NodeIndex> choose_node(SchedulingPass&, const JobSpec&) override { return node; }
    NodeIndex node = 0;
  } stubborn;
  NoInterference none;
  const std::vector<JobSpec> jobs{job("a", 0, 100, 6000), job("b", 0, 50, 4000)};
  CHECK_THROWS_WITH_AS(simulate(cluster(1, 2, 8000), jobs, none, stubborn),
                       doctest::Contains("CPU-only job 'b' does not fit in the CPU and host memory of node 'node0'"), PolicyError);
  stubborn.node = 3;
  CHECK_THROWS_WITH_AS(simulate(cluster(1, 2, 8000), jobs, none, stubborn),
                       doctest::Contains("CPU-only job 'a' placed on node 3, which does not exist"), PolicyError);
}

TEST_CASE("issue 15: CPU-only jobs count in the fragmentation measured as runs go") {
  // One node, 1 GPU, 4 CPUs; workload: a whole GPU with 3 CPUs. c (CPU-only, 2 CPUs, 0-10 s)
  // leaves 2 CPUs: the idle GPU is a fragment (ratio 1) for 10 s of the 20 s makespan, then
  // free again (0): mean 0.5.
  SimConfig config;
  config.target_workload = {TaskShape{3000, 1000, 1, {}, 1.0}};
  const Outcome out = run("fgd", cluster(1, 1, 4000), {job("c", 0, 10, 2000), job("d", 0, 10, 0, 0, 10)}, config);
  CHECK(out.violations == "");
  CHECK(out.text.find("fragmentation_ratio_mean=0.5\n") != std::string::npos);
}

TEST_CASE("issue 15: same seed, same bytes with CPU-only jobs under random placement") {
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 60; ++i) jobs.push_back(job("j" + std::to_string(i), i % 3 == 0 ? 0 : 1, 5 + i % 7, 1000 * (i % 5), i));
  const Outcome a = run("random:pick=node", cluster(4, 2, 6000), jobs);
  const Outcome b = run("random:pick=node", cluster(4, 2, 6000), jobs);
  CHECK(a.violations == "");
  CHECK(a.text == b.text);
}

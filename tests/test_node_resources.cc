// Node CPU and host memory as resources (issue 15): a placement must fit the free CPU and host
// memory of each node it uses, under every policy, unless the run ignores them.
#include <doctest/doctest.h>

#include <map>

#include "checked_run.h"
#include "node_resource_fixtures.h"
#include "colosim/contract_checker.h"
#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/run_options.h"
#include "colosim/simulator.h"

using namespace colosim;

namespace {

using testing::cluster;
using testing::job;

struct Outcome {
  std::map<std::string, JobRecord> jobs;
  std::string violations;
};

Outcome run(const std::string& policy_name, const ClusterSpec& spec, const std::vector<JobSpec>& jobs,
            NodeResources mode = NodeResources::enforce) {
  auto policy = builtin_policies().make(policy_name);
  SimConfig config;
  config.node_resources = mode;
  NoInterference none;
  testing::CheckedRun run = testing::run_checked(spec, jobs, none, *policy, config);
  Outcome out;
  for (const JobRecord& r : run.records) out.jobs[r.id] = r;
  out.violations = run.violations;
  return out;
}

double s(Tick t) { return ticks_to_seconds(t); }

std::vector<std::string> every_policy() {
  const PolicyRegistry registry = builtin_policies();
  std::vector<std::string> names;
  // gavel re-decides in rounds: rounds of 100 s, the first job's length, keep the timeline exact.
  for (const PolicyInfo* info : registry.list()) names.push_back(info->name == "gavel" ? "gavel:round=100" : info->name);
  return names;
}

}  // namespace

TEST_CASE("issue 15: node resource modes parse, print and default to enforce") {
  CHECK(SimConfig{}.node_resources == NodeResources::enforce);
  for (NodeResources r : {NodeResources::enforce, NodeResources::ignore}) CHECK(parse_node_resources(to_string(r)) == r);
  CHECK_THROWS_WITH_AS(parse_node_resources("off"), doctest::Contains("expected enforce or ignore"), Error);
  RunOptions options;
  set_run_option(options, "node_resources", "ignore");
  CHECK(options.sim.node_resources == NodeResources::ignore);
}

TEST_CASE("issue 15: a gang's CPU and host memory are split over its nodes by its GPUs there, rounded up") {
  CHECK(ClusterView::node_part(12000, 2, 4) == 6000);
  CHECK(ClusterView::node_part(10000, 2, 3) == 6667);
  CHECK(ClusterView::node_part(10000, 1, 3) == 3334);
  CHECK(ClusterView::node_part(7, 1, 1) == 7);
  CHECK(ClusterView::node_part(0, 3, 8) == 0);
}

TEST_CASE("issue 15: a job waits for node CPU while a GPU is idle, under every policy; ignore lifts it") {
  // One node, 2 GPUs, 8 CPUs. a (6 CPUs, 100 s) starts at 0; b (4 CPUs, 50 s) finds an idle GPU
  // but 2 CPUs free: it starts when a ends, at 100, and ends at 150. Ignored: b runs 0-50.
  const ClusterSpec spec = cluster(1, 2, 8000);
  const std::vector<JobSpec> jobs{job("a", 1, 100, 6000), job("b", 1, 50, 4000)};
  for (const std::string& name : every_policy()) {
    CAPTURE(name);
    const Outcome enforced = run(name, spec, jobs);
    CHECK(enforced.violations == "");
    CHECK(s(enforced.jobs.at("a").end) == doctest::Approx(100));
    CHECK(s(enforced.jobs.at("b").start) == doctest::Approx(100));
    CHECK(s(enforced.jobs.at("b").end) == doctest::Approx(150));
    const Outcome ignored = run(name, spec, jobs, NodeResources::ignore);
    CHECK(ignored.violations == "");
    CHECK(s(ignored.jobs.at("b").start) == 0);
    CHECK(s(ignored.jobs.at("b").end) == doctest::Approx(50));
  }
}

TEST_CASE("issue 15: host memory limits as CPU does; a node that states none is not limited") {
  // 32 GiB of host memory: a (24 GiB) and b (16 GiB) cannot share the node.
  const std::vector<JobSpec> jobs{job("a", 1, 100, 0, 24576), job("b", 1, 50, 0, 16384)};
  const Outcome limited = run("binpack", cluster(1, 2, 0, 32768), jobs);
  CHECK(limited.violations == "");
  CHECK(s(limited.jobs.at("b").start) == 100);
  const Outcome unlimited = run("binpack", cluster(1, 2, 0, 0), jobs);
  CHECK(s(unlimited.jobs.at("b").start) == 0);
}

TEST_CASE("issue 15: a gang over two nodes charges each its part; a job that fits no node is unschedulable") {
  // Two nodes of 2 GPUs and 8 CPUs. g (3 GPUs, 12 CPUs) takes 8 CPUs of the node where it has
  // 2 GPUs and 4 of the other, which keeps an idle GPU: c (1 GPU, 5 CPUs, at 1 s) waits for g
  // to end at 100 and ends at 150; d (1 GPU, 4 CPUs, at 2 s) starts at once.
  const ClusterSpec spec = cluster(2, 2, 8000);
  const Outcome out = run("first-fit", spec, {job("g", 3, 100, 12000), job("c", 1, 50, 5000, 0, 1), job("d", 1, 50, 4000, 0, 2)});
  CHECK(out.violations == "");
  CHECK(s(out.jobs.at("g").start) == 0);
  CHECK(s(out.jobs.at("c").start) == 100);
  CHECK(s(out.jobs.at("c").end) == 150);
  CHECK(s(out.jobs.at("d").start) == 2);

  // Never: 16 CPUs on one GPU of nodes of 8; a gang of 4 asking 20 CPUs (10 per node); the
  // same gang fits when node resources are ignored.
  const std::vector<JobSpec> too_big{job("cpu", 1, 10, 16000), job("gang", 4, 10, 20000), job("ok", 2, 10, 8000)};
  for (const std::string& name : every_policy()) {
    CAPTURE(name);
    const Outcome enforced = run(name, spec, too_big);
    CHECK(enforced.violations == "");
    CHECK(enforced.jobs.at("cpu").outcome == JobOutcome::unschedulable);
    CHECK(enforced.jobs.at("gang").outcome == JobOutcome::unschedulable);
    CHECK(enforced.jobs.at("ok").outcome == JobOutcome::finished);
    const Outcome ignored = run(name, spec, too_big, NodeResources::ignore);
    for (const auto& [id, r] : ignored.jobs) CHECK(r.outcome == JobOutcome::finished);
  }
}

TEST_CASE("issue 15: a policy that places beyond a node's CPU gets a PolicyError naming the node") {
  // Every pending job on the next GPU in turn, whatever the node has left.
  struct Blind final : PlacementPolicy {
    void schedule(SchedulingPass& pass) override {
      for (const PendingJob& p : pass.pending()) {
        const GpuIndex g = next++;
        pass.place(p, std::span<const GpuIndex>(&g, 1));
      }
    }
    GpuIndex next = 0;
  } blind;
  NoInterference none;
  CHECK_THROWS_WITH_AS(simulate(cluster(1, 2, 8000), {job("a", 1, 100, 6000), job("b", 1, 50, 4000)}, none, blind),
                       doctest::Contains("job 'b' does not fit in the CPU and host memory of node 'node0'"), PolicyError);
}

TEST_CASE("issue 15: ContractChecker flags a node over its CPU and books that disagree with the core's") {
  SimConfig config;
  NoInterference none;
  ContractChecker checker(none, config);
  ClusterState state(cluster(1, 2, 8000));
  const JobSpec a = job("a", 1, 100, 6000), b = job("b", 1, 100, 4000);
  const AppIndex app = state.intern_app("A");
  const std::vector<GpuIndex> g0{0}, g1{1};
  checker.on_begin(state);
  state.add(0, a, app, g0);
  checker.on_start(0, a, g0);
  checker.on_instant(0, state, 0, 1);
  CHECK(checker.report() == "");
  // b starts beside a, as a broken core would start it: 10 of 8 CPUs.
  state.add(1, b, app, g1);
  checker.on_start(0, b, g1);
  checker.on_instant(1, state, 0, 2);
  CHECK(checker.report().find("node 'node0' is over its CPU or host memory (10000 of 8000 milli-CPU") != std::string::npos);
  // The core forgets b's CPU: the books disagree.
  ContractChecker second(none, config);
  ClusterState other(cluster(1, 2, 8000));
  second.on_begin(other);
  other.add(0, a, app, g0);
  second.on_start(0, a, g0);
  second.on_start(0, job("b", 1, 100, 1000), g1);
  other.add(1, job("b", 1, 100, 0), app, g1);
  second.on_instant(0, other, 0, 2);
  CHECK(second.report().find("holds jobs asking 7000 milli-CPU and 0 MiB of host memory, the core counts 6000 and 0") !=
        std::string::npos);
}

TEST_CASE("issue 15: fits() reads the node request of a policy's own copy of a job, not of the job it copies") {
  // One node, 2 GPUs, 8 CPUs, empty: the job asks 6 CPUs and fits; a copy asking 10 does not.
  struct Probe final : PlacementPolicy {
    void schedule(SchedulingPass& pass) override {
      for (const PendingJob& p : pass.pending()) {
        JobSpec bigger = *p.spec;
        bigger.features[kCpuMilliFeature] = 10000;
        seen.push_back(pass.fits(*p.spec, 0));
        seen.push_back(pass.fits(bigger, 0));
        seen.push_back(pass.fits(*p.spec, 1));
      }
    }
    std::vector<bool> seen;
  } probe;
  NoInterference none;
  simulate(cluster(1, 2, 8000), {job("a", 1, 100, 6000)}, none, probe);
  CHECK(probe.seen == std::vector<bool>{true, false, true});
}

TEST_CASE("issue 15: node CPU and host memory must be below 2^53; parts of huge requests do not overflow") {
  ClusterSpec spec = cluster(1, 2, std::int64_t{1} << 53);
  CHECK_THROWS_WITH_AS(spec.validate("c.textproto"), doctest::Contains("nodes.cpu_milli"), InputError);
  spec = cluster(1, 2, 0, -1);
  CHECK_THROWS_WITH_AS(spec.validate("c.textproto"), doctest::Contains("must be >= 0 and below 2^53, got -1"), InputError);
  // 2^53 - 1 over a gang of 1,000,000 with 1024 GPUs on the node: ceil((2^53 - 1) * 1024 / 1e6).
  constexpr std::int64_t big = (std::int64_t{1} << 53) - 1;
  CHECK(ClusterView::node_part(big, 1024, 1'000'000) == 9'223'372'036'855);
  CHECK(ClusterView::node_part(big, 3, 3) == big);
}

// Every registered policy goes through the same contract checks on the same random workload:
// no GPU over memory (memory enforced), every job accounted for exactly once, work conserved
// (a finished job never beats its solo time), and same seed -> same bytes.
#include <doctest/doctest.h>

#include <set>

#include "colosim/policies/builtin.h"
#include "colosim/rng.h"
#include "colosim/errors.h"
#include "colosim/pair_table.h"
#include "colosim/simulator.h"
#include "colosim/traces/results_io.h"

using namespace colosim;

namespace {

std::vector<JobSpec> random_workload(std::uint64_t seed, int n) {
  Rng rng(seed);
  const char* apps[] = {"resnet", "bert", "lstm", "gan"};
  std::vector<JobSpec> jobs;
  double t = 0;
  for (int i = 0; i < n; ++i) {
    t += static_cast<double>(rng.below(30));
    JobSpec j;
    j.id = "j" + std::to_string(i);
    j.app = apps[rng.below(4)];
    j.submit = seconds_to_ticks(t);
    j.solo_duration = seconds_to_ticks(10 + static_cast<double>(rng.below(600)));
    const std::uint64_t shape = rng.below(10);
    j.gpus = shape < 7 ? 1 : shape < 9 ? 2 : 8;  // 8 > any node: must span nodes
    j.memory_mib = 512 + static_cast<std::int64_t>(rng.below(12000));
    j.gpu_util = static_cast<double>(rng.below(100));
    if (i % 17 == 0) j.gpu_types = {"A100"};
    jobs.push_back(j);
  }
  return jobs;
}

ClusterSpec mixed_cluster() {
  ClusterSpec c;
  c.name = "mixed";
  c.gpu_types = {{"V100", 16384, 1.0}, {"A100", 40960, 2.0}};
  for (int i = 0; i < 3; ++i) c.nodes.push_back({"v" + std::to_string(i), "V100", 4});
  for (int i = 0; i < 2; ++i) c.nodes.push_back({"a" + std::to_string(i), "A100", 2});
  return c;
}

struct InvariantChecker final : SimObserver {
  void on_instant(Tick now, const ClusterView& cluster, std::size_t, std::size_t) override {
    CHECK(now >= last);
    last = now;
    for (GpuIndex g = 0; g < cluster.gpu_count(); ++g) {
      if (cluster.used_mib(g) > cluster.capacity_mib(g)) over_memory = true;
      for (const Resident& r : cluster.residents(g)) (void)r;
    }
  }
  void on_job_done(const JobRecord& r) override {
    CHECK(ids.insert(r.id).second);
    if (r.outcome == JobOutcome::finished) {
      // Speed-ups only come from faster GPUs (A100 speed 2): run time >= solo / 2.
      CHECK(2 * (r.end - r.start) + 1 >= r.solo_duration);
      CHECK(r.start >= r.submit);
      CHECK(static_cast<int>(r.gpu_list.size()) == r.gpus);
    }
    rows += traces::format_job_row(r) + "\n";
  }
  Tick last = 0;
  bool over_memory = false;
  std::set<std::string> ids;
  std::string rows;
};

std::string run_once(const std::string& policy_name, std::uint64_t seed, QueueDiscipline discipline,
                     std::size_t& accounted, bool& over_memory) {
  const PolicyRegistry registry = builtin_policies();
  auto policy = registry.make(policy_name);
  PairTable table({Composition::multiplicative, 1.3});
  SimConfig config;
  config.seed = seed;
  config.discipline = discipline;
  Simulator sim(mixed_cluster(), table, *policy, config);
  InvariantChecker checker;
  sim.add_observer(checker);
  VectorJobSource jobs(random_workload(7, 400));
  sim.run(jobs);
  accounted = checker.ids.size();
  over_memory = checker.over_memory;
  return checker.rows;
}

}  // namespace

TEST_CASE("every registered policy keeps the simulator's contract") {
  const PolicyRegistry registry = builtin_policies();
  for (const PolicyInfo* info : registry.list()) {
    for (auto discipline : {QueueDiscipline::fifo, QueueDiscipline::backfill}) {
      CAPTURE(info->name);
      CAPTURE(to_string(discipline));
      std::size_t accounted = 0;
      bool over_memory = false;
      const std::string first = run_once(info->name, 42, discipline, accounted, over_memory);
      CHECK(accounted == 400);
      CHECK_FALSE(over_memory);
      std::size_t again_accounted = 0;
      bool again_over = false;
      CHECK(run_once(info->name, 42, discipline, again_accounted, again_over) == first);
    }
  }
}

TEST_CASE("registry: unknown policies and parameters are errors that list what exists") {
  const PolicyRegistry registry = builtin_policies();
  CHECK_THROWS_WITH(registry.make("bestfit"), doctest::Contains("unknown policy 'bestfit' (known: binpack, exclusive"));
  CHECK_THROWS_WITH(registry.make("random:alpha=1"),
                    doctest::Contains("policy 'random' has no parameter 'alpha' (parameters: check_memory)"));
  CHECK_THROWS_WITH(registry.make("random:check_memory=maybe"), doctest::Contains("must be true or false, got 'maybe'"));
  CHECK_THROWS_WITH(registry.make("random:check_memory"), doctest::Contains("expected key=value"));
  CHECK(PolicySpec::parse("random:check_memory=false").to_string() == "random:check_memory=false");
}

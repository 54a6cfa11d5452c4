// Every registered policy goes through the same contract checks (ContractChecker, shared with the
// simulation fuzzer) on the same random workloads, and same seed -> same bytes.
#include <doctest/doctest.h>

#include <set>

#include "long_mode.h"
#include "colosim/calibration.h"
#include "colosim/checked.h"
#include "checked_run.h"
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

// The rows a run reports, in order: what "same seed -> same bytes" compares.
// Runs the 400-job workload; the contract violations go to `violations` (empty when it held).
std::string run_once(const std::string& policy_name, std::uint64_t seed, QueueDiscipline discipline,
                     std::string& violations) {
  auto policy = builtin_policies().make(policy_name);
  PairTable table({Composition::multiplicative, 1.3});
  SimConfig config;
  config.seed = seed;
  config.discipline = discipline;
  testing::CheckedRun run = testing::run_checked(mixed_cluster(), random_workload(7, 400), table, *policy, config);
  violations = std::move(run.violations);
  return run.text;
}

}  // namespace

TEST_CASE("every registered policy keeps the simulator's contract") {
  const PolicyRegistry registry = builtin_policies();
  for (const PolicyInfo* info : registry.list()) {
    for (auto discipline : {QueueDiscipline::fifo, QueueDiscipline::backfill}) {
      CAPTURE(info->name);
      CAPTURE(to_string(discipline));
      std::string violations;
      const std::string first = run_once(info->name, 42, discipline, violations);
      CHECK_MESSAGE(violations.empty(), violations);
      std::string again;
      CHECK(run_once(info->name, 42, discipline, again) == first);
    }
  }
}

TEST_CASE("a policy object that serves two runs gives the second the records a fresh one gives") {
  // Stateful policies (gavel's rounds, gandiva's moves, reservations) start afresh in
  // PlacementPolicy::begin_run. The first run is on another cluster, under GPU stacking and
  // overload so that gandiva time-slices and moves and the preempting policies reserve.
  PairTable table({Composition::multiplicative, 2.0});
  SimConfig stack;
  stack.sharing = GpuSharing::stack;
  stack.time_slicing.quantum = seconds_to_ticks(1);
  const ClusterSpec small = ClusterSpec::uniform(1, 4, {"V100", 16384, 1.0});
  const PolicyRegistry registry = builtin_policies();
  for (const PolicyInfo* info : registry.list()) {
    CAPTURE(info->name);
    auto reused = registry.make(info->name);
    (void)testing::run_checked(small, random_workload(3, 120), table, *reused, stack);
    const testing::CheckedRun second = testing::run_checked(mixed_cluster(), random_workload(7, 200), table, *reused, stack);
    auto fresh = registry.make(info->name);
    const testing::CheckedRun alone = testing::run_checked(mixed_cluster(), random_workload(7, 200), table, *fresh, stack);
    CHECK_MESSAGE(second.violations.empty(), second.violations);
    CHECK(second.text == alone.text);
  }
}

TEST_CASE("registry: unknown policies and parameters are errors that list what exists") {
  const PolicyRegistry registry = builtin_policies();
  CHECK_THROWS_WITH(registry.make("bestfit"), doctest::Contains("unknown policy 'bestfit' (known: best-fit, binpack, dot-product, exclusive, fgd"));
  CHECK_THROWS_WITH(registry.make("random:alpha=1"),
                    doctest::Contains("policy 'random' has no parameter 'alpha' (parameters: check_memory, pick)"));
  CHECK_THROWS_WITH(registry.make("random:check_memory=maybe"), doctest::Contains("must be true or false, got 'maybe'"));
  CHECK_THROWS_WITH(registry.make("random:check_memory"), doctest::Contains("expected key=value"));
  CHECK(PolicySpec::parse("random:check_memory=false").to_string() == "random:check_memory=false");
}

namespace {

const char* const kPolicyVariants[] = {"random:check_memory=false", "load-balance:check_memory=false",
                                       "standalone:check_memory=false", "random:pick=node",
                                       "fgd:ties=random", "gpu-packing:ties=random"};

// Every registered policy, then the variants that place without looking at memory, random's
// pick=node (the FGD paper's Random-fit) and the scoring policies' random tie-break.
std::vector<std::string> policies_to_check() {
  const PolicyRegistry registry = builtin_policies();
  std::vector<std::string> names;
  // gavel decides every round until the last job ends: with jobs as long as the horizon
  // (kMaxTicks), rounds of 1e8 s keep that to tens.
  for (const PolicyInfo* info : registry.list()) names.push_back(info->name == "gavel" ? "gavel:round=1e8" : info->name);
  names.insert(names.end(), std::begin(kPolicyVariants), std::end(kPolicyVariants));
  return names;
}

ClusterSpec random_cluster(Rng& rng) {
  ClusterSpec c;
  c.name = "random";
  c.gpu_types = {{"S", 16000, 1.0}, {"F", 40000, 2.0}};
  const int nodes = 1 + static_cast<int>(rng.below(3));
  for (int n = 0; n < nodes; ++n)
    c.nodes.push_back({"n" + std::to_string(n), rng.below(3) == 0 ? "F" : "S", 1 + static_cast<int>(rng.below(4))});
  // A throughput table: b gains more than most from the fast type, 2-GPU gangs of c lose on the slow one.
  c.app_speeds = {{"b", "F", 0, 3.0}, {"c", "S", 2, 0.5}};
  // Now and then nodes with little CPU or host memory (0: not limited), as openb nodes state them.
  if (rng.below(3) == 0)
    for (NodeSpec& n : c.nodes) {
      n.cpu_milli = static_cast<std::int64_t>(rng.below(3)) * 8000;
      n.memory_mib = static_cast<std::int64_t>(rng.below(3)) * 16000;
    }
  return c;
}

// Small jobs and whole-GPU ones, gangs (some larger than any node), memory beyond a GPU's, GPU
// types, CPU-only jobs, now and then a job of the longest valid duration (kMaxTicks, 71 years).
std::vector<JobSpec> random_jobs(Rng& rng, int n) {
  const char* apps[] = {"a", "b", "c", "d"};
  std::vector<JobSpec> jobs;
  Tick t = 0;
  for (int i = 0; i < n; ++i) {
    t += seconds_to_ticks(static_cast<double>(rng.below(20)));
    JobSpec j;
    j.id = "j" + std::to_string(i);
    j.app = apps[rng.below(4)];
    j.submit = t;
    j.solo_duration = rng.below(50) == 0 ? kMaxTicks : seconds_to_ticks(1 + static_cast<double>(rng.below(300)));
    const std::uint64_t shape = rng.below(10);
    j.gpus = shape < 7 ? 1 : shape < 9 ? 2 : 5;
    j.memory_mib = static_cast<std::int64_t>(rng.below(24000));
    j.gpu_milli = rng.below(3) == 0 ? 0 : 100 + static_cast<int>(rng.below(901));
    j.gpu_util = static_cast<double>(rng.below(100));
    if (rng.below(8) == 0) j.gpu_types = {"F"};
    j.priority = static_cast<int>(rng.below(3));
    // CPU and host-memory requests, some larger than any node's.
    if (rng.below(3) == 0) j.features[kCpuMilliFeature] = static_cast<double>(rng.below(20000));
    if (rng.below(3) == 0) j.features[kHostMemoryFeature] = static_cast<double>(rng.below(40000));
    if (rng.below(10) == 0) {  // a CPU-only job: node CPU and host memory, no GPU
      j.gpus = 0;
      j.memory_mib = 0;
      j.gpu_milli = 0;
      j.gpu_types.clear();
    }
    jobs.push_back(j);
  }
  return jobs;
}

// Pair slowdowns below 1 (measured speed-ups), large ones, an infeasible pair, unknown pairs.
PairTable random_table(Rng& rng, Composition rule) {
  PairTable table({rule, 1.2});
  const char* apps[] = {"a", "b", "c", "d"};
  const double values[] = {0.9, 1.0, 1.3, 2.0, 3.5};
  for (const char* v : apps)
    for (const char* a : apps)
      if (rng.below(4) != 0) table.set(v, a, values[rng.below(5)]);
  table.set_infeasible("c", "d");
  return table;
}

}  // namespace

TEST_CASE("issue 10: random clusters and workloads keep the contract under every policy, discipline, memory mode and composition") {
  // (19 policies and variants x 3 memory modes + 3 check_memory=false variants x 2 modes) x 2
  // disciplines x 2 compositions x 3 workloads (30 under --long) = 756 runs (7,560) of 25 jobs, GPU sharing
  // by_share and stack alternating with the workload, every queue order and preemption costs
  // (none, suspend, resume with checkpoints, per application) and time-slicing by the workload,
  // on clusters with per-application speeds, each checked by
  // ContractChecker (every job
  // reported exactly once with a valid outcome and its reason, start >= submit, end >= start, no
  // GPU over memory when memory is enforced, work conserved, the summary agrees with the
  // records) and with no exception; the same seed gives the same rows. (check_memory=false under
  // --memory enforce places over memory, a contract error of its own: test_oom.cc.)
  const std::uint64_t workloads = long_mode() ? 30 : 3;
  std::uint64_t runs = 0;
  for (const std::string& name : policies_to_check())
    for (auto discipline : {QueueDiscipline::fifo, QueueDiscipline::backfill})
      for (auto memory : {MemoryMode::enforce, MemoryMode::overcommit, MemoryMode::ignore})
        for (auto rule : {Composition::multiplicative, Composition::additive})
          for (std::uint64_t workload = 1; workload <= workloads; ++workload) {
            if (memory == MemoryMode::enforce && name.find("check_memory=false") != std::string::npos) continue;
            CAPTURE(name);
            CAPTURE(to_string(discipline));
            CAPTURE(to_string(memory));
            CAPTURE(to_string(rule));
            CAPTURE(workload);
            auto once = [&] {
              Rng rng(workload * 7919);
              const ClusterSpec cluster = random_cluster(rng);
              const std::vector<JobSpec> jobs = random_jobs(rng, 25);
              const PairTable table = random_table(rng, rule);
              auto policy = builtin_policies().make(name);
              SimConfig config;
              config.seed = workload;
              config.discipline = discipline;
              // Every order ("": the policy's own) over the workloads, compositions and disciplines.
              // las takes one event per quantum while jobs wait: with jobs as long as the horizon
              // (kMaxTicks), a quantum of 1e5 GPU-s keeps that to thousands.
              const char* orders[] = {"", "fifo", "priority", "sjf", "srtf", "las:quantum=1e5", "2d-las:thresholds=100/400,starvation=2",
                                      "gittins:quantum=1e5,learn=3,window=50"};
              const std::uint64_t pick = workload + (rule == Composition::additive ? 3 : 0) + (discipline == QueueDiscipline::fifo ? 1 : 0);
              if (*orders[pick % 8]) config.queue_order = QueueOrderChoice::parse(orders[pick % 8]);
              // Preemption costs for the preempting policies: free, a suspend, a resume with
              // periodic checkpoints (lost work), per-application delays.
              if (pick % 4 == 1) config.preemption.delays.suspend = 5 * kTicksPerSecond;
              if (pick % 4 == 2) {
                config.preemption.delays.resume = 3 * kTicksPerSecond;
                config.preemption.checkpoint_interval = 20 * kTicksPerSecond;
              }
              if (pick % 4 == 3) config.preemption.per_app = {{"a", {2 * kTicksPerSecond, kTicksPerSecond}}};
              // Every third run time-slices every GPU (turns of 2 s, 0.5 s lost per switch).
              if (pick % 3 == 2) config.time_slicing = {true, 2 * kTicksPerSecond, kTicksPerSecond / 2};
              config.memory = memory;
              config.sharing = workload % 2 == 1 ? GpuSharing::by_share : GpuSharing::stack;
              config.oom_delay = 5 * kTicksPerSecond;
              // Every other run measures fragmentation against the workload's typical shapes
              // (fgd then places by them); ContractChecker measures it afresh at every instant.
              if (pick % 2 == 1) {
                SpanJobSource shapes(jobs);
                config.target_workload = typical_shapes_of(shapes);
              }
              testing::CheckedRun run;
              CHECK_NOTHROW(run = testing::run_checked(cluster, jobs, table, *policy, config));
              CHECK_MESSAGE(run.violations.empty(), run.violations);
              return run.text;
            };
            const std::string rows = once();
            if (workload == 1) CHECK(once() == rows);
            ++runs;
          }
  CHECK(runs == 252 * workloads);
}

namespace {

// A random tree of 2-5 queues (some nested) with quotas, limits, weights, priorities, borrow and
// lend flags and now and then a usage half-life; jobs get random users among its leaves, a queue
// it lacks, or none (the default queue when the tree has one).
QueueTree random_queue_tree(Rng& rng, std::vector<JobSpec>& jobs) {
  QueueTree tree;
  const int count = 2 + static_cast<int>(rng.below(4));
  std::vector<std::string> leaves;
  for (int i = 0; i < count; ++i) {
    QueueSpec q;
    q.name = "q" + std::to_string(i);
    // q0 is a parent of q1 and q2 half of the time.
    if (i > 0 && i <= 2 && rng.below(2) == 0) q.parent = "q0";
    q.weight = 1 + static_cast<double>(rng.below(3));
    q.priority = static_cast<int>(rng.below(2));
    q.borrow = rng.below(4) != 0;
    q.lend = rng.below(4) != 0;
    tree.queues.push_back(q);
  }
  std::set<std::string> parents;
  for (const QueueSpec& q : tree.queues)
    if (!q.parent.empty()) parents.insert(q.parent);
  for (QueueSpec& q : tree.queues) {
    if (!parents.count(q.name)) {
      q.quota_gpus = static_cast<double>(rng.below(4)) + (rng.below(3) == 0 ? 0.5 : 0.0);
      leaves.push_back(q.name);
    }
    if (rng.below(3) == 0) q.limit_gpus = q.quota_gpus + static_cast<double>(rng.below(6));
  }
  if (rng.below(2) == 0) tree.usage_half_life = seconds_to_ticks(static_cast<double>(1 + rng.below(600)));
  if (rng.below(2) == 0) tree.default_queue = leaves[rng.below(leaves.size())];
  for (JobSpec& j : jobs) {
    const std::uint64_t pick = rng.below(leaves.size() + 2);
    j.user = pick < leaves.size() ? leaves[pick] : pick == leaves.size() ? "" : "stranger";
  }
  return tree;
}

}  // namespace

TEST_CASE("issue 12: random queue trees keep the contract under every policy, with reclaim and its costs") {
  // Every policy x 2 disciplines x 4 workloads (40 under --long) of 30 jobs on random clusters and
  // queue trees, with preemption delays and lost work by the workload: ContractChecker (every job
  // reported once, work conserved, memory, ...) holds, the same seed gives the same rows, every
  // job that arrived at a queue is counted by it, and no leaf is charged more reclaims than its
  // jobs' victims suffered overall. (Debug and sanitizer builds also check the queues' books
  // against their jobs after every instant.)
  const std::uint64_t workloads = long_mode() ? 40 : 4;
  for (const std::string& name : policies_to_check())
    for (auto discipline : {QueueDiscipline::fifo, QueueDiscipline::backfill})
      for (std::uint64_t workload = 1; workload <= workloads; ++workload) {
        if (name.find("check_memory=false") != std::string::npos) continue;  // places over memory by design
        CAPTURE(name);
        CAPTURE(std::string(to_string(discipline)));
        CAPTURE(workload);
        auto once = [&] {
          Rng rng(workload * 104729);
          const ClusterSpec cluster = random_cluster(rng);
          std::vector<JobSpec> jobs = random_jobs(rng, 30);
          SimConfig config;
          config.seed = workload;
          config.discipline = discipline;
          config.queues = random_queue_tree(rng, jobs);
          if (workload % 3 == 1) config.preemption.delays = {4 * kTicksPerSecond, 2 * kTicksPerSecond};
          if (workload % 3 == 2) config.preemption.checkpoint_interval = 25 * kTicksPerSecond;
          const PairTable table = random_table(rng, Composition::multiplicative);
          auto policy = builtin_policies().make(name);
          testing::CheckedRun run;
          CHECK_NOTHROW(run = testing::run_checked(cluster, jobs, table, *policy, config));
          CHECK_MESSAGE(run.violations.empty(), run.violations);
          Simulator sim(cluster, table, *policy, config);
          VectorJobSource source(jobs);
          const RunStats stats = sim.run(source);
          std::int64_t counted = 0, caused = 0, suffered = 0;
          for (const QueueStats& q : stats.queues.queues)
            if (q.leaf) {
              counted += q.jobs;
              caused += q.reclaims_caused;
              suffered += q.preemptions_suffered;
              CHECK(q.started <= q.jobs);
              CHECK(q.finished <= q.started);
              CHECK(q.mean_allocated_gpus >= 0);
            }
          std::int64_t with_queue = 0;
          for (const JobSpec& j : jobs)
            if (j.gpus > 0 && (!j.user.empty() || !config.queues.default_queue.empty()) &&
                (j.user != "stranger" || !config.queues.default_queue.empty()))
              ++with_queue;
          CHECK(counted == with_queue);
          CHECK(caused <= suffered);
          return run.text;
        };
        const std::string rows = once();
        if (workload == 1) CHECK(once() == rows);
      }
}

namespace {

// A calibrated model that knows applications a, b, c on type S only (d and type F are outside
// its data), with pairs measured infeasible (so a feasibility classifier is fitted) and pairs
// left unmeasured (predicted, with residuals to sample).
const CalibratedModel& partial_calibrated_model() {
  static const CalibratedModel model = [] {
    InterferenceData d;
    d.source = "conformance";
    const char* apps[] = {"a", "b", "c"};
    for (int v = 0; v < 3; ++v)
      for (int a = v; a < 3; ++a) {
        if (v == 0 && a == 1) continue;  // a beside b: predicted
        PairMeasurement m;
        m.gpu_type = "S";
        m.app_a = apps[v];
        m.app_b = apps[a];
        m.feasible = !(v == 2 && a == 2);  // two c's run out of memory
        if (m.feasible) {
          m.slowdown_a = 1.1 + 0.3 * v + 0.05 * a;
          m.slowdown_b = v == a ? m.slowdown_a : 1.2 + 0.2 * a + 0.1 * v;
        }
        m.source = "conformance";
        d.pairs.push_back(m);
      }
    CalibrationOptions o;
    o.ranks = {0};
    o.iterations = 5;
    return CalibratedModel(calibrate(d, o));
  }();
  return model;
}

}  // namespace

TEST_CASE("issue 14: every policy keeps the contract with a calibrated model's feasibility, sampled error and fallbacks") {
  // 22 policies and variants x 2 memory modes x 2 workloads (20 under --long), the model's error sampled
  // under each seed (--interference-noise) and both fallbacks allowed (applications d and GPU
  // type F are outside its data), checked by ContractChecker, which recomputes the same sampled
  // rates; the same seed gives the same rows.
  const auto& model = partial_calibrated_model();
  REQUIRE(model.can_sample());
  REQUIRE(model.params().feasibility.fitted);
  const std::uint64_t workloads = long_mode() ? 20 : 2;
  std::uint64_t runs = 0;
  for (const std::string& name : policies_to_check())
    for (auto memory : {MemoryMode::enforce, MemoryMode::overcommit})
      for (std::uint64_t workload = 1; workload <= workloads; ++workload) {
        if (memory == MemoryMode::enforce && name.find("check_memory=false") != std::string::npos) continue;
        CAPTURE(name);
        CAPTURE(to_string(memory));
        CAPTURE(workload);
        auto once = [&] {
          Rng rng(workload * 104729);
          const ClusterSpec cluster = random_cluster(rng);
          const std::vector<JobSpec> jobs = random_jobs(rng, 25);
          auto policy = builtin_policies().make(name);
          SimConfig config;
          config.seed = workload;
          config.memory = memory;
          config.sharing = workload % 2 == 1 ? GpuSharing::by_share : GpuSharing::stack;
          config.oom_delay = 5 * kTicksPerSecond;
          config.interference_noise = true;
          config.fallback = {true, true};
          testing::CheckedRun run;
          CHECK_NOTHROW(run = testing::run_checked(cluster, jobs, model, *policy, config));
          CHECK_MESSAGE(run.violations.empty(), run.violations);
          return run.text;
        };
        const std::string rows = once();
        if (workload == 1) CHECK(once() == rows);
        ++runs;
      }
  CHECK(runs == 41 * workloads);
}

TEST_CASE("issue 10 #4: under --memory ignore every policy starts a job larger than a GPU's memory") {
  // 16,000 MiB GPUs, jobs of 20,000 MiB (admitted: memory is not modelled). binpack only looked
  // among GPUs with that much free memory, so these were never started. The 63 + 1 GPU cluster
  // makes random's 16 uniform draws miss the one allowed GPU and fall back on its exact search.
  ClusterSpec cluster;
  cluster.gpu_types = {{"V", 16000, 1.0}, {"A", 16000, 1.0}};
  for (int n = 0; n < 16; ++n) cluster.nodes.push_back({"v" + std::to_string(n), "V", n < 15 ? 4 : 3});
  cluster.nodes.push_back({"a", "A", 1});
  std::vector<JobSpec> jobs(3);
  for (int i = 0; i < 3; ++i) {
    jobs[i].id = "j" + std::to_string(i);
    jobs[i].app = "x";
    jobs[i].solo_duration = 10 * kTicksPerSecond;
    jobs[i].memory_mib = 20000;
  }
  jobs[1].gpus = 2;
  jobs[2].gpu_types = {"A"};
  for (const std::string& name : policies_to_check())
    for (auto discipline : {QueueDiscipline::fifo, QueueDiscipline::backfill}) {
      CAPTURE(name);
      CAPTURE(to_string(discipline));
      auto policy = builtin_policies().make(name);
      SimConfig config;
      config.memory = MemoryMode::ignore;
      config.discipline = discipline;
      NoInterference none;
      const RunResult result = simulate(cluster, jobs, none, *policy, config);
      CHECK(result.summary.finished == 3);
    }
}

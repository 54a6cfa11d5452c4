// Whole-GPU semantics (issue 9): gpu_milli 0 means the whole GPU unless the run stacks jobs
// that state no share (GpuSharing::stack).
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "colosim/errors.h"
#include "colosim/pair_table.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/importer.h"
#include "shared_data.h"

using namespace colosim;

namespace {

JobSpec job(const std::string& id, int gpu_milli, double seconds = 100) {
  JobSpec j;
  j.id = id;
  j.app = "A";
  j.solo_duration = seconds_to_ticks(seconds);
  j.memory_mib = 1024;
  j.gpu_util = 50;
  j.gpu_milli = gpu_milli;
  return j;
}

ClusterSpec one_gpu() { return ClusterSpec::uniform(1, 1, {"G", 16384, 1.0}); }

std::vector<std::string> policy_names() {
  const PolicyRegistry registry = builtin_policies();
  std::vector<std::string> names;
  // gavel re-decides in rounds: rounds of 100 s, the jobs' length, keep these timelines exact.
  for (const PolicyInfo* info : registry.list()) names.push_back(info->name == "gavel" ? "gavel:round=100" : info->name);
  return names;
}

RunResult run(const std::string& policy_name, std::vector<JobSpec> jobs, GpuSharing sharing,
              const ClusterSpec& cluster = one_gpu()) {
  auto policy = builtin_policies().make(policy_name);
  SimConfig config;
  config.sharing = sharing;
  NoInterference none;
  return simulate(cluster, std::move(jobs), none, *policy, config);
}

std::map<std::string, double> ends(const RunResult& r) {
  std::map<std::string, double> out;
  for (const JobRecord& rec : r.jobs) out[rec.id] = ticks_to_seconds(rec.end);
  return out;
}

}  // namespace

TEST_CASE("issue 9: GPU sharing names parse and print") {
  CHECK(SimConfig{}.sharing == GpuSharing::by_share);
  for (GpuSharing s : {GpuSharing::by_share, GpuSharing::stack}) CHECK(parse_gpu_sharing(to_string(s)) == s);
  CHECK(std::string(to_string(GpuSharing::by_share)) == "by-share");
  CHECK_THROWS_WITH_AS(parse_gpu_sharing("whole"), doctest::Contains("expected by-share or stack"), Error);
}

TEST_CASE("issue 9: the effective share of a job is its gpu_milli, and 0 is the whole GPU unless jobs stack") {
  CHECK(gpu_share_milli(job("a", 0), GpuSharing::by_share) == 1000);
  CHECK(gpu_share_milli(job("a", 0), GpuSharing::stack) == 0);
  CHECK(gpu_share_milli(job("a", 250), GpuSharing::by_share) == 250);
  CHECK(gpu_share_milli(job("a", 250), GpuSharing::stack) == 250);
}

TEST_CASE("issue 9: two whole-GPU jobs on one GPU run one after the other, under every policy") {
  // By hand: 100 s each, one GPU, nothing else: the second starts when the first ends, at 100 s.
  for (const std::string& name : policy_names()) {
    CAPTURE(name);
    const RunResult r = run(name, {job("a", 0), job("b", 0)}, GpuSharing::by_share);
    CHECK(ends(r) == std::map<std::string, double>{{"a", 100.0}, {"b", 200.0}});
    CHECK(r.summary.makespan_s == 200.0);
  }
}

TEST_CASE("issue 9: in stack mode two jobs without a share run together on one GPU") {
  // No interference model: together they both end at 100 s. Exclusive never shares.
  for (const std::string name : {"binpack", "load-balance", "standalone", "random", "interference-aware"}) {
    CAPTURE(name);
    const RunResult r = run(name, {job("a", 0), job("b", 0)}, GpuSharing::stack);
    CHECK(ends(r) == std::map<std::string, double>{{"a", 100.0}, {"b", 100.0}});
  }
  CHECK(run("exclusive", {job("a", 0), job("b", 0)}, GpuSharing::stack).summary.makespan_s == 200.0);
}

TEST_CASE("issue 9: stated shares limit in both modes") {
  for (GpuSharing sharing : {GpuSharing::by_share, GpuSharing::stack}) {
    const std::string mode = to_string(sharing);
    CAPTURE(mode);
    // 600 + 600 > 1000: one after the other. 500 + 500 = 1000: together.
    CHECK(run("binpack", {job("a", 600), job("b", 600)}, sharing).summary.makespan_s == 200.0);
    CHECK(run("binpack", {job("a", 500), job("b", 500)}, sharing).summary.makespan_s == 100.0);
  }
  // A job without a share beside one with a share: the whole GPU (by share), or stacked.
  CHECK(run("binpack", {job("a", 500), job("b", 0)}, GpuSharing::by_share).summary.makespan_s == 200.0);
  CHECK(run("binpack", {job("a", 500), job("b", 0)}, GpuSharing::stack).summary.makespan_s == 100.0);
}

TEST_CASE("issue 9: whole-GPU jobs go to idle GPUs, memory modes alike") {
  // Two GPUs, three 100 s jobs: two start at 0 on GPUs 0 and 1, the third waits until 100 s.
  for (MemoryMode memory : {MemoryMode::enforce, MemoryMode::overcommit, MemoryMode::ignore})
    for (const std::string& name : policy_names()) {
      const std::string mode = to_string(memory);
      CAPTURE(name);
      CAPTURE(mode);
      auto policy = builtin_policies().make(name);
      SimConfig config;
      config.memory = memory;
      NoInterference none;
      const RunResult r = simulate(ClusterSpec::uniform(1, 2, {"G", 16384, 1.0}),
                                   {job("a", 0), job("b", 0), job("c", 0)}, none, *policy, config);
      std::map<std::string, std::vector<GpuIndex>> gpus;
      for (const JobRecord& rec : r.jobs) gpus[rec.id] = rec.gpu_list;
      CHECK(ends(r) == std::map<std::string, double>{{"a", 100.0}, {"b", 100.0}, {"c", 200.0}});
      CHECK(gpus["a"] != gpus["b"]);
    }
}

namespace {
// Puts every offered job on GPU 0, whatever the share says.
class EverythingOnGpuZero final : public PlacementPolicy {
 public:
  void schedule(SchedulingPass& pass) override {
    const GpuIndex g = 0;
    for (const PendingJob& p : pass.pending()) pass.place(p, std::span<const GpuIndex>(&g, 1));
  }
};
}  // namespace

TEST_CASE("issue 9: the core refuses a second whole-GPU job on a busy GPU, in every memory mode") {
  for (MemoryMode memory : {MemoryMode::enforce, MemoryMode::overcommit, MemoryMode::ignore}) {
    const std::string mode = to_string(memory);
    CAPTURE(mode);
    EverythingOnGpuZero policy;
    SimConfig config;
    config.memory = memory;
    NoInterference none;
    CHECK_THROWS_WITH_AS(simulate(one_gpu(), {job("a", 0), job("b", 0)}, none, policy, config),
                         doctest::Contains("job 'b' exceeds the GPU share of GPU 0: needs 1000/1000, 1000/1000 taken"),
                         PolicyError);
    config.sharing = GpuSharing::stack;
    CHECK(simulate(one_gpu(), {job("a", 0), job("b", 0)}, none, policy, config).summary.makespan_s == 100.0);
  }
}

TEST_CASE("issue 9: under FIFO a policy that places gangs first cannot starve the head of the queue") {
  // One node, 2 GPUs, idle. Queue: s (1 GPU) then g (2 GPUs), whole GPUs. interference-aware
  // places gangs first: g takes both GPUs, s gets none, and FIFO undoes g. The core then offers
  // s alone: s runs 0-100 s, g 100-200 s (before the fix neither ever started).
  JobSpec s = job("s", 0), g = job("g", 0);
  g.gpus = 2;
  auto policy = builtin_policies().make("interference-aware");
  SimConfig config;
  config.discipline = QueueDiscipline::fifo;
  NoInterference none;
  const RunResult r = simulate(ClusterSpec::uniform(1, 2, {"G", 16384, 1.0}), {s, g}, none, *policy, config);
  CHECK(ends(r) == std::map<std::string, double>{{"s", 100.0}, {"g", 200.0}});
  CHECK(r.summary.never_started == 0);
}

TEST_CASE("issue 9: Tiresias FIFO replay of 60_job.csv gives the Tiresias simulator's own figures") {
  // Tiresias (SymbioticLab/Tiresias simulator, run_sim.py --schedule fifo --scheme yarn) on its
  // 60_job.csv reports mean JCT 219.18 s and makespan 3,341 s on 4 nodes x 4 GPUs, and
  // 1,556.48 s and 5,747 s on 2 x 4 (issue 9). Tiresias works in whole seconds and every time
  // here is a whole second, so the makespan is exact and the mean JCT is exact to the two
  // decimals Tiresias reports. Imported as is: no hand edit of gpu_milli.
  auto file = shared_data_file("peer-traces/tiresias/60_job.csv");
  if (!file) return;
  const traces::ImportedTrace trace = traces::builtin_importers().run("tiresias", {*file, {}, {}});
  struct Case {
    int nodes;
    double jct_mean_s, makespan_s;
  };
  for (const Case c : {Case{4, 219.18, 3341.0}, Case{2, 1556.48, 5747.0}}) {
    CAPTURE(c.nodes);
    auto policy = builtin_policies().make("binpack");
    SimConfig config;
    config.discipline = QueueDiscipline::fifo;
    NoInterference none;
    const RunResult r = simulate(ClusterSpec::uniform(c.nodes, 4, {"P100", 16384, 1.0}), trace.jobs, none, *policy, config);
    CHECK(r.summary.finished == 60);
    CHECK(r.summary.makespan_s == c.makespan_s);
    CHECK(std::round(r.summary.jct_mean_s * 100) / 100 == c.jct_mean_s);
  }
}

TEST_CASE("issue 9: load-balance says when jobs have no GPU utilisation, or refuses them") {
  std::vector<JobSpec> jobs = {job("a", 0), job("b", 0)};
  jobs[1].gpu_util = 0;
  const RunResult warned = run("load-balance", jobs, GpuSharing::by_share);
  REQUIRE(warned.stats.warnings.size() == 1);
  CHECK(warned.stats.warnings[0].find("load-balance: jobs without a GPU utilisation (gpu_util 0)") == 0);
  CHECK(warned.summary.finished == 2);
  // Every job with a utilisation: nothing to say.
  CHECK(run("load-balance", {job("a", 0), job("b", 0)}, GpuSharing::by_share).stats.warnings.empty());

  auto strict = builtin_policies().make("load-balance:missing_util=error");
  NoInterference none;
  CHECK_THROWS_WITH_AS(simulate(one_gpu(), jobs, none, *strict), doctest::Contains("job 'b' has no GPU utilisation"), Error);
  CHECK_THROWS_WITH_AS(builtin_policies().make("load-balance:missing_util=guess"),
                       doctest::Contains("missing_util must be warn or error, got 'guess'"), Error);
}

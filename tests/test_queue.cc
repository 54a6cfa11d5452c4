// Queue disciplines, unschedulable jobs and never-started jobs: nothing is lost.
#include <doctest/doctest.h>

#include <map>

#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "whole_gpu_job.h"

using namespace colosim;

namespace {

JobSpec job(std::string id, int gpus, double solo_s, double submit_s = 0, std::int64_t mib = 1000) {
  JobSpec j = testing::timeline_job(std::move(id), gpus, solo_s, submit_s);
  j.memory_mib = mib;
  return j;
}

std::map<std::string, JobRecord> run(const std::string& policy_name, QueueDiscipline d, std::vector<JobSpec> jobs,
                                     ClusterSpec cluster = ClusterSpec::uniform(2, 2, {"G", 16000, 1.0})) {
  const PolicyRegistry registry = builtin_policies();
  auto policy = registry.make(policy_name);
  SimConfig config;
  config.discipline = d;
  NoInterference none;
  std::map<std::string, JobRecord> out;
  for (auto& r : simulate(cluster, std::move(jobs), none, *policy, config).jobs) out[r.id] = r;
  return out;
}

}  // namespace

TEST_CASE("fifo: a job that cannot start blocks those behind it; backfill lets them through") {
  // 2 nodes x 2 GPUs. t=0: 'big' holds 3 GPUs... a 2-GPU job holds node 0; 'wide' (4 GPUs) cannot
  // start until it ends at 100 s; 'small' (1 GPU) arrived after 'wide'.
  std::vector<JobSpec> jobs = {job("first", 2, 100), job("wide", 4, 10, 1), job("small", 1, 10, 2)};
  auto fifo = run("exclusive", QueueDiscipline::fifo, jobs);
  CHECK(fifo["wide"].start == 100 * kTicksPerSecond);
  CHECK(fifo["small"].start == 110 * kTicksPerSecond);  // behind 'wide' until it finishes
  auto backfill = run("exclusive", QueueDiscipline::backfill, jobs);
  CHECK(backfill["wide"].start == 100 * kTicksPerSecond);
  CHECK(backfill["small"].start == 2 * kTicksPerSecond);
  // Under backfill 'small' ends at 12 s, before 'first' frees its node, so 'wide' is not delayed.
}

TEST_CASE("a job that can never fit is reported unschedulable, with the reason, and counted") {
  std::vector<JobSpec> jobs = {job("ok", 1, 10), job("too-many-gpus", 5, 10), job("too-much-memory", 1, 10, 0, 20000)};
  const PolicyRegistry registry = builtin_policies();
  auto policy = registry.make("binpack");
  NoInterference none;
  auto result = simulate(ClusterSpec::uniform(2, 2, {"G", 16000, 1.0}), jobs, none, *policy);
  CHECK(result.summary.jobs == 3);
  CHECK(result.summary.finished == 1);
  CHECK(result.summary.unschedulable == 2);
  std::map<std::string, JobRecord> by_id;
  for (auto& r : result.jobs) by_id[r.id] = r;
  CHECK(by_id["too-many-gpus"].outcome == JobOutcome::unschedulable);
  CHECK(by_id["too-many-gpus"].note == "needs 5 GPU(s) with 1000 MiB each; the cluster has at most 4 in all");
  CHECK(by_id["too-much-memory"].note == "needs 1 GPU(s) with 20000 MiB each; the cluster has at most 0 in all");
}

TEST_CASE("a gang larger than any node spans whole idle nodes") {
  auto result = run("binpack", QueueDiscipline::backfill, {job("wide", 4, 10)});
  CHECK(result["wide"].outcome == JobOutcome::finished);
  CHECK(result["wide"].gpu_list == std::vector<GpuIndex>{0, 1, 2, 3});
}

TEST_CASE("jobs a policy never places are reported never-started, not dropped") {
  class Never final : public PlacementPolicy {
    void schedule(SchedulingPass&) override {}
  } never;
  NoInterference none;
  auto result = simulate(ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}), {job("a", 1, 10), job("b", 1, 10, 5)}, none, never);
  CHECK(result.summary.jobs == 2);
  CHECK(result.summary.never_started == 2);
  CHECK(result.jobs[0].outcome == JobOutcome::never_started);
}

TEST_CASE("unsorted submit times are an input error naming the record") {
  const PolicyRegistry registry = builtin_policies();
  auto policy = registry.make("binpack");
  NoInterference none;
  CHECK_THROWS_WITH_AS(simulate(ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}), {job("a", 1, 10, 5), job("b", 1, 10, 1)},
                                none, *policy),
                       doctest::Contains("jobs:2: field 'submit': job 'b': jobs must come in submit-time order"), InputError);
}

TEST_CASE("issue 10 #3: under FIFO a policy's own order does not leave an idle cluster idle") {
  // One 16,000 MiB GPU; 'a' (8,000 MiB) then 'b' (12,000 MiB) at t=0, 100 s each. binpack
  // (largest memory first) and load-balance (highest utilisation first) place 'b' first, which
  // FIFO may not start before 'a'. The head starts when it fits: 'a' 0-100 s, then 'b' 100-200 s.
  std::vector<JobSpec> jobs = {job("a", 1, 100, 0, 8000), job("b", 1, 100, 0, 12000)};
  jobs[1].gpu_util = 90;
  for (const char* policy : {"binpack", "load-balance"}) {
    CAPTURE(policy);
    auto r = run(policy, QueueDiscipline::fifo, jobs, ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}));
    CHECK(r["a"].outcome == JobOutcome::finished);
    CHECK(r["a"].start == 0);
    CHECK(r["b"].outcome == JobOutcome::finished);
    CHECK(r["b"].start == 100 * kTicksPerSecond);
    CHECK(r["b"].end == 200 * kTicksPerSecond);
  }
}

TEST_CASE("issue 10 #3: under FIFO the core starts the head for any policy, even one that places the queue backwards") {
  // The policy places jobs last first, each on the first GPU it fits. Two 16,000 MiB GPUs; at t=0
  // 'a' 8,000, 'b' 12,000, 'c' 12,000 MiB (100 s each). Backwards, 'c' and 'b' take both GPUs and
  // 'a' fits nowhere: both are undone, 'a' is offered alone (GPU 0); then 'b' and 'c' again: 'c'
  // takes GPU 1, 'b' fits nowhere, 'c' is undone, 'b' alone takes GPU 1; 'c' alone fits nowhere.
  // So 'a' and 'b' run 0-100 s, and 'c' starts at 100 s: what FIFO in queue order gives.
  class Backwards final : public PlacementPolicy {
    void schedule(SchedulingPass& pass) override {
      const auto pending = pass.pending();
      for (auto it = pending.rbegin(); it != pending.rend(); ++it)
        for (GpuIndex g = 0; g < pass.cluster().gpu_count(); ++g)
          if (pass.fits(*it->spec, g)) {
            pass.place(*it, std::span<const GpuIndex>(&g, 1));
            break;
          }
    }
  } backwards;
  SimConfig config;
  config.discipline = QueueDiscipline::fifo;
  NoInterference none;
  std::map<std::string, JobRecord> r;
  for (auto& rec : simulate(ClusterSpec::uniform(1, 2, {"G", 16000, 1.0}),
                            {job("a", 1, 100, 0, 8000), job("b", 1, 100, 0, 12000), job("c", 1, 100, 0, 12000)}, none,
                            backwards, config)
                       .jobs)
    r[rec.id] = rec;
  CHECK(r["a"].start == 0);
  CHECK(r["a"].gpu_list == std::vector<GpuIndex>{0});
  CHECK(r["b"].start == 0);
  CHECK(r["b"].gpu_list == std::vector<GpuIndex>{1});
  CHECK(r["c"].start == 100 * kTicksPerSecond);
  CHECK(r["b"].outcome == JobOutcome::finished);
  CHECK(r["c"].outcome == JobOutcome::finished);
}

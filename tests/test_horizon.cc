// Simulated time ends at kHorizon: every job is still reported exactly once, with the reason.
#include <doctest/doctest.h>

#include <map>

#include "colosim/errors.h"
#include "colosim/pair_table.h"
#include "colosim/policies/builtin.h"
#include "colosim/run_options.h"
#include "colosim/simulator.h"

using namespace colosim;

namespace {

JobSpec job(std::string id, double solo_s, double submit_s = 0) {
  JobSpec j;
  j.id = std::move(id);
  j.app = "app";
  j.solo_duration = seconds_to_ticks(solo_s);
  j.submit = seconds_to_ticks(submit_s);
  j.memory_mib = 100;
  j.gpu_milli = 25;  // 40 of them share one GPU
  return j;
}

std::map<std::string, JobRecord> by_id(const RunResult& result) {
  std::map<std::string, JobRecord> out;
  for (const JobRecord& r : result.jobs) out[r.id] = r;
  return out;
}

RunResult run(std::vector<JobSpec> jobs, const InterferenceModel& model, double speed = 1.0) {
  auto policy = builtin_policies().make("binpack");
  return simulate(ClusterSpec::uniform(1, 1, {"G", 16000, speed}), std::move(jobs), model, *policy);
}

}  // namespace

TEST_CASE("issue 10 #1: 40 jobs at pair slowdown 2 (multiplicative) all finish, at the time-slicing bound") {
  // Each job beside 39 others: 2^39 multiplied out, saturated at 39 + 1 = 40 (docs/interference.md),
  // so all 40 finish together at 40 x 100 s. Before, the completions lay past the end of time and
  // the run reported no job at all.
  PairTable table({Composition::multiplicative, std::nullopt});
  table.set("app", "app", 2.0);
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 40; ++i) jobs.push_back(job("j" + std::to_string(i), 100));
  const RunResult result = run(jobs, table);
  REQUIRE(result.jobs.size() == 40);
  for (const JobRecord& r : result.jobs) {
    CHECK(r.outcome == JobOutcome::finished);
    CHECK(r.end == 4000 * kTicksPerSecond);
  }
  CHECK(result.summary.finished == 40);
}

TEST_CASE("issue 10 #1: a submit time or duration the simulator cannot represent is an input error, not a lost job") {
  // Times past 2^51 us (71 years) are refused where jobs enter (validate_job), naming the job and
  // field, so no job can arrive after the horizon; before, such a job and all after it vanished.
  NoInterference none;
  JobSpec late = job("later", 10);
  late.submit = static_cast<Tick>(3e12) * kTicksPerSecond;
  CHECK_THROWS_WITH_AS(run({job("now", 10), late}, none), doctest::Contains("71 years"), InputError);
  JobSpec endless = job("endless", 10);
  endless.solo_duration = static_cast<Tick>(3e12) * kTicksPerSecond;
  CHECK_THROWS_WITH_AS(run({job("short", 10), endless}, none), doctest::Contains("71 years"), InputError);
}

TEST_CASE("issue 10 #1: a job that would finish past the horizon is reported unfinished, with the reason") {
  // A GPU of speed 1e-9: 10,000 s of work take 1e13 s, past kHorizon (2^61 us, about 73,000 years).
  NoInterference none;
  const RunResult result = run({job("slow", 10'000), job("queued", 1, 5)}, none, 1e-9);
  auto jobs = by_id(result);
  REQUIRE(jobs.size() == 2);
  CHECK(jobs["slow"].outcome == JobOutcome::unfinished);
  CHECK(jobs["slow"].start == 0);
  CHECK(jobs["slow"].end == -1);
  CHECK(jobs["slow"].note.find("still running at the end of simulated time") != std::string::npos);
  // 'queued' shares the GPU (binpack, 25 thousandths each): its 1 s of work take 1e9 s.
  CHECK(jobs["queued"].outcome == JobOutcome::finished);
  CHECK(jobs["queued"].end >= seconds_to_ticks(1e9));
  CHECK(result.summary.unfinished == 1);
  CHECK(result.summary.finished == 1);
}

TEST_CASE("issue 10 #1: jobs waiting at the horizon are reported never-started, with the reason") {
  // 'endless' takes the only GPU's whole memory until past the horizon; 'waiting' never fits.
  NoInterference none;
  JobSpec endless = job("endless", 10'000);
  endless.memory_mib = 16000;
  JobSpec waiting = job("waiting", 10, 1);
  const RunResult result = run({endless, waiting}, none, 1e-9);
  auto jobs = by_id(result);
  REQUIRE(jobs.size() == 2);
  CHECK(jobs["endless"].outcome == JobOutcome::unfinished);
  CHECK(jobs["waiting"].outcome == JobOutcome::never_started);
  CHECK(jobs["waiting"].note.find("still pending at the end of simulated time") != std::string::npos);
}

TEST_CASE("issue 10: fuzz finding: GPU and memory utilisation cover the makespan, not time after the last end") {
  // Found by tests/python/test_properties.py: utilisation 500000.5. A job still running at the
  // horizon and an arrival after the last end made the busy GPU-time run on to that arrival
  // while the makespan stops at the last end. Here: a (100 s, fast GPU) finishes at 100 s;
  // b (1e6 s on a GPU of speed 1e-9: 1e15 s, past the horizon) is unfinished; c arrives at
  // 1000 s and never starts. Makespan 0..100 s with both GPUs busy: utilisation exactly 1
  // (it was (2 x 100 + 1 x 900) / (2 x 100) = 5.5); memory 2 x 8000 MiB of 2 x 16000: 0.5.
  ClusterSpec cluster;
  cluster.gpu_types = {{"fast", 16000, 1.0}, {"slow", 16000, 1e-9}};
  cluster.nodes = {{"f", "fast", 1}, {"s", "slow", 1}};
  std::vector<JobSpec> jobs(3);
  const char* types[] = {"fast", "slow", "slow"};
  const Tick submit[] = {0, 0, 1000 * kTicksPerSecond};
  const Tick duration[] = {100 * kTicksPerSecond, 1'000'000 * kTicksPerSecond, kTicksPerSecond};
  for (int i = 0; i < 3; ++i) {
    jobs[i].id = "j" + std::to_string(i);
    jobs[i].app = "x";
    jobs[i].submit = submit[i];
    jobs[i].solo_duration = duration[i];
    jobs[i].memory_mib = 8000;
    jobs[i].gpu_types = {types[i]};
  }
  auto policy = builtin_policies().make("exclusive");
  NoInterference none;
  const RunResult result = simulate(cluster, jobs, none, *policy);
  CHECK(result.summary.finished == 1);
  CHECK(result.summary.unfinished == 1);
  CHECK(result.summary.never_started == 1);
  CHECK(result.summary.makespan_s == 100.0);
  CHECK(result.summary.gpu_time_utilisation == 1.0);
  CHECK(result.summary.memory_utilisation == 0.5);
}

TEST_CASE("issue 15: a run told to stop (stop_at) reports the running unfinished and the rest never started") {
  // One GPU, whole-GPU jobs: a runs 0-100, b waits behind it, c arrives at 300. Stopped at 60 s.
  std::vector<JobSpec> jobs{job("a", 100), job("b", 50), job("c", 10, 300)};
  for (JobSpec& j : jobs) j.gpu_milli = 1000;
  auto policy = builtin_policies().make("binpack");
  SimConfig config;
  config.stop_at = seconds_to_ticks(60);
  NoInterference none;
  const auto records = by_id(simulate(ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}), jobs, none, *policy, config));
  REQUIRE(records.size() == 3);
  CHECK(records.at("a").outcome == JobOutcome::unfinished);
  CHECK(records.at("a").note.find("t=60 s, where the run was told to stop") != std::string::npos);
  CHECK(records.at("b").outcome == JobOutcome::never_started);
  CHECK(records.at("b").note == "still pending at the end of simulated time (t=60 s, where the run was told to stop)");
  CHECK(records.at("c").outcome == JobOutcome::never_started);
  RunOptions options;
  set_run_option(options, "stop_at_s", "60");
  CHECK(options.sim.stop_at == seconds_to_ticks(60));
  set_run_option(options, "stop_at_s", "0");
  CHECK(options.sim.stop_at == kHorizon);
  config.stop_at = 0;
  CHECK_THROWS_WITH_AS(simulate(ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}), jobs, none, *policy, config),
                       doctest::Contains("stop_at must be > 0"), Error);
}

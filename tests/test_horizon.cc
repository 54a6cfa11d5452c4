// Simulated time ends at kHorizon: every job is still reported exactly once, with the reason.
#include <doctest/doctest.h>

#include <map>

#include "colosim/errors.h"
#include "colosim/pair_table.h"
#include "colosim/policies/builtin.h"
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

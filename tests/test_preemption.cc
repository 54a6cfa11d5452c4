// Issue 11: preemption, checkpoint cost, rank steps (timers) and the preempting policies.
// Hand-worked timelines on whole-GPU jobs with no interference: a job progresses one second of
// solo work per second while it runs.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/queue_order.h"
#include "colosim/simulator.h"
#include "whole_gpu_job.h"
#include "colosim/traces/importer.h"
#include "shared_data.h"
#include "checked_run.h"
#include "colosim/cluster_view.h"
#include "colosim/contract_checker.h"

using namespace colosim;

namespace {

JobSpec job(std::string id, int gpus, double solo_s, double submit_s, int priority = 0) {
  return testing::timeline_job(std::move(id), gpus, solo_s, submit_s, priority);
}

struct Outcome {
  std::map<std::string, JobRecord> jobs;
  RunResult result;
};

Outcome run(const std::string& policy_spec, const std::string& order, std::vector<JobSpec> jobs, int nodes,
            int gpus_per_node, SimConfig config = {}) {
  const auto policy = builtin_policies().make(policy_spec);
  if (!order.empty()) config.queue_order = QueueOrderChoice::parse(order);
  NoInterference none;
  Outcome out;
  out.result = simulate(ClusterSpec::uniform(nodes, gpus_per_node, {"G", 16000, 1.0}), std::move(jobs), none, *policy, config);
  for (const JobRecord& r : out.result.jobs) out.jobs[r.id] = r;
  return out;
}

double s(Tick t) { return ticks_to_seconds(t); }
double s(double ticks) { return ticks / static_cast<double>(kTicksPerSecond); }

}  // namespace

TEST_CASE("issue 11: two jobs under LAS with a 10 s quantum take turns on one GPU") {
  // a: 30 s from 0; b: 20 s from 5. Ties go to the earlier arrival (tiresias:ties=arrival).
  //   0-10 a runs (b, arriving at 5 with rank 0 like a, is behind it); at 10 a completes a
  //   quantum (rank 1) and b (rank 0) displaces it; 10-20 b; at 20 b reaches rank 1 and a,
  //   earlier, displaces it; 20-30 a (rank 2 at 30); 30-40 b, which ends at 40 with its 20 s;
  //   40-50 a ends. a: preempted at 10 and 30, suspended 10-20 and 30-40; b: at 20, 20-30.
  const Outcome o = run("tiresias:ties=arrival", "las:quantum=10", {job("a", 1, 30, 0), job("b", 1, 20, 5)}, 1, 1);
  const JobRecord& a = o.jobs.at("a");
  const JobRecord& b = o.jobs.at("b");
  CHECK(s(a.start) == 0);
  CHECK(s(a.end) == 50);
  CHECK(s(b.start) == 10);
  CHECK(s(b.end) == 40);
  CHECK(a.preemptions == 2);
  CHECK(b.preemptions == 1);
  CHECK(s(a.suspended) == 20);
  CHECK(s(b.suspended) == 10);
  CHECK(s(a.attained_gpu_ticks) == 30);
  CHECK(s(b.attained_gpu_ticks) == 20);
  CHECK(a.slowdown() == 1.0);  // preemption is not sharing
  CHECK(a.finish_time_fairness() == doctest::Approx(50.0 / 30));
  CHECK(b.finish_time_fairness() == doctest::Approx(35.0 / 20));
  CHECK(o.result.summary.preemptions == 3);
  CHECK(o.result.summary.lost_gpu_time_share == 0);
  CHECK(o.result.stats.queue_order == "las:quantum=10");
  CHECK(a.note.find("preempted 2 times, last: for job 'b', which ranks before it") != std::string::npos);
}

TEST_CASE("issue 11: a 2D-LAS demotion at a threshold counts GPU-time, so a 2-GPU job is demoted in half the time") {
  // One node of 2 GPUs, one threshold of 100 GPU-seconds. a: 2 GPUs, 300 s, from 0; b: 1 GPU,
  // 50 s, from 20. At 20 both are in queue 0, so b waits (Tiresias keeps the running job among
  // equals). a reaches 100 GPU-s at 50 s (2 GPUs), drops to queue 1, and b displaces it: b runs
  // 50-100; a resumes at 100 with 250 s left and ends at 350.
  const Outcome o = run("tiresias", "2d-las:thresholds=100", {job("a", 2, 300, 0), job("b", 1, 50, 20)}, 1, 2);
  CHECK(s(o.jobs.at("b").start) == 50);
  CHECK(s(o.jobs.at("b").end) == 100);
  CHECK(s(o.jobs.at("a").end) == 350);
  CHECK(o.jobs.at("a").preemptions == 1);
  CHECK(s(o.jobs.at("a").suspended) == 50);
  CHECK(s(o.jobs.at("a").attained_gpu_ticks) == 600);
  // With the default thresholds (3,250 and 7,200 GPU-s) nothing is demoted in time: b waits.
  const Outcome plain = run("tiresias", "", {job("a", 2, 300, 0), job("b", 1, 50, 20)}, 1, 2);
  CHECK(plain.result.stats.queue_order == "2d-las");
  CHECK(s(plain.jobs.at("b").start) == 300);
  CHECK(plain.result.summary.preemptions == 0);
}

TEST_CASE("issue 11: a preemption with suspend and resume delays loses the work since the last checkpoint") {
  // One GPU. a: priority 0, 100 s, from 0; b: priority 5, 20 s, from 25. Suspend 4 s, resume
  // 6 s, a checkpoint every 10 s of work. At 25 b evicts a, which has done 25 s: 20 s are safe,
  // 5 s are lost (80 s left). a checkpoints until 29 (holding the GPU; b waits for it), b runs
  // 29-49, a resumes at 49, restores until 55 and ends at 135.
  SimConfig config;
  config.preemption.delays = {4 * kTicksPerSecond, 6 * kTicksPerSecond};
  config.preemption.checkpoint_interval = 10 * kTicksPerSecond;
  const Outcome o = run("priority-preemption", "", {job("a", 1, 100, 0, 0), job("b", 1, 20, 25, 5)}, 1, 1, config);
  const JobRecord& a = o.jobs.at("a");
  CHECK(o.result.stats.queue_order == "priority");
  CHECK(s(o.jobs.at("b").start) == 29);
  CHECK(s(o.jobs.at("b").end) == 49);
  CHECK(s(a.end) == 135);
  CHECK(a.preemptions == 1);
  CHECK(s(a.suspended) == 30);           // 25 (preempted) to 55 (progress again)
  CHECK(s(a.redone_ticks) == 5);         // the work lost, done again
  CHECK(s(a.lost_gpu_ticks) == 15);      // (5 redone + 4 suspend + 6 resume) x 1 GPU
  CHECK(s(a.attained_gpu_ticks) == 115); // 0-29 and 49-135
  CHECK(a.slowdown() == doctest::Approx(1.0));
  CHECK(o.result.summary.lost_gpu_time_share == doctest::Approx(15.0 / 135));
  // Per-application delays override the global ones.
  config.preemption.per_app = {{"app", {0, 0}}};
  const Outcome free = run("priority-preemption", "", {job("a", 1, 100, 0, 0), job("b", 1, 20, 25, 5)}, 1, 1, config);
  CHECK(s(free.jobs.at("b").start) == 25);
  CHECK(s(free.jobs.at("a").end) == 125);  // 5 s lost, no delays
}

TEST_CASE("issue 11: srtf displaces a running job only for less remaining work, measured now") {
  // One GPU. a: 100 s from 0; b: 30 s from 10 (a has 90 s left: b displaces it); c: 80 s from 20
  // (b has 20 s left: c waits). At 40 b ends; c (80) goes before a (90): 40-120, then a to 210.
  const Outcome o = run("tiresias", "srtf:by=duration", {job("a", 1, 100, 0), job("b", 1, 30, 10), job("c", 1, 80, 20)}, 1, 1);
  CHECK(s(o.jobs.at("b").start) == 10);
  CHECK(s(o.jobs.at("b").end) == 40);
  CHECK(s(o.jobs.at("c").start) == 40);
  CHECK(s(o.jobs.at("c").end) == 120);
  CHECK(s(o.jobs.at("a").end) == 210);
  CHECK(o.result.summary.preemptions == 1);
}

TEST_CASE("issue 11: priority-preemption evicts on the node with the fewest victims, and reprieves the important ones") {
  // Two nodes of 2 GPUs. z (priority 1, 2 GPUs) goes first, to node 0 (most idle GPUs, lower
  // index); x, y (priority 0, 1 GPU each) to node 1. p (priority 5, 2 GPUs) needs a node: node 0
  // costs one victim (z, priority 1), node 1 two (priority 0): the fewest victims win, so z is
  // evicted and p starts at 5. z, back in the queue, outranks x and y and evicts both in turn.
  const Outcome o = run("priority-preemption", "",
                        {job("x", 1, 100, 0, 0), job("y", 1, 100, 0, 0), job("z", 2, 100, 0, 1), job("p", 2, 10, 5, 5)}, 2, 2);
  CHECK(o.jobs.at("p").gpu_list == std::vector<GpuIndex>{0, 1});
  CHECK(s(o.jobs.at("p").start) == 5);
  CHECK(o.jobs.at("z").preemptions == 1);
  CHECK(o.jobs.at("z").gpu_list == std::vector<GpuIndex>{2, 3});
  CHECK(s(o.jobs.at("z").suspended) == 0);  // resumed at once, on node 1
  CHECK(o.jobs.at("x").preemptions == 1);
  CHECK(o.jobs.at("y").preemptions == 1);
  // One node of 2 GPUs: x (priority 0) and y (priority 1); p (priority 5) needs one GPU. Evicting
  // both would do; y, the more important, is reprieved, and x alone is evicted.
  const Outcome one = run("priority-preemption", "", {job("x", 1, 100, 0, 0), job("y", 1, 100, 0, 1), job("p", 1, 10, 5, 5)}, 1, 2);
  CHECK(one.jobs.at("x").preemptions == 1);
  CHECK(one.jobs.at("y").preemptions == 0);
  // Equal priority never evicts.
  const Outcome equal = run("priority-preemption", "", {job("x", 1, 100, 0, 5), job("p", 1, 10, 5, 5)}, 1, 1);
  CHECK(equal.result.summary.preemptions == 0);
  CHECK(s(equal.jobs.at("p").start) == 100);
}

TEST_CASE("issue 11: while its victims checkpoint, the room they free is kept for the job they make room for") {
  // Two nodes of 2 GPUs, a 1 s suspend delay. v (priority -2, 2 GPUs, 100 s) runs on node 0. At
  // 10 s x (priority 0, 4 GPUs) needs both nodes and evicts v; y (priority -2, 2 GPUs) arrives
  // with it. Node 1 is idle while v checkpoints, but it is x's: y may not take it (if it did, x
  // would evict y at 11 s, v would take node 0 back, and so on for ever; fuzz_simulation found
  // that). x runs 11-21, then v resumes on node 0 (90 s left) and y starts on node 1.
  SimConfig config;
  config.preemption.delays = {seconds_to_ticks(1), 0};
  const Outcome o = run("priority-preemption", "",
                        {job("v", 2, 100, 0, -2), job("x", 4, 10, 10, 0), job("y", 2, 10, 10, -2)}, 2, 2, config);
  CHECK(s(o.jobs.at("x").start) == 11);
  CHECK(s(o.jobs.at("x").end) == 21);
  CHECK(o.jobs.at("v").preemptions == 1);
  CHECK(s(o.jobs.at("v").suspended) == 11);
  CHECK(s(o.jobs.at("v").end) == 111);
  CHECK(s(o.jobs.at("y").start) == 21);
  CHECK(o.jobs.at("y").preemptions == 0);
  CHECK(o.result.summary.preemptions == 1);
}

namespace {

// Breaks the preemption rules on purpose, one way per mode.
class RuleBreaker final : public PlacementPolicy {
 public:
  explicit RuleBreaker(int mode) : mode_(mode) {}
  bool preempts() const override { return true; }
  void schedule(SchedulingPass& pass) override {
    std::vector<JobSlot> running;
    pass.visit_running_last_first([&](const RunningJob& r) {
      running.push_back(r.slot);
      return true;
    });
    if (mode_ == 3 && pass.now() == 0) pass.call_back_at(seconds_to_ticks(50));
    if (mode_ == 3 && pass.now() < seconds_to_ticks(50)) return;  // starts jobs at 50 s only
    for (const PendingJob& p : pass.pending()) {
      if (mode_ == 0) pass.preempt(p.slot, "not running");
      if (mode_ == 1 && !running.empty()) {
        pass.preempt(running[0], "once");
        pass.preempt(running[0], "twice");
      }
      if (mode_ == 2) pass.call_back_at(pass.now());
      if (pass.fits(*p.spec, 0)) pass.place(p, std::vector<GpuIndex>{0});
    }
  }

 private:
  int mode_;
};

}  // namespace

TEST_CASE("issue 11: the core validates preemptions and call-backs, and a call-back makes a pass") {
  NoInterference none;
  // b outranks a (priority order), so the core offers it although no GPU is free.
  const std::vector<JobSpec> jobs = {job("a", 1, 100, 0), job("b", 1, 10, 5, 1)};
  const ClusterSpec cluster = ClusterSpec::uniform(1, 1, {"G", 16000, 1.0});
  SimConfig by_priority;
  by_priority.queue_order = QueueOrderChoice::parse("priority");
  RuleBreaker not_running(0), twice(1), past(2), later(3);
  CHECK_THROWS_WITH_AS(simulate(cluster, jobs, none, not_running), doctest::Contains("which was not running when the pass began"), PolicyError);
  CHECK_THROWS_WITH_AS(simulate(cluster, jobs, none, twice, by_priority), "job 'a' preempted twice in one pass", PolicyError);
  CHECK_THROWS_WITH_AS(simulate(cluster, jobs, none, past), doctest::Contains("is not after now"), PolicyError);
  // Under fifo b does not outrank a: it is not offered while the GPU is taken, and waits.
  RuleBreaker patient(1);
  CHECK(ticks_to_seconds(simulate(cluster, jobs, none, patient).jobs.back().end) == 110);
  // Nothing happens at 50 s but the call-back: a starts then.
  const RunResult r = simulate(cluster, {job("a", 1, 10, 0)}, none, later);
  CHECK(ticks_to_seconds(r.jobs.at(0).start) == 50);
}

TEST_CASE("issue 11: a preempted job that never resumes is reported unfinished, with the GPUs it had") {
  // The policy evicts the running job for the newcomer, then places nothing more: at the end
  // the evicted job is still waiting, and is reported once, as unfinished, not as never started.
  class EvictOnce final : public PlacementPolicy {
   public:
    bool preempts() const override { return true; }
    void schedule(SchedulingPass& pass) override {
      if (done_) return;
      for (const PendingJob& p : pass.pending()) {
        if (p.spec->id != "b") {
          if (pass.fits(*p.spec, 0)) pass.place(p, std::vector<GpuIndex>{0});
          continue;
        }
        pass.visit_running_last_first([&](const RunningJob& r) {
          pass.preempt(r.slot, "make way");
          return false;
        });
        done_ = true;
        return;
      }
    }

   private:
    bool done_ = false;
  } policy;
  NoInterference none;
  SimConfig by_priority;
  by_priority.queue_order = QueueOrderChoice::parse("priority");
  const RunResult r = simulate(ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}), {job("a", 1, 100, 0), job("b", 1, 10, 5, 1)}, none,
                               policy, by_priority);
  std::map<std::string, JobRecord> by_id;
  for (const JobRecord& j : r.jobs) by_id[j.id] = j;
  CHECK(by_id.at("a").outcome == JobOutcome::unfinished);
  CHECK(by_id.at("a").gpu_list == std::vector<GpuIndex>{0});
  CHECK(by_id.at("a").note.find("preempted, still waiting to resume") == 0);
  CHECK(by_id.at("b").outcome == JobOutcome::never_started);
}

namespace {

// The Tiresias simulator's dlas-gpu walk when no job reaches a threshold (all in queue 0), written
// out independently: whole seconds; at each instant jobs end first, then arrivals join; pending
// jobs in arrival order start whenever the cluster's free GPU count holds them, nodes ignored.
std::map<std::string, Tick> greedy_count_walk(const std::vector<JobSpec>& jobs, int gpus) {
  std::map<std::string, Tick> end;
  std::vector<const JobSpec*> pending;
  std::multimap<Tick, const JobSpec*> running;  // by end
  std::size_t next = 0;
  int free = gpus;
  while (next < jobs.size() || !pending.empty() || !running.empty()) {
    Tick now = kHorizon;
    if (next < jobs.size()) now = jobs[next].submit;
    if (!running.empty()) now = std::min(now, running.begin()->first);
    if (now == kHorizon) break;
    while (!running.empty() && running.begin()->first == now) {
      free += running.begin()->second->gpus;
      running.erase(running.begin());
    }
    while (next < jobs.size() && jobs[next].submit == now) pending.push_back(&jobs[next++]);
    for (auto it = pending.begin(); it != pending.end();) {
      if ((*it)->gpus > free) {
        ++it;
        continue;
      }
      free -= (*it)->gpus;
      end[(*it)->id] = now + (*it)->solo_duration;
      running.emplace(now + (*it)->solo_duration, *it);
      it = pending.erase(it);
    }
  }
  return end;
}

}  // namespace

TEST_CASE("issue 11: tiresias on the Tiresias simulator's 60_job.csv") {
  auto file = shared_data_file("peer-traces/tiresias/60_job.csv");
  if (!file) return;
  const traces::ImportedTrace trace = traces::builtin_importers().run("tiresias", {*file, {}, {}});
  REQUIRE(trace.jobs.size() == 60);
  auto policy = builtin_policies().make("tiresias");
  NoInterference none;
  // No job reaches 3,250 GPU-seconds (the largest uses 2,440): 2D-LAS never demotes, nothing is
  // preempted, and the run is the simulator's greedy walk. On one node of 8 GPUs (the
  // simulator's node-blind counting on 2 x 4) it matches the walk job for job.
  const RunResult blind = simulate(ClusterSpec::uniform(1, 8, {"P100", 16384, 1.0}), trace.jobs, none, *policy);
  const std::map<std::string, Tick> expected = greedy_count_walk(trace.jobs, 8);
  CHECK(blind.summary.finished == 60);
  CHECK(blind.summary.preemptions == 0);
  for (const JobRecord& r : blind.jobs) {
    CAPTURE(r.id);
    CHECK(r.end == expected.at(r.id));
  }
  // On 2 nodes x 4 GPUs, consolidated: a different schedule, which the docs report.
  const RunResult nodes = simulate(ClusterSpec::uniform(2, 4, {"P100", 16384, 1.0}), trace.jobs, none, *policy);
  CHECK(nodes.summary.finished == 60);
  CHECK(nodes.summary.preemptions == 0);
  CHECK(nodes.summary.makespan_s == 4839);
  CHECK(std::round(nodes.summary.jct_mean_s * 100) / 100 == 782.55);
  // With room for all (peak demand is 26 GPUs), every job starts on arrival: JCT = duration.
  const RunResult roomy = simulate(ClusterSpec::uniform(1, 32, {"P100", 16384, 1.0}), trace.jobs, none, *policy);
  CHECK(roomy.summary.makespan_s == 3271);
  CHECK(std::round(roomy.summary.jct_mean_s * 100) / 100 == 178.42);
  // Lower thresholds make 2D-LAS preempt on the same trace; every job still finishes once.
  SimConfig low;
  low.queue_order = QueueOrderChoice::parse("2d-las:thresholds=500/2000");
  const RunResult demoted = simulate(ClusterSpec::uniform(2, 4, {"P100", 16384, 1.0}), trace.jobs, none, *policy, low);
  CHECK(demoted.summary.finished == 60);
  CHECK(demoted.summary.preemptions > 0);
}

TEST_CASE("issue 11: gavel shares the cluster in rounds, the job furthest below its share first") {
  // One node of 2 GPUs, rounds of 100 s, two 2-GPU jobs of 300 s from 0: each gets half the
  // time (x = 2 GPUs / 4 GPUs of gangs). Priority x / (rounds run / rounds active), ties to the
  // running job, then arrival: 0 a (neither has run), 100 b (never run), 200 b (tie, running),
  // 300 a (1.5 against 0.75), 400 a (tie, running): a runs 0-100 and 300-500, b 100-300 and
  // 500-600.
  const Outcome o = run("gavel:round=100", "", {job("a", 2, 300, 0), job("b", 2, 300, 0)}, 1, 2);
  CHECK(s(o.jobs.at("a").end) == 500);
  CHECK(s(o.jobs.at("b").end) == 600);
  CHECK(o.jobs.at("a").preemptions == 1);
  CHECK(o.jobs.at("b").preemptions == 1);
  // A job arriving between rounds waits for the next one, even on an idle cluster.
  const Outcome late = run("gavel:round=100", "", {job("c", 1, 50, 30)}, 1, 2);
  CHECK(s(late.jobs.at("c").start) == 100);
  CHECK(s(late.jobs.at("c").end) == 150);
  CHECK(late.result.summary.preemptions == 0);
}

TEST_CASE("issue 11: gavel and gandiva on the Gavel trace 0e4a51 on 64 V100s (16 x 4)") {
  auto trace_file = shared_data_file("peer-traces/gavel-msr-seed0/0e4a51.trace");
  auto throughputs = shared_data_file("gavel-colocation/simulation_throughputs.json");
  if (!trace_file || !throughputs) return;
  // 197 of the 1,181 rows have no V100 throughput for their (job type, scale factor): skipped, as
  // Gavel cannot run them either (KeyError).
  const traces::ImportedTrace trace = traces::builtin_importers().run("gavel", {*trace_file, {*throughputs}, {{"skip-missing", "true"}}});
  REQUIRE(trace.jobs.size() == 984);
  const ClusterSpec cluster = ClusterSpec::uniform(16, 4, {"v100", 16384, 1.0});
  NoInterference none;
  auto gavel = builtin_policies().make("gavel");
  const testing::CheckedRun gavel_run = testing::run_checked(cluster, trace.jobs, none, *gavel, SimConfig{});
  CHECK_MESSAGE(gavel_run.violations.empty(), gavel_run.violations);
  const RunResult rounds = simulate(cluster, trace.jobs, none, *gavel);
  CHECK(rounds.summary.finished == 984);
  CHECK(rounds.summary.preemptions > 0);
  CHECK(rounds.stats.queue_order == "fifo");
  for (const JobRecord& r : rounds.jobs) CHECK(r.start % seconds_to_ticks(360) == 0);  // rounds of 360 s
  MESSAGE("gavel: mean JCT " << rounds.summary.jct_mean_s << " s, makespan " << rounds.summary.makespan_s << " s, "
                             << rounds.summary.preemptions << " preemptions");
  // gandiva stacks whole-GPU jobs (packing, time-slicing) only where the run lets jobs stack.
  SimConfig stack;
  stack.sharing = GpuSharing::stack;
  auto gandiva = builtin_policies().make("gandiva");
  const testing::CheckedRun gandiva_run = testing::run_checked(cluster, trace.jobs, none, *gandiva, stack);
  CHECK_MESSAGE(gandiva_run.violations.empty(), gandiva_run.violations);
  const RunResult sliced = simulate(cluster, trace.jobs, none, *gandiva, stack);
  CHECK(sliced.summary.finished == 984);
  MESSAGE("gandiva: mean JCT " << sliced.summary.jct_mean_s << " s, makespan " << sliced.summary.makespan_s << " s, "
                                << sliced.summary.preemptions << " preemptions (moves)");
}

TEST_CASE("issue 11: gittins ranks by the Gittins index of attained service over a service distribution") {
  // Services of 10 and 100 GPU-s, equally likely. At 0 attained: stopping at 10 finishes half
  // the jobs for (10 + 10) / 2 = 10 GPU-s on average, 0.05 per GPU-s; going on to 100 finishes
  // all for (10 + 100) / 2 = 55, 0.018: G(0) = 0.05. At 10 only the 100 is left: 1 / 90.
  const QueueOrderChoice gittins = QueueOrderChoice::parse("gittins:service=10/100,quantum=10");
  const JobSpec j = job("j", 1, 100, 0);
  CHECK(gittins.order->rank(j, {0, 0}) == doctest::Approx(-0.05));
  CHECK(gittins.order->rank(j, {static_cast<double>(seconds_to_ticks(10)), 0}) == doctest::Approx(-1.0 / 90));
  CHECK(gittins.order->rank(j, {static_cast<double>(seconds_to_ticks(100)), 0}) == 0);  // beyond every value: last
  CHECK(gittins.order->next_step(j, {static_cast<double>(seconds_to_ticks(15)), 0}) == seconds_to_ticks(20));
  // One GPU: a (100 s) from 0, b (10 s) from 5. b ties a until a completes its first quantum at
  // 10 s; its index then falls to 1/90 and b displaces it: b runs 10-20, a resumes and ends at 110.
  const Outcome o = run("tiresias", "gittins:service=10/100,quantum=10", {job("a", 1, 100, 0), job("b", 1, 10, 5)}, 1, 1);
  CHECK(s(o.jobs.at("b").start) == 10);
  CHECK(s(o.jobs.at("b").end) == 20);
  CHECK(s(o.jobs.at("a").end) == 110);
  CHECK(o.jobs.at("a").preemptions == 1);
  CHECK_THROWS_WITH_AS(QueueOrderChoice::parse("gittins:service=10/-1"), doctest::Contains("parameter 'service'"), Error);
}

TEST_CASE("issue 11: work at a checkpoint up to floating-point residue counts as safe, in the core and the checker alike") {
  PreemptionCost cost;
  CHECK(cost.safe_work(12345.6) == 12345.6);  // no interval: a suspend writes a checkpoint
  cost.checkpoint_interval = 1;
  CHECK(cost.safe_work(12345.6) == 12345);
  CHECK(cost.safe_work(11999.999999999) == 12000);  // 12000 - (12000 - x) is not always x
  cost.checkpoint_interval = 40 * kTicksPerSecond;
  CHECK(cost.safe_work(99.0 * kTicksPerSecond) == 80.0 * kTicksPerSecond);
  CHECK(cost.safe_work(0) == 0);
}

namespace {
// ContractChecker's verdict on a 2e15-tick job on one GPU (speed 1, no co-runners) preempted at
// 0.5 s short of the tenth of its 1e14-tick checkpoints: within the residue under which work
// counts as reaching a checkpoint, so the core's sum of the work may have kept the tenth
// checkpoint or only the ninth. This core kept the ninth and then does `extra` ticks more work.
std::string straddled_checkpoint(Tick extra) {
  constexpr Tick kSolo = 2'000'000'000'000'000, kInterval = 100'000'000'000'000;
  constexpr Tick kPreempted = 10 * kInterval - 500'000, kResumed = kPreempted + 1'000;
  SimConfig config;
  config.preemption.checkpoint_interval = kInterval;
  NoInterference none;
  ContractChecker checker(none, config);
  ClusterState cluster(ClusterSpec::uniform(1, 1, {"G", 16000, 1.0}));
  JobSpec j = job("j", 1, 0, 0);
  j.solo_duration = kSolo;
  const AppIndex app = cluster.intern_app(j.app);
  const std::vector<GpuIndex> gpu{0};
  checker.on_begin(cluster);
  cluster.add(0, j, app, gpu);
  checker.on_start(0, j, gpu);
  checker.on_instant(0, cluster, 0, 1);
  checker.on_preempt(kPreempted, j, gpu);
  cluster.remove(0, j, gpu);
  checker.on_release(kPreempted, j, gpu);
  checker.on_instant(kPreempted, cluster, 1, 0);
  cluster.add(0, j, app, gpu);
  checker.on_start(kResumed, j, gpu);
  checker.on_instant(kResumed, cluster, 0, 1);
  const Tick end = kResumed + (kSolo - 9 * kInterval) + extra;
  cluster.remove(0, j, gpu);
  JobRecord r;
  r.id = j.id;
  r.app = j.app;
  r.submit = 0;
  r.start = 0;
  r.end = end;
  r.solo_duration = kSolo;
  r.gpus = 1;
  r.gpu_list = gpu;
  r.preemptions = 1;
  r.attained_gpu_ticks = static_cast<double>(kPreempted + (end - kResumed));
  checker.on_job_done(r);
  checker.on_instant(end, cluster, 0, 0);
  return checker.report();
}
}  // namespace

TEST_CASE("issue 11: a preemption within residue of a checkpoint: the checker accepts either side of it, and no more") {
  // Found by fuzz_simulation: the checker kept the tenth checkpoint, the core the ninth.
  CHECK(straddled_checkpoint(0) == "");
  CHECK(straddled_checkpoint(-1'000) == "");
  CHECK(straddled_checkpoint(-100'000'000'000'000) == "");  // the core kept the tenth too
  // A slip beyond the ninth checkpoint is still a slip.
  CHECK_MESSAGE(straddled_checkpoint(10'000'000) != "", "work beyond the ninth checkpoint was not flagged");
}

TEST_CASE("issue 11: gittins learns its distribution from the jobs that finish (learn=N)") {
  // One GPU, 1 s quanta, prior service = 1000 GPU-s: under it a job that has run has a higher
  // index (1 / (1000 - a)) than a fresh one, so nothing is ever displaced. j1 (10 s) runs 0-10.
  // With learn=1 its 10 GPU-s become the distribution when it ends: j2 (100 s, waiting since 1)
  // is ranked again and starts; at 30 it has held 20 GPU-s, beyond every value (index 0), and
  // j3 (5 s, index 1/10) displaces it: j3 runs 30-35, j2 ends at 115.
  const std::vector<JobSpec> jobs{job("j1", 1, 10, 0), job("j2", 1, 100, 1), job("j3", 1, 5, 30)};
  const Outcome learnt = run("tiresias", "gittins:service=1000,quantum=1,learn=1", jobs, 1, 1);
  CHECK(s(learnt.jobs.at("j2").start) == 10);
  CHECK(s(learnt.jobs.at("j3").start) == 30);
  CHECK(s(learnt.jobs.at("j3").end) == 35);
  CHECK(s(learnt.jobs.at("j2").end) == 115);
  CHECK(learnt.jobs.at("j2").preemptions == 1);
  // Without learning, j3 waits for j2: 110 and 115.
  const Outcome fixed = run("tiresias", "gittins:service=1000,quantum=1", jobs, 1, 1);
  CHECK(s(fixed.jobs.at("j2").end) == 110);
  CHECK(s(fixed.jobs.at("j3").end) == 115);
  CHECK(fixed.jobs.at("j2").preemptions == 0);
  // Each run learns afresh: a second run with the same choice gives the same records.
  const QueueOrderChoice shared = QueueOrderChoice::parse("gittins:service=1000,quantum=1,learn=1");
  SimConfig config;
  config.queue_order = shared;
  const Outcome again = run("tiresias", "", jobs, 1, 1, config);
  const Outcome third = run("tiresias", "", jobs, 1, 1, config);
  CHECK(s(again.jobs.at("j3").end) == 35);
  CHECK(s(third.jobs.at("j3").end) == 35);
  CHECK_THROWS_WITH_AS(QueueOrderChoice::parse("gittins:learn=0.5"), doctest::Contains("parameter 'learn'"), Error);
  CHECK_THROWS_WITH_AS(QueueOrderChoice::parse("gittins:learn=5,window=0"), doctest::Contains("parameter 'window'"), Error);
}

TEST_CASE("issue 11: the 2D-LAS starvation guard promotes a job that waited twice as long as it ran") {
  // One GPU, one threshold of 10 GPU-s, guard N = 2; a and b 100 s each, from 0 and 5. a runs
  // 0-10 and drops to queue 1; b (queue 0) displaces it and runs 10-30 (queue 1 from 20; a,
  // equal now, does not displace it). a has waited 20 s = 2 x 10 s at 30: promoted to queue 0,
  // it displaces b and runs 30-70 (queue 1 again from 40, b equal and waiting). b has run 20 s
  // and waited 40 s at 70: promoted, it runs 70-150 to its end; a, promoted at 150, ends at 200.
  // Without the guard b keeps the GPU from 10 to its end at 110, and a ends at 200.
  const Outcome o = run("tiresias", "2d-las:thresholds=10,starvation=2", {job("a", 1, 100, 0), job("b", 1, 100, 5)}, 1, 1);
  CHECK(s(o.jobs.at("b").end) == 150);
  CHECK(s(o.jobs.at("a").end) == 200);
  CHECK(o.jobs.at("a").preemptions == 2);
  CHECK(o.jobs.at("b").preemptions == 1);
  CHECK(o.jobs.at("b").note.find("promoted 1 time by the starvation guard") != std::string::npos);
  CHECK(s(o.jobs.at("a").attained_gpu_ticks) == 100);  // records keep the whole service
  const Outcome off = run("tiresias", "2d-las:thresholds=10", {job("a", 1, 100, 0), job("b", 1, 100, 5)}, 1, 1);
  CHECK(s(off.jobs.at("b").end) == 110);
  CHECK(s(off.jobs.at("a").end) == 200);
  CHECK_THROWS_WITH_AS(QueueOrderChoice::parse("2d-las:starvation=-1"), doctest::Contains("parameter 'starvation'"), Error);
}

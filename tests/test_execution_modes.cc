// Issue 11: time-slicing beside concurrent sharing, and per-(application, GPU type) speeds from
// a throughput table. Hand-worked timelines with no interference.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "colosim/errors.h"
#include "colosim/pair_table.h"
#include "colosim/policies/builtin.h"
#include "colosim/run_options.h"
#include "colosim/simulator.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/interference_import.h"
#include "shared_data.h"
#include "whole_gpu_job.h"

using namespace colosim;

namespace {

std::map<std::string, JobRecord> by_id(const RunResult& r) {
  std::map<std::string, JobRecord> out;
  for (const JobRecord& j : r.jobs) out[j.id] = j;
  return out;
}

double s(Tick t) { return ticks_to_seconds(t); }

// Places every job on GPU 0, and at `switch_at` makes GPU 0 time-sliced.
class SliceLater final : public PlacementPolicy {
 public:
  explicit SliceLater(Tick switch_at) : switch_at_(switch_at) {}
  void schedule(SchedulingPass& pass) override {
    if (pass.now() == 0) pass.call_back_at(switch_at_);
    if (pass.now() == switch_at_) pass.set_time_sliced(0, true);
    for (const PendingJob& p : pass.pending())
      if (pass.fits(*p.spec, 0)) pass.place(p, std::vector<GpuIndex>{0});
  }

 private:
  Tick switch_at_;
};

class SliceMissing final : public PlacementPolicy {
 public:
  void schedule(SchedulingPass& pass) override { pass.set_time_sliced(7, true); }
};

}  // namespace

TEST_CASE("issue 11: three jobs time-slicing one GPU with a context-switch cost") {
  // One GPU, jobs of 30, 60 and 90 s stacked on it, taking turns of 1 s with 0.1 s lost at each
  // switch: with k jobs each progresses 1 / (k x 1.1) of the time. 0-99 s: three turn, a's
  // 30 s take 30 x 3.3 = 99 s; b and c have 30 and 60 s left. 99-165 s: two, b's 30 s take
  // 66 s; c has 30 s left and runs alone, without switches, to 195 s.
  const ClusterSpec cluster = ClusterSpec::uniform(1, 1, {"G", 16000, 1.0});
  const std::vector<JobSpec> jobs = {testing::timeline_job("a", 1, 30, 0), testing::timeline_job("b", 1, 60, 0),
                                     testing::timeline_job("c", 1, 90, 0)};
  RunOptions options;
  set_run_option(options, "gpu_sharing", "stack");
  set_run_option(options, "gpu_execution", "time-sliced");
  set_run_option(options, "time_slice_s", "1");
  set_run_option(options, "context_switch_s", "0.1");
  NoInterference none;
  auto binpack = builtin_policies().make("binpack");
  const auto sliced = by_id(simulate(cluster, jobs, none, *binpack, options.sim));
  CHECK(s(sliced.at("a").end) == doctest::Approx(99));
  CHECK(s(sliced.at("b").end) == doctest::Approx(165));
  CHECK(s(sliced.at("c").end) == doctest::Approx(195));
  CHECK(sliced.at("a").slowdown() == doctest::Approx(3.3));
  for (const auto& [id, r] : sliced) CHECK(r.gpu_list == std::vector<GpuIndex>{0});
  // Concurrent on the same GPU, with no interference, each runs its solo time.
  set_run_option(options, "gpu_execution", "concurrent");
  const auto together = by_id(simulate(cluster, jobs, none, *binpack, options.sim));
  CHECK(s(together.at("c").end) == 90);
  CHECK(find_run_option("time_slice_s")->get(options) == "1");
  CHECK_THROWS_WITH_AS(set_run_option(options, "time_slice_s", "0"), doctest::Contains("time_slice_s"), Error);
  CHECK_THROWS_WITH_AS(set_run_option(options, "gpu_execution", "turns"), doctest::Contains("concurrent or time-sliced"), Error);
}

TEST_CASE("issue 11: a policy switches a GPU to time-slicing and its jobs' rates change at once") {
  // a and b (60 s each) run together with no interference until 30 s, when the GPU starts
  // time-slicing (no switch cost): each has 30 s left at half speed and ends at 90 s.
  const ClusterSpec cluster = ClusterSpec::uniform(1, 1, {"G", 16000, 1.0});
  SimConfig config;
  config.sharing = GpuSharing::stack;
  config.time_slicing.quantum = seconds_to_ticks(1);
  NoInterference none;
  SliceLater policy(seconds_to_ticks(30));
  const auto r = by_id(simulate(cluster, {testing::timeline_job("a", 1, 60, 0), testing::timeline_job("b", 1, 60, 0)}, none, policy, config));
  CHECK(s(r.at("a").end) == 90);
  CHECK(s(r.at("b").end) == 90);
  SliceMissing missing;
  CHECK_THROWS_WITH_AS(simulate(cluster, {testing::timeline_job("a", 1, 60, 0)}, none, missing, config),
                       doctest::Contains("GPU 7, which does not exist"), PolicyError);
}

TEST_CASE("issue 11: a job's duration differs on K80 and V100 by its application's throughput table") {
  // Solo durations are on the reference type, V100 (speed 1). From a throughput table, resnet
  // runs at 0.25 of its V100 throughput on a K80, and a 2-GPU resnet gang at 0.2; lm has no entry
  // and takes the K80's own speed, 0.5. resnet, 100 s solo: 100 s on a V100, 400 s on a K80,
  // 500 s as a 2-GPU gang; lm: 200 s on a K80.
  ClusterSpec cluster;
  cluster.name = "k80-v100";
  cluster.gpu_types = {{"V100", 16000, 1.0}, {"K80", 12000, 0.5}};
  cluster.nodes = {{"v", "V100", 2}, {"k", "K80", 2}};
  cluster.app_speeds = {{"resnet", "K80", 0, 0.25}, {"resnet", "K80", 2, 0.2}, {"resnet", "V100", 0, 1.0}};
  auto on = [](JobSpec j, std::string type, std::string app) {
    j.gpu_types = {std::move(type)};
    j.app = std::move(app);
    return j;
  };
  const std::vector<JobSpec> jobs = {on(testing::timeline_job("resnet-v100", 1, 100, 0), "V100", "resnet"),
                                     on(testing::timeline_job("resnet-k80", 1, 100, 0), "K80", "resnet"),
                                     on(testing::timeline_job("lm-k80", 1, 100, 0), "K80", "lm"),
                                     on(testing::timeline_job("resnet-k80x2", 2, 100, 400), "K80", "resnet")};
  NoInterference none;
  auto first_fit = builtin_policies().make("first-fit");
  const auto r = by_id(simulate(cluster, jobs, none, *first_fit));
  CHECK(s(r.at("resnet-v100").end) == 100);
  CHECK(s(r.at("resnet-k80").end) == 400);
  CHECK(s(r.at("lm-k80").end) == 200);
  CHECK(s(r.at("resnet-k80x2").end) == 900);
  CHECK(r.at("resnet-k80").gpu_speed == 0.25);
  CHECK(r.at("resnet-k80").slowdown() == doctest::Approx(1.0));  // slower hardware is not sharing
  CHECK(r.at("resnet-k80x2").gpu_speed == 0.2);

  // The table travels with the cluster file, and bad entries name their field.
  const auto path = std::filesystem::temp_directory_path() / "colosim-app-speeds.textproto";
  traces::write_cluster(cluster, path.string());
  CHECK(traces::read_cluster(path.string()).app_speeds.size() == 3);
  std::filesystem::remove(path);
  ClusterSpec bad = cluster;
  bad.app_speeds.push_back({"resnet", "P100", 0, 0.5});
  CHECK_THROWS_WITH_AS(bad.validate("c"), doctest::Contains("app_speeds.gpu_type"), InputError);
  bad.app_speeds.back() = {"resnet", "K80", 0, 0.3};
  CHECK_THROWS_WITH_AS(bad.validate("c"), doctest::Contains("given twice"), InputError);
  bad.app_speeds.back() = {"lm", "K80", 0, -1};
  CHECK_THROWS_WITH_AS(bad.validate("c"), doctest::Contains("app_speeds.speed"), InputError);
}

TEST_CASE("issue 11: gandiva takes idle GPUs, then packs jobs that slow each other little, then time-slices") {
  // One node of 2 GPUs, jobs stacking (no stated share), 100 s each from 0. a and b take the idle
  // GPUs 0 and 1. With no interference c packs beside a on GPU 0, and all end at 100 s.
  const ClusterSpec cluster = ClusterSpec::uniform(1, 2, {"G", 16000, 1.0});
  const std::vector<JobSpec> jobs = {testing::timeline_job("a", 1, 100, 0), testing::timeline_job("b", 1, 100, 0),
                                     testing::timeline_job("c", 1, 100, 0)};
  SimConfig config;
  config.sharing = GpuSharing::stack;
  config.time_slicing.quantum = seconds_to_ticks(1);
  auto gandiva = builtin_policies().make("gandiva");
  NoInterference none;
  const auto packed = by_id(simulate(cluster, jobs, none, *gandiva, config));
  CHECK(packed.at("a").gpu_list == std::vector<GpuIndex>{0});
  CHECK(packed.at("b").gpu_list == std::vector<GpuIndex>{1});
  CHECK(packed.at("c").gpu_list == std::vector<GpuIndex>{0});
  CHECK(s(packed.at("c").end) == 100);
  // Every pair slows down 2x: too much to pack (pack_slowdown 1.25), so GPU 0 time-slices a and
  // c: each progresses half the time. Without migration, 0-200 s; b alone ends at 100 s.
  PairTableOptions options;
  options.unknown_pair_slowdown = 2.0;
  const PairTable slow(options, "every pair 2x");
  auto no_migration = builtin_policies().make("gandiva:migrate=false");
  const auto sliced = by_id(simulate(cluster, jobs, slow, *no_migration, config));
  CHECK(sliced.at("c").gpu_list == std::vector<GpuIndex>{0});
  CHECK(s(sliced.at("a").end) == 200);
  CHECK(s(sliced.at("c").end) == 200);
  CHECK(s(sliced.at("b").end) == 100);
  CHECK(sliced.at("c").note.find("time-sliced") != std::string::npos);
  // With migration (the default), when b ends at 100 s GPU 1 is idle: c, which joined GPU 0
  // last, moves there with 50 s done, and both a and c run alone to 150 s.
  const auto moved = by_id(simulate(cluster, jobs, slow, *gandiva, config));
  CHECK(moved.at("c").gpu_list == std::vector<GpuIndex>{1});
  CHECK(moved.at("c").preemptions == 1);
  CHECK(moved.at("a").preemptions == 0);
  CHECK(s(moved.at("a").end) == 150);
  CHECK(s(moved.at("c").end) == 150);
  // A move costs what a preemption costs: 5 s to suspend (c keeps GPU 0, a runs alone) and 10 s
  // to resume. c leaves GPU 0 at 105 and restores on GPU 1 until 115, then needs 50 s more: 165.
  // a is alone from 100 (c no longer takes turns while it checkpoints): 50 s left, 150.
  SimConfig costly = config;
  costly.preemption.delays = {seconds_to_ticks(5), seconds_to_ticks(10)};
  const auto paid = by_id(simulate(cluster, jobs, slow, *gandiva, costly));
  CHECK(s(paid.at("c").end) == 165);
  CHECK(s(paid.at("a").end) == 150);
  CHECK(paid.at("c").gpu_list == std::vector<GpuIndex>{1});
}

TEST_CASE("issue 11: gavel gives the fast GPU type to the job that gains most from it") {
  // One V100 and one K80, rounds of 100 s. From the throughput table, "flat" runs at 0.9 of its
  // V100 speed on a K80 and "steep" at 0.25. flat arrives first, but steep gains 4x from the
  // V100 against flat's 1.1x: steep gets the V100 (100 s), flat the K80 (100 s / 0.9).
  ClusterSpec cluster;
  cluster.name = "k80-v100";
  cluster.gpu_types = {{"V100", 16000, 1.0}, {"K80", 12000, 0.5}};
  cluster.nodes = {{"v", "V100", 1}, {"k", "K80", 1}};
  cluster.app_speeds = {{"flat", "K80", 0, 0.9}, {"steep", "K80", 0, 0.25}};
  JobSpec flat = testing::timeline_job("flat", 1, 90, 0), steep = testing::timeline_job("steep", 1, 100, 0);
  flat.app = "flat";
  steep.app = "steep";
  NoInterference none;
  auto gavel = builtin_policies().make("gavel:round=100");
  const auto r = by_id(simulate(cluster, {flat, steep}, none, *gavel));
  CHECK(r.at("steep").gpu_list == std::vector<GpuIndex>{0});
  CHECK(r.at("flat").gpu_list == std::vector<GpuIndex>{1});
  CHECK(s(r.at("steep").end) == 100);
  CHECK(s(r.at("flat").end) == doctest::Approx(100));
  CHECK(r.at("flat").gpu_speed == 0.9);
}

TEST_CASE("gavel places every job on a type it can run on, and a round run with nothing left to happen ends") {
  // Types fast (speed 2, 4,000 MiB) and slow (speed 1, 16,000 MiB): node f of 4 fast GPUs
  // (GPUs 0-3), nodes s0 of 2 and s1 of 4 slow ones (4-5, 6-9). Strict FIFO, rounds of 1e8 s,
  // jobs of 1,000 MiB unless stated.
  ClusterSpec cluster;
  cluster.name = "fast-slow";
  cluster.gpu_types = {{"fast", 4000, 2.0}, {"slow", 16000, 1.0}};
  cluster.nodes = {{"f", "fast", 4}, {"s0", "slow", 2}, {"s1", "slow", 4}};
  SimConfig fifo;
  fifo.discipline = QueueDiscipline::fifo;
  NoInterference none;
  auto gavel = builtin_policies().make("gavel:round=1e8");
  // big (6 GPUs, 100 s) needs several nodes; the fast type has 4 GPUs, so it takes the slow
  // type's whole nodes s1 and s0, not the emptiest nodes f and s1 (mixed types). small (1 GPU,
  // 50 s) takes a fast GPU: 25 s. Before, big was never placed and, at the head of the
  // queue, kept small waiting too, one round after another until the horizon.
  const auto r = by_id(simulate(cluster, {testing::timeline_job("big", 6, 100, 0), testing::timeline_job("small", 1, 50, 0)}, none, *gavel, fifo));
  CHECK(r.at("big").gpu_list == std::vector<GpuIndex>{6, 7, 8, 9, 4, 5});
  CHECK(s(r.at("big").end) == 100);
  CHECK(r.at("small").gpu_list == std::vector<GpuIndex>{0});
  CHECK(s(r.at("small").end) == 25);
  // 8,000 MiB fit the slow type only, although the fast one has room: slow GPU, 100 s.
  JobSpec large = testing::timeline_job("large", 1, 100, 0);
  large.memory_mib = 8000;
  const auto m = by_id(simulate(cluster, {large}, none, *gavel, fifo));
  CHECK(m.at("large").gpu_list == std::vector<GpuIndex>{4});
  CHECK(s(m.at("large").end) == 100);
  // 8 GPUs: the cluster has 10, but no node holds them and neither type has 8, so gavel (one
  // type per job) cannot run huge. Under strict FIFO it is the head and nothing starts: the
  // run ends at the first round (one pass), not at the horizon. Under backfill huge takes no
  // room, and the job behind it runs.
  const JobSpec huge = testing::timeline_job("huge", 8, 100, 0);
  const RunResult stuck = simulate(cluster, {huge, testing::timeline_job("after", 1, 50, 0)}, none, *gavel, fifo);
  const auto h = by_id(stuck);
  CHECK(h.at("huge").outcome == JobOutcome::never_started);
  CHECK(h.at("after").outcome == JobOutcome::never_started);
  CHECK(h.at("after").note == "still pending when no event was left that could start it");
  CHECK(stuck.stats.passes == 1);
  const auto backfilled = by_id(simulate(cluster, {huge, testing::timeline_job("after", 1, 50, 0)}, none, *gavel));
  CHECK(s(backfilled.at("after").end) == 25);
  CHECK(backfilled.at("huge").outcome == JobOutcome::never_started);
}

TEST_CASE("issue 11: per-(job type, GPU type) speeds from Gavel's throughput file") {
  auto file = shared_data_file("gavel-colocation/simulation_throughputs.json");
  if (!file) return;
  const std::vector<AppSpeed> speeds = traces::gavel_app_speeds(file->string(), "v100");
  // ResNet-50 (batch size 64) alone: 0.6190 steps/s on a K80, 4.3948 on a V100.
  const auto it = std::find_if(speeds.begin(), speeds.end(), [](const AppSpeed& a) {
    return a.app == "ResNet-50 (batch size 64)" && a.gpu_type == "k80" && a.gpus == 1;
  });
  REQUIRE(it != speeds.end());
  CHECK(it->speed == doctest::Approx(0.6190282202246573 / 4.394774823323071));
  for (const AppSpeed& a : speeds)
    if (a.gpu_type == "v100") CHECK(a.speed == 1.0);
  // A cluster of K80s and V100s takes them as they are.
  ClusterSpec cluster;
  cluster.name = "gavel";
  cluster.gpu_types = {{"k80", 12000, 1.0}, {"p100", 16000, 1.0}, {"v100", 16000, 1.0}};
  cluster.nodes = {{"k", "k80", 4}, {"p", "p100", 4}, {"v", "v100", 4}};
  cluster.app_speeds = speeds;
  CHECK_NOTHROW(cluster.validate("gavel"));
  CHECK_THROWS_WITH_AS(traces::gavel_app_speeds(file->string(), "a100"), doctest::Contains("no GPU type 'a100'"), InputError);
}

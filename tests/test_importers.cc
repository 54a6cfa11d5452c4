// Issue 3: importers, on the real public files in $COLOSIM_DATA. Every expected count was
// computed by hand from the files with awk/python (the command is in the comment) and agrees
// with the folder's PROVENANCE.md where that states it.
#include <doctest/doctest.h>

#include "colosim/errors.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/generator.h"
#include "colosim/traces/importer.h"
#include "shared_data.h"

using namespace colosim;
using namespace colosim::traces;

namespace {

std::int64_t count_feature(const ImportedTrace& t, const std::string& name) {
  std::int64_t n = 0;
  for (const auto& j : t.jobs) n += j.features.count(name);
  return n;
}

bool has_note(const ImportedTrace& t, const std::string& text) {
  for (const auto& n : t.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("issue 3: importer registry lists the importers and rejects unknown names and options") {
  const ImporterRegistry registry = builtin_importers();
  std::vector<std::string> names;
  for (const auto* info : registry.list()) names.push_back(info->name);
  CHECK(names == std::vector<std::string>{"alibaba-gpu-v2023-openb", "gavel", "kubernetes", "slurm-sacct", "tiresias"});
  CHECK_THROWS_WITH_AS(registry.run("philly-raw", {}), doctest::Contains("unknown importer"), Error);
  ImportRequest request;
  request.options["colour"] = "red";
  CHECK_THROWS_WITH_AS(registry.run("tiresias", request), doctest::Contains("importer 'tiresias' has no parameter 'colour' (parameters: gpu-type, gpu-memory-mib)"), Error);
}

TEST_CASE("issue 3: alibaba-gpu-v2023-openb imports the default pod list and GPU node list") {
  auto pods = shared_data_file("alibaba-gpu-v2023-openb/openb_pod_list_default.csv");
  auto nodes = shared_data_file("alibaba-gpu-v2023-openb/openb_node_list_gpu_node.csv");
  if (!pods || !nodes) return;
  ImportRequest request{*pods, {*nodes}, {}};
  const ImportedTrace t = builtin_importers().run("alibaba-gpu-v2023-openb", request);
  // 8,152 pods, 1,088 with num_gpu 0 (PROVENANCE.md) -> 7,064 jobs.
  CHECK(t.jobs.size() == 7064);
  CHECK(has_note(t, "skipped: 1088 CPU-only pods"));
  // cpu-only=keep: the 1,088 CPU-only pods become jobs without GPUs, asking 19,197,900
  // milli-CPU in all (awk over the CSV: num_gpu 0).
  ImportRequest keep{*pods, {*nodes}, {{"cpu-only", "keep"}}};
  const ImportedTrace all = builtin_importers().run("alibaba-gpu-v2023-openb", keep);
  CHECK(all.jobs.size() == 8152);
  CHECK(has_note(all, "kept as CPU-only jobs (gpus 0): 1088 CPU-only pods"));
  std::int64_t cpu_only = 0, cpu_only_milli = 0;
  for (const auto& j : all.jobs)
    if (j.gpus == 0) {
      ++cpu_only;
      cpu_only_milli += cpu_request_milli(j);
      CHECK(j.gpu_milli == 0);
      CHECK(j.gpu_types.empty());
    }
  CHECK(cpu_only == 1088);
  CHECK(cpu_only_milli == 19'197'900);
  keep.options["cpu-only"] = "maybe";
  CHECK_THROWS_WITH_AS(builtin_importers().run("alibaba-gpu-v2023-openb", keep),
                       doctest::Contains("option cpu-only must be keep or skip, got 'maybe'"), Error);
  // num_gpu == 1 and gpu_milli < 1000: 3,078 (PROVENANCE.md).
  std::int64_t fractional = 0, multi = 0;
  for (const auto& j : t.jobs) {
    fractional += j.gpu_milli < 1000;
    multi += j.gpus > 1;
  }
  CHECK(fractional == 3078);
  CHECK(multi == 16 + 15 + 44);  // num_gpu 2, 4, 8 (PROVENANCE.md)
  // GPU pods by phase (python over the CSV): Running 4,149, Pending 861.
  CHECK(count_feature(t, "censored") == 4149);
  CHECK(count_feature(t, "never_scheduled") == 861);
  // First pod: openb-pod-0000, LS, Running, created 0, deleted 12,537,496, scheduled 0.
  CHECK(t.jobs[0].id == "openb-pod-0000");
  CHECK(t.jobs[0].app == "LS");
  CHECK(t.jobs[0].solo_duration == 12'537'496 * kTicksPerSecond);
  CHECK(t.jobs[0].features.at("cpu_milli") == 12000);
  CHECK(t.jobs[0].features.at("host_memory_mib") == 16384);
  CHECK(t.jobs.back().submit <= 12'901'761 * kTicksPerSecond);  // last creation_time
  // Nodes: 1,213 GPU nodes with 6,212 GPUs (awk over openb_node_list_gpu_node.csv):
  // G2 4,392, T4 842, G3 312, P100 265, V100M32 204, V100M16 195, A10 2.
  const ClusterSpec cluster = cluster_from_proto(t.header.cluster(), "openb");
  CHECK(cluster.nodes.size() == 1213);
  CHECK(cluster.total_gpus() == 6212);
  std::map<std::string, int> gpus;
  for (const auto& n : cluster.nodes) gpus[n.gpu_type] += n.gpus;
  CHECK(gpus == std::map<std::string, int>{{"A10", 2}, {"G2", 4392}, {"G3", 312}, {"P100", 265}, {"T4", 842},
                                           {"V100M16", 195}, {"V100M32", 204}});
  CHECK(t.header.job_count() == 7064);
}

TEST_CASE("issue 3: alibaba-gpu-v2023-openb options and the all-node list") {
  auto pods = shared_data_file("alibaba-gpu-v2023-openb/openb_pod_list_gpuspec33.csv");
  auto nodes = shared_data_file("alibaba-gpu-v2023-openb/openb_node_list_all_node.csv");
  if (!pods || !nodes) return;
  ImportRequest request{*pods, {*nodes}, {{"running", "skip"}, {"pending", "skip"}}};
  const ImportedTrace t = builtin_importers().run("alibaba-gpu-v2023-openb", request);
  // 1,523 nodes of which 310 CPU-only (PROVENANCE.md).
  CHECK(has_note(t, "1213 GPU nodes, 310 CPU-only nodes skipped"));
  // gpuspec33 has the default's pods: 7,064 GPU pods - 4,149 Running - 861 Pending = 2,054.
  CHECK(t.jobs.size() == 2054);
  CHECK(has_note(t, "skipped: 4149 Running pods"));
  std::int64_t constrained = 0;
  for (const auto& j : t.jobs) constrained += !j.gpu_types.empty();
  CHECK(constrained > 0);
  // The multigpu variants have no time columns: an error that names the option, unless it is given.
  auto multigpu = shared_data_file("alibaba-gpu-v2023-openb/openb_pod_list_multigpu20.csv");
  if (!multigpu) return;
  try {
    builtin_importers().run("alibaba-gpu-v2023-openb", {*multigpu, {}, {}});
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.line() == 1);
    CHECK(e.field() == "creation_time");
    CHECK(std::string(e.what()).find("--opt times=none") != std::string::npos);
  }
  const ImportedTrace shapes = builtin_importers().run("alibaba-gpu-v2023-openb", {*multigpu, {*nodes}, {{"times", "none"}}});
  // 7,236 GPU pods (awk: num_gpu > 0), all arriving at 0 with no duration, no model constraint.
  CHECK(shapes.jobs.size() == 7236);
  for (const auto& j : shapes.jobs) {
    CHECK(j.submit == 0);
    CHECK(j.solo_duration == 0);
    CHECK(j.gpu_types.empty());
    CHECK(j.features.at("shape_only") == 1);
  }
  CHECK(has_note(shapes, "times=none: pod shapes only"));
  CHECK_THROWS_WITH_AS(builtin_importers().run("alibaba-gpu-v2023-openb", {*multigpu, {}, {{"times", "maybe"}}}),
                       doctest::Contains("option times must be required or none"), Error);
}

TEST_CASE("issue 3: tiresias imports 60_job.csv and the n32g4 cluster spec") {
  auto jobs = shared_data_file("peer-traces/tiresias/60_job.csv");
  auto spec = shared_data_file("peer-traces/tiresias/n32g4.csv");
  if (!jobs || !spec) return;
  const ImportedTrace t = builtin_importers().run("tiresias", {*jobs, {*spec}, {}});
  // 60 jobs: 1/2/4/8 GPUs 30/10/10/10; sum of duration x num_gpu = 26,624 GPU-s (awk; PROVENANCE.md).
  REQUIRE(t.jobs.size() == 60);
  std::map<int, int> by_gpus;
  Tick gpu_ticks = 0;
  for (const auto& j : t.jobs) {
    ++by_gpus[j.gpus];
    gpu_ticks += j.solo_duration * j.gpus;
  }
  CHECK(by_gpus == std::map<int, int>{{1, 30}, {2, 10}, {4, 10}, {8, 10}});
  CHECK(gpu_ticks == 26'624 * kTicksPerSecond);
  // Row 1: 0,1,0,606,vgg19,164,30.
  CHECK(t.jobs[0].id == "0");
  CHECK(t.jobs[0].app == "vgg19");
  CHECK(t.jobs[0].solo_duration == 164 * kTicksPerSecond);
  CHECK(t.jobs[0].features.at("iterations") == 606);
  const ClusterSpec cluster = cluster_from_proto(t.header.cluster(), "n32g4");
  CHECK(cluster.nodes.size() == 32);
  CHECK(cluster.total_gpus() == 128);
  CHECK(cluster.nodes[0].memory_mib == 256 * 1024);
}

TEST_CASE("issue 3: tiresias' tf_job.csv repeats job id 10, which is an error") {
  auto jobs = shared_data_file("peer-traces/tiresias/tf_job.csv");
  if (!jobs) return;
  CHECK_THROWS_WITH_AS(builtin_importers().run("tiresias", {*jobs, {}, {}}), doctest::Contains("duplicate id '10'"),
                       InputError);
}

TEST_CASE("issue 3: gavel imports ed69ec.trace with durations from the V100 throughputs") {
  auto trace = shared_data_file("peer-traces/gavel-msr-seed0/ed69ec.trace");
  auto thr = shared_data_file("gavel-colocation/simulation_throughputs.json");
  if (!trace || !thr) return;
  const ImportedTrace t = builtin_importers().run("gavel", {*trace, {*thr}, {}});
  // 951 single-GPU jobs, last arrival 6,555,771 s (PROVENANCE.md).
  REQUIRE(t.jobs.size() == 951);
  for (const auto& j : t.jobs) CHECK(j.gpus == 1);
  CHECK(t.jobs.back().submit == 6'555'771 * kTicksPerSecond);
  // Row 0: Transformer (batch size 128), 12,304,123 steps / 5.446... steps/s = 2,259,251.796171373 s (python).
  CHECK(t.jobs[0].app == "Transformer (batch size 128)");
  CHECK(t.jobs[0].solo_duration == 2'259'251'796'171);
  CHECK(t.jobs[0].features.at("total_steps") == 12'304'123);
}

TEST_CASE("issue 3: gavel jobs without a throughput are an error, or skipped and counted") {
  auto trace = shared_data_file("peer-traces/gavel-msr-seed0/11cb48.trace");
  auto thr = shared_data_file("gavel-colocation/simulation_throughputs.json");
  if (!trace || !thr) return;
  // Line 46 is ('A3C', 4): V100 has no multi-GPU A3C entry (python over the JSON).
  try {
    builtin_importers().run("gavel", {*trace, {*thr}, {}});
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.line() == 46);
    CHECK(e.problem().find("('A3C', 4)") != std::string::npos);
  }
  // 181 of the 2,000 jobs have no key (PROVENANCE.md): 1,819 remain.
  const ImportedTrace t = builtin_importers().run("gavel", {*trace, {*thr}, {{"skip-missing", "true"}}});
  CHECK(t.jobs.size() == 1819);
  CHECK(has_note(t, "skipped: 181 jobs"));
}

TEST_CASE("issue 3: Philly run times and Helios arrival bins load as generator inputs") {
  auto philly = shared_data_file("philly-derived/philly_runtime.csv");
  auto helios = shared_data_file("helios-derived/venus_cluster_throughput.csv");
  auto pods = shared_data_file("alibaba-gpu-v2023-openb/openb_pod_list_default.csv");
  if (!philly || !helios || !pods) return;
  const QuantileTable runtime = load_philly_runtime(philly->string());
  CHECK(runtime.size() == 83154);                        // rows (PROVENANCE.md)
  CHECK(runtime.at(0.5) == doctest::Approx(1186));       // median (PROVENANCE.md)
  CHECK(runtime.at(1.0) == 4628239);                     // max (PROVENANCE.md)
  // python: sum / n = 14,613.33; interpolating log-linearly between order statistics gives
  // a slightly lower mean (14,585), within 0.5%.
  CHECK(runtime.mean() == doctest::Approx(14613.33).epsilon(0.005));
  const ArrivalProfile profile = load_helios_arrivals(helios->string());
  CHECK(profile.weights.size() == 26064);  // 10-minute bins (PROVENANCE.md)
  double total = 0;
  for (double w : profile.weights) total += w;
  CHECK(total == 125214);  // awk: sum of submit_gpu_job
  // The built-in shapes are the counts of the default pod list.
  auto loaded = load_openb_shapes(pods->string());
  auto builtin = builtin_openb_shapes();
  auto key = [](const PodShape& s) { return std::tuple(s.gpus, s.gpu_milli, s.weight); };
  std::sort(loaded.begin(), loaded.end(), [&](auto& a, auto& b) { return key(a) < key(b); });
  std::sort(builtin.begin(), builtin.end(), [&](auto& a, auto& b) { return key(a) < key(b); });
  REQUIRE(loaded.size() == builtin.size());
  for (std::size_t i = 0; i < loaded.size(); ++i) CHECK(key(loaded[i]) == key(builtin[i]));
}

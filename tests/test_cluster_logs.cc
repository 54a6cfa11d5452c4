// Issue 17: a cluster's own logs (kubectl pods JSON, sacct) imported with their recorded runs,
// and `validate`'s statistics, with hand-worked values.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "colosim/errors.h"
#include "colosim/experiments/validation.h"
#include "colosim/interference.h"
#include "colosim/rank_correlation.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/cluster_log.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"
#include "shared_data.h"

using namespace colosim;
using namespace colosim::traces;

namespace {

const JobSpec& job_named(const ImportedTrace& trace, const std::string& id) {
  for (const auto& j : trace.jobs)
    if (j.id == id) return j;
  FAIL("no job " << id);
  throw std::logic_error("unreachable");
}

InputError import_error(const std::string& importer, ImportRequest request) {
  try {
    builtin_importers().run(importer, std::move(request));
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no InputError");
  throw std::logic_error("unreachable");
}

constexpr Tick kS = kTicksPerSecond;

// Five pods: finished (init container larger than the containers), running, failed with a
// request taken from its limit, never bound, CPU-only.
const char* kPods = R"({"apiVersion": "v1", "kind": "List", "items": [
 {"metadata": {"name": "train-a", "namespace": "vision", "creationTimestamp": "2026-03-02T08:00:00Z",
               "labels": {"app.kubernetes.io/name": "resnet50", "kueue.x-k8s.io/queue-name": "vision-q"}},
  "spec": {"nodeName": "n1", "priority": 5,
           "initContainers": [{"name": "fetch", "resources": {"requests": {"cpu": "8", "memory": "1Gi"}}}],
           "containers": [{"name": "t", "resources": {"requests": {"cpu": "500m", "memory": "16Gi", "nvidia.com/gpu": "2"}}},
                          {"name": "side", "resources": {"requests": {"cpu": "1", "memory": "512Mi"}}}]},
  "status": {"phase": "Succeeded", "startTime": "2026-03-02T08:00:40Z",
             "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-03-02T08:00:30Z"}],
             "containerStatuses": [
               {"name": "t", "state": {"terminated": {"startedAt": "2026-03-02T08:00:45Z", "finishedAt": "2026-03-02T09:00:30Z"}}},
               {"name": "side", "state": {"terminated": {"startedAt": "2026-03-02T08:00:45Z", "finishedAt": "2026-03-02T09:00:31Z"}}}]}},
 {"metadata": {"name": "serve-b", "namespace": "nlp", "creationTimestamp": "2026-03-02T08:10:00.5Z", "labels": {"app": "bert"}},
  "spec": {"nodeName": "n2", "containers": [{"name": "s", "resources": {"limits": {"nvidia.com/gpu": 4}}}]},
  "status": {"phase": "Running",
             "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-03-02T09:10:00+01:00"}],
             "containerStatuses": [{"name": "s", "state": {"running": {"startedAt": "2026-03-02T08:10:05Z"}}}]}},
 {"metadata": {"name": "job-c-x7k2p", "namespace": "nlp", "creationTimestamp": "2026-03-02T08:20:00Z",
               "ownerReferences": [{"kind": "Job", "name": "job-c"}]},
  "spec": {"nodeName": "n1", "containers": [{"name": "c", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]},
  "status": {"phase": "Failed", "startTime": "2026-03-02T08:21:00Z",
             "containerStatuses": [{"name": "c", "state": {"terminated": {"startedAt": "2026-03-02T08:21:02Z", "finishedAt": "2026-03-02T08:31:00Z"}}}]}},
 {"metadata": {"name": "wait-d", "namespace": "vision", "creationTimestamp": "2026-03-02T08:30:00Z"},
  "spec": {"containers": [{"name": "w", "resources": {"limits": {"nvidia.com/gpu": "8"}}}]},
  "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}},
 {"metadata": {"name": "web-e", "namespace": "infra", "creationTimestamp": "2026-03-02T07:00:00Z"},
  "spec": {"nodeName": "cpu1", "containers": [{"name": "w", "resources": {"requests": {"cpu": "2"}}}]},
  "status": {"phase": "Running", "startTime": "2026-03-02T07:00:01Z"}}
]})";

}  // namespace

TEST_CASE("issue 17: timestamps of cluster logs") {
  CHECK(parse_timestamp_us("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_timestamp_us("2026-03-02T08:00:00Z") == 1772438400LL * kS);
  CHECK(parse_timestamp_us("2026-03-02T08:00:00") == 1772438400LL * kS);  // sacct: no zone, read as UTC
  CHECK(parse_timestamp_us("2026-03-02 08:00:00.25Z") == 1772438400LL * kS + 250000);
  CHECK(parse_timestamp_us("2026-03-02T09:00:00+01:00") == 1772438400LL * kS);
  CHECK(parse_timestamp_us("2026-03-02T02:30:00-0530") == 1772438400LL * kS);
  CHECK(parse_timestamp_us("2024-02-29T23:59:59.1234567Z") == 1709251199LL * kS + 123456);  // leap day; 7th digit dropped
  for (const char* bad : {"", "2026-02-30T00:00:00Z", "2026-03-02", "2026-03-02T24:00:00Z", "2026-03-02T08:00:00Q",
                          "2026-03-02T08:00:00Z ", "1969-12-31T23:59:59Z", "2026-3-2T08:00:00Z", "2026-03-02T08:00:00.Z",
                          "Unknown", "2026-03-02T08:00:00+1:00"})
    CHECK_MESSAGE(!parse_timestamp_us(bad), bad);
  CHECK(format_timestamp_us(1772438400LL * kS) == "2026-03-02T08:00:00Z");
  CHECK(format_timestamp_us(1709251199LL * kS + 123456) == "2024-02-29T23:59:59.123456Z");
}

TEST_CASE("issue 17: kubernetes importer maps pods to jobs with their recorded runs") {
  const auto dir = test_temp_dir("k8s-pods");
  const ImportedTrace t = builtin_importers().run("kubernetes", {write_test_file(dir, "pods.json", kPods), {}, {}});
  REQUIRE(t.jobs.size() == 3);
  CHECK(t.header.time_origin() == "2026-03-02T08:00:00Z (earliest submit in the log)");

  const JobSpec& a = job_named(t, "vision/train-a");
  CHECK(a.app == "resnet50");
  CHECK(a.user == "vision");
  CHECK(a.priority == 5);
  CHECK(a.gpus == 2);
  CHECK(a.submit == 0);
  // max(sum of containers 1.5 CPU / 16.5 GiB, init container 8 CPU / 1 GiB)
  CHECK(cpu_request_milli(a) == 8000);
  CHECK(host_memory_request_mib(a) == 16896);
  REQUIRE(a.recorded);
  CHECK(a.recorded->start == 30 * kS);  // bound (PodScheduled), not when its containers started
  CHECK(a.recorded->end == 3631 * kS);  // the last container's finish
  CHECK(a.recorded->nodes == std::vector<std::string>{"n1"});
  CHECK(a.recorded->state == "Succeeded");
  CHECK(a.solo_duration == 3601 * kS);

  const JobSpec& b = job_named(t, "nlp/serve-b");
  CHECK(b.app == "bert");
  CHECK(b.gpus == 4);
  CHECK(b.submit == 600 * kS + 500000);
  CHECK(b.recorded->start == 600 * kS + 500000);  // bound at 09:10+01:00, before creation by the kubelet's clock: creation
  CHECK_FALSE(b.recorded->end);
  CHECK(b.features.at(kCensoredFeature) == 1);
  // Running at the log time, the latest time in the log (09:00:31): censored there.
  CHECK(b.solo_duration == 3631 * kS - b.recorded->start.value());

  const JobSpec& c = job_named(t, "nlp/job-c-x7k2p");
  CHECK(c.app == "job-c");  // the owner's name
  CHECK(c.recorded->start == 1260 * kS);  // status.startTime without a PodScheduled condition
  CHECK(c.recorded->state == "Failed");
  CHECK(c.solo_duration == 600 * kS);

  bool pending_note = false, cpu_note = false;
  for (const auto& n : t.notes) {
    pending_note |= n == "skipped 1 pods never bound to a node";
    cpu_note |= n == "skipped 1 pods without nvidia.com/gpu (cpu-only=keep keeps them)";
  }
  CHECK(pending_note);
  CHECK(cpu_note);
  // Inferred: n1 held a (2) and c (1) at once; n2 held b (4).
  const ClusterSpec cluster = cluster_from_proto(t.header.cluster(), "pods.json");
  REQUIRE(cluster.nodes.size() == 2);
  CHECK(cluster.nodes[0].name == "n1");
  CHECK(cluster.nodes[0].gpus == 3);
  CHECK(cluster.nodes[1].gpus == 4);

  SUBCASE("queue label, log time and CPU-only pods") {
    const ImportedTrace q = builtin_importers().run(
        "kubernetes", {dir / "pods.json", {}, {{"queue-label", "kueue.x-k8s.io/queue-name"}, {"log-time", "2026-03-02T10:00:00Z"}, {"cpu-only", "keep"}}});
    CHECK(job_named(q, "vision/train-a").user == "vision-q");
    CHECK(job_named(q, "nlp/job-c-x7k2p").user == "nlp");  // no such label: the namespace
    // From 07:00 (the CPU-only pod), b started at 4200.5 s and ran until the stated log time, 10800 s.
    CHECK(job_named(q, "nlp/serve-b").solo_duration == 10800 * kS - (4200 * kS + 500000));
    const JobSpec& web = job_named(q, "infra/web-e");
    CHECK(web.gpus == 0);
    CHECK(web.submit == 0);  // the earliest submit is now 07:00
    CHECK(cpu_request_milli(web) == 2000);
  }
  SUBCASE("the recorded run survives the native formats; csv refuses it rather than drop it") {
    for (const char* name : {"t.pb", "t.json", "t.textproto"}) {
      const auto path = dir / name;
      auto writer = open_trace_writer(path, t.header);
      for (const auto& j : t.jobs) writer->write(j);
      writer->finish();
      auto reader = open_trace_reader(path.string());
      for (const auto& j : t.jobs) {
        auto back = reader->next();
        REQUIRE(back);
        CHECK(back->recorded == j.recorded);
        CHECK(back->solo_duration == j.solo_duration);
      }
    }
    auto writer = open_trace_writer(dir / "t.csv", t.header, "", {kCensoredFeature, kCpuMilliFeature, kHostMemoryFeature});
    CHECK_THROWS_WITH_AS(writer->write(t.jobs[0]), doctest::Contains("has a recorded run"), Error);
  }
}

TEST_CASE("issue 17: kubernetes importer names the pod and field of bad input") {
  const auto dir = test_temp_dir("k8s-bad");
  auto error = [&](const std::string& text) { return import_error("kubernetes", {write_test_file(dir, "p.json", text), {}, {}}); };
  const InputError syntax = error("{\"items\": [\n{\"metadata\": \n}]}");
  CHECK(syntax.line() == 3);
  CHECK(std::string(syntax.what()).find("not valid JSON") != std::string::npos);
  CHECK(error("[1, 2]").field() == "items");
  // Found by fuzzing: a number too large for any type is bad JSON too, not an escaping exception.
  CHECK(std::string(error(R"({"items": [5555555555e5555555555]})").what()).find("not valid JSON") != std::string::npos);
  const std::string pod = R"({"metadata": {"name": "p", "namespace": "n", "creationTimestamp": "2026-03-02T08:00:00Z"},
    "spec": {"nodeName": "x", "containers": [{"name": "c", "resources": {"limits": {"nvidia.com/gpu": "1.5"}}}]}})";
  const std::string cpu_pod = R"({"metadata": {"name": "q", "creationTimestamp": "2026-03-02T08:00:00Z"}})";
  const InputError fraction = error("{\"items\": [" + cpu_pod + ", " + pod + "]}");
  CHECK(fraction.line() == 2);  // the pod's record
  CHECK(fraction.field() == "items[1].spec.containers");
  const InputError quantity = error(R"({"items": [{"metadata": {"name": "p", "creationTimestamp": "2026-03-02T08:00:00Z"},
    "spec": {"containers": [{"resources": {"requests": {"cpu": "lots", "nvidia.com/gpu": "1"}}}]}}]})");
  CHECK(quantity.field() == "items[0].spec.containers[0].resources.requests.cpu");
  const InputError time = error(R"({"items": [{"metadata": {"name": "p", "creationTimestamp": "yesterday"}}]})");
  CHECK(time.field() == "items[0].metadata.creationTimestamp");
  CHECK(error(R"({"items": [{"metadata": {"name": 7}}]})").field() == "items[0].metadata.name");
}

TEST_CASE("issue 17: slurm-sacct importer maps allocations to jobs with their recorded runs") {
  const auto dir = test_temp_dir("sacct");
  const std::string text =
      "JobID|JobName|User|Account|Partition|QOS|Submit|Start|End|State|AllocTRES|ReqTRES|NodeList\n"
      "100|bert|bo|nlp|gpu|normal|2026-03-02T08:00:00|2026-03-02T08:05:00|2026-03-02T10:05:00|COMPLETED|"
      "billing=16,cpu=16,gres/gpu=16,gres/gpu:a100=16,mem=256G,node=2|cpu=16,gres/gpu:a100=16,mem=256G|gpu[07-08]\n"
      "100.batch|batch||nlp|||2026-03-02T08:05:00|2026-03-02T08:05:00|2026-03-02T10:05:00|COMPLETED|cpu=8,mem=128G,node=1||gpu07\n"
      "101|vit|ana|vision|gpu|normal|2026-03-02T08:10:00|2026-03-02T08:10:00|Unknown|RUNNING|cpu=4,gres/gpu=1,mem=512M,node=1||gpu09\n"
      "102|gpt|bo|nlp|gpu|normal|2026-03-02T08:20:00|Unknown|Unknown|PENDING||gres/gpu=64|None assigned\n"
      "103|etl|chen|data|cpu|normal|2026-03-02T07:00:00|2026-03-02T07:00:00|2026-03-02T07:10:00|COMPLETED|cpu=2,mem=4G,node=1||cpu01\n"
      "104|vit|ana|vision|gpu|normal|2026-03-02T08:30:00|2026-03-02T08:31:00|2026-03-02T08:41:00|CANCELLED by 1002|"
      "cpu=4,gres/gpu=2,mem=1T,node=1||gpu09\n";
  const ImportedTrace t = builtin_importers().run("slurm-sacct", {write_test_file(dir, "sacct.txt", text), {}, {}});
  REQUIRE(t.jobs.size() == 3);
  const JobSpec& a = job_named(t, "100");
  CHECK(a.app == "bert");
  CHECK(a.user == "nlp");
  CHECK(a.gpus == 16);
  CHECK(a.gpu_types == std::vector<std::string>{"a100"});
  CHECK(cpu_request_milli(a) == 16000);
  CHECK(host_memory_request_mib(a) == 256 * 1024);
  CHECK(a.submit == 0);
  CHECK(a.recorded->start == 300 * kS);
  CHECK(a.recorded->end == 7500 * kS);
  CHECK(a.recorded->nodes == std::vector<std::string>{"gpu07", "gpu08"});
  CHECK(a.solo_duration == 7200 * kS);
  const JobSpec& b = job_named(t, "101");
  CHECK(b.features.at(kCensoredFeature) == 1);
  CHECK(b.solo_duration == 6900 * kS);  // to the latest time in the log, 10:05 (job 100's end)
  CHECK(host_memory_request_mib(b) == 512);
  const JobSpec& c = job_named(t, "104");
  CHECK(c.recorded->state == "CANCELLED");
  CHECK(host_memory_request_mib(c) == 1024 * 1024);
  // Inferred: gpu07 and gpu08 held 8 each; gpu09 held 101 (1) and 104 (2) at once.
  const ClusterSpec cluster = cluster_from_proto(t.header.cluster(), "sacct.txt");
  REQUIRE(cluster.nodes.size() == 3);
  CHECK(cluster.nodes[0].gpus == 8);
  CHECK(cluster.nodes[2].name == "gpu09");
  CHECK(cluster.nodes[2].gpus == 3);

  // Absolute times past 2041 (2^51 us after 1970) are fine: only times from the origin are checked.
  const ImportedTrace later = builtin_importers().run(
      "slurm-sacct", {write_test_file(dir, "2050.txt",
                                 "JobID|Submit|Start|End|State|AllocTRES|NodeList\n"
                                 "1|2050-01-01T00:00:00|2050-01-01T00:01:00|2050-01-01T01:01:00|COMPLETED|gres/gpu=1|g1\n"),
                      {}, {}});
  CHECK(later.jobs.at(0).recorded->start == 60 * kS);
  CHECK(later.jobs.at(0).solo_duration == 3600 * kS);
  CHECK(later.header.time_origin() == "2050-01-01T00:00:00Z (earliest submit in the log)");

  const ImportedTrace by_partition = builtin_importers().run("slurm-sacct", {dir / "sacct.txt", {}, {{"queue", "partition"}}});
  CHECK(job_named(by_partition, "100").user == "gpu");

  auto bad = [&](const std::string& row) {
    return import_error("slurm-sacct", {write_test_file(dir, "bad.txt", text + row + "\n"), {}, {}});
  };
  const InputError range = bad("105|x|a|b|gpu|n|2026-03-02T09:00:00|2026-03-02T09:00:00|Unknown|RUNNING|gres/gpu=1||gpu[09-07]");
  CHECK(range.line() == 8);
  CHECK(range.field() == "NodeList");
  CHECK(bad("105|x|a|b|gpu|n|2026-03-02T09:00:00|2026-03-02T09:00:00|Unknown|RUNNING|gres/gpu=1||gpu[01").field() == "NodeList");
  CHECK(bad("105|x|a|b|gpu|n|2026-03-02T09:00:00|2026-03-02T09:00:00|Unknown|RUNNING|gres/gpu=x||g1").field() == "AllocTRES");
  CHECK(bad("105|x|a|b|gpu|n|2026-03-02T09:00:00|2026-03-02T08:00:00|Unknown|RUNNING|gres/gpu=1||g1").field() == "Start");
  CHECK(bad("105|x|a|b|gpu|n|noon|2026-03-02T08:00:00|Unknown|RUNNING|gres/gpu=1||g1").field() == "Submit");
}

TEST_CASE("issue 17: validation statistics, hand-worked") {
  using namespace colosim::experiments;
  const std::vector<double> recorded = {10, 20, 30, 40}, simulated = {21, 18, 33, 40};
  const ErrorStats s = error_stats("x", recorded, simulated, 15);
  CHECK(s.n == 4);
  CHECK(s.mae == doctest::Approx(4));  // |11|, |-2|, |3|, 0
  CHECK(s.bias == doctest::Approx(3));
  CHECK(s.p50_abs == 2);  // nearest rank of 0, 2, 3, 11
  CHECK(s.p90_abs == 11);
  CHECK(s.mape_n == 3);   // 20, 30, 40 reach the floor of 15
  CHECK(*s.mape == doctest::Approx(100 * (0.1 + 0.1 + 0) / 3));
  CHECK(*s.spearman == doctest::Approx(0.8));  // ranks 1 2 3 4 vs 2 1 3 4: 1 - 6 * 2 / 60
  CHECK(s.ks == doctest::Approx(0.25));  // at 10, 20 and 30 the CDFs are a quarter apart
  CHECK(*spearman_correlation(std::vector<double>{1, 1, 2}, std::vector<double>{1, 2, 3}) == doctest::Approx(1.5 / std::sqrt(3.0)));
  CHECK_FALSE(spearman_correlation(std::vector<double>{5, 5}, std::vector<double>{1, 2}));
  CHECK(ks_distance(std::vector<double>{1, 2}, std::vector<double>{3, 4}) == 1);
  CHECK(ks_distance(std::vector<double>{1, 2, 3}, std::vector<double>{3, 2, 1}) == 0);
  const ErrorStats none = error_stats("x", {}, {}, 0.0);
  CHECK_FALSE(error_stats("x", recorded, simulated, std::nullopt).mape);
  CHECK(none.n == 0);
  CHECK_FALSE(none.mape);
}

namespace {

// The bundled example pods, replayed under `policy` on the cluster of nodes.json.
experiments::ValidationReport replay_example_pods(const std::string& policy, const std::string& queue_order = "") {
  const ImportedTrace t = builtin_importers().run(
      "kubernetes", {source_file("examples/logs/pods.json"), {source_file("examples/logs/nodes.json")},
                     {{"log-time", "2026-03-02T22:00:00Z"}}});
  const ClusterSpec cluster = cluster_from_proto(t.header.cluster(), "nodes.json");
  const PolicyRegistry registry = builtin_policies();
  const auto p = registry.make(policy);
  SimConfig config;
  if (!queue_order.empty()) config.queue_order = QueueOrderChoice::parse(queue_order);
  const NoInterference none;
  Simulator sim(cluster, none, *p, config);
  experiments::ValidationCollector collector;
  sim.add_observer(collector);
  VectorJobSource source(t.jobs);
  sim.run(source);
  return experiments::validate_run(t.jobs, collector, cluster);
}

}  // namespace

TEST_CASE("issue 17: validate reproduces the example log of first-fit exactly, and measures another policy's distance") {
  // examples/logs was recorded from colosim's first-fit (make_example_logs.py): replaying it
  // under first-fit must give every recorded time and node back.
  const auto same = replay_example_pods("first-fit");
  CHECK(same.jobs.size() == 57);  // 60 pods, 3 never bound
  CHECK(same.recorded_started == 57);
  CHECK(same.both_started == 57);
  for (const auto& e : same.errors) {
    CAPTURE(e.quantity);
    CHECK(e.n > 20);
    CHECK(e.mae == 0);
    CHECK(e.ks == 0);
    CHECK(e.spearman.value_or(1) == doctest::Approx(1));
  }
  CHECK(same.placement_compared == 57);
  CHECK(same.placement_same == 57);
  // Shortest job first reorders the queue: starts move, both ways.
  const auto sjf = replay_example_pods("first-fit", "sjf");
  CHECK(sjf.errors[0].mae > 600);
  CHECK(sjf.errors[0].bias < 0);  // short jobs jump the queue: the mean wait falls
  CHECK(sjf.placement_same < sjf.placement_compared);
}

TEST_CASE("issue 17: colosim convert + validate on the example logs, as the README shows") {
  const auto dir = test_temp_dir("validate-cli");
  const std::string pb = (dir / "slurm.pb").string();
  const auto convert = run_colosim("convert --from slurm-sacct " + source_file("examples/logs/sacct.txt") + " " + pb +
                                   " --opt log-time=2026-03-02T22:00:00 -q");
  REQUIRE_MESSAGE(convert.status == 0, convert.output);
  const auto validate = run_colosim("validate --trace " + pb + " --policy first-fit --format json -q --out " + dir.string());
  REQUIRE_MESSAGE(validate.status == 0, validate.output);
  const auto json = nlohmann::json::parse(validate.output);
  CHECK(json["policy"] == "first-fit");
  for (const char* q : {"queueing_delay", "start", "jct"}) {
    CAPTURE(q);
    CHECK(json[q]["n"].get<int>() > 20);
    CHECK(json[q]["mae_s"].get<double>() == 0);
    CHECK(json[q]["ks_distance"].get<double>() == 0);
  }
  CHECK(json["placement"]["same_nodes_fraction"].get<double>() == 1);
  CHECK(read_file((dir / "validate.json").string()) == validate.output);
  const std::string csv = read_file((dir / "validate.csv").string());
  CHECK(csv.rfind("id,recorded_queueing_delay_s,simulated_queueing_delay_s,", 0) == 0);
  CHECK(csv.find("gpu-a100-[") == std::string::npos);  // node lists are expanded
  // A trace without recorded runs is an error that says what to do.
  const auto plain = run_colosim("validate --trace " + source_file("examples/seed_paper/jobs.csv") + " --cluster " +
                                 source_file("examples/seed_paper/cluster.textproto"));
  CHECK(plain.status != 0);
  CHECK(plain.output.find("has a recorded run") != std::string::npos);
}

TEST_CASE("issue 17: the openb trace keeps its recorded schedule with recorded=true") {
  auto file = shared_data_file("alibaba-gpu-v2023-openb/openb_pod_list_default.csv");
  if (!file) return;
  const ImportedTrace plain = builtin_importers().run("alibaba-gpu-v2023-openb", {*file, {}, {}});
  for (const auto& j : plain.jobs) REQUIRE_FALSE(j.recorded);
  const ImportedTrace t = builtin_importers().run("alibaba-gpu-v2023-openb", {*file, {}, {{"recorded", "true"}}});
  // python: GPU pods with scheduled_time: 6203, sum(scheduled - creation) = 433907 s; of them
  // not Running: 2054, sum(deletion - creation) = 5683566 s.
  std::int64_t started = 0, ended = 0;
  Tick waited = 0, lived = 0;
  for (const auto& j : t.jobs) {
    REQUIRE(j.recorded);
    CHECK(j.recorded->nodes.empty());
    if (j.recorded->start) {
      ++started;
      waited += *j.recorded->start - j.submit;
    }
    if (j.recorded->end) {
      ++ended;
      lived += *j.recorded->end - j.submit;
    }
  }
  CHECK(started == 6203);
  CHECK(waited == 433907 * kS);
  CHECK(ended == 2054);
  CHECK(lived == 5683566 * kS);
}

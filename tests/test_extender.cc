// Issue 17: `colosim extender`, the kube-scheduler extender protocol answered by colosim policies:
// its decisions are the simulator's for the same state, its answers follow the protocol, and bad
// or oversized requests get a reason, never a crash.
#include <doctest/doctest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <atomic>
#include <random>
#include <thread>

#include "colosim/errors.h"
#include "colosim/extender/server.h"
#include "colosim/extender/service.h"
#include "colosim/interference.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"

using namespace colosim;
using namespace colosim::extender;
using nlohmann::json;

namespace {

ClusterSpec mixed_cluster() {
  ClusterSpec c;
  c.name = "mixed";
  c.gpu_types = {{"A100", 81920, 1.0}};
  for (int i = 0; i < 6; ++i) c.nodes.push_back({"node-" + std::to_string(i), "A100", i % 3 == 0 ? 4 : 8, 64000, 512 * 1024});
  return c;
}

// Where the simulator itself places each job, arriving one per second, until just after the last
// arrives.
std::map<std::string, std::string> simulated_nodes(const ClusterSpec& cluster, const std::vector<JobSpec>& jobs,
                                                   const std::string& policy_name) {
  struct Watch final : SimObserver {
    const ClusterView* view = nullptr;
    std::map<std::string, std::string> node;
    void on_begin(const ClusterView& c) override { view = &c; }
    void on_start(Tick, const JobSpec& j, std::span<const GpuIndex> g) override {
      node[j.id] = view->spec().nodes[static_cast<std::size_t>(view->node_of(g[0]))].name;
    }
  } watch;
  const PolicyRegistry registry = builtin_policies();
  const auto policy = registry.make(policy_name);
  const NoInterference none;
  SimConfig config;
  config.allow_multi_node = false;  // a pod runs on one node
  config.stop_at = jobs.back().submit + 1;
  Simulator sim(cluster, none, *policy, config);
  sim.add_observer(watch);
  VectorJobSource source(jobs);
  sim.run(source);
  return watch.node;
}

json node_object(const std::string& name, int gpus, const std::string& cpu = "64") {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", {{"nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB"}, {"nvidia.com/gpu.memory", "81920"}}}}},
          {"status", {{"allocatable", {{"nvidia.com/gpu", std::to_string(gpus)}, {"cpu", cpu}, {"memory", "1056581232Ki"}, {"pods", "110"}}}}}};
}

json pod_object(const std::string& name, int gpus, const std::string& cpu = "4") {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "team-a"}, {"labels", {{"app.kubernetes.io/name", "resnet50"}}}}},
          {"spec", {{"schedulerName", "default-scheduler"},
                    {"containers", {{{"name", "trainer"}, {"image", "registry.example.com/resnet50:1.4"},
                                     {"resources", {{"requests", {{"cpu", cpu}, {"memory", "32Gi"}}},
                                                    {"limits", {{"nvidia.com/gpu", std::to_string(gpus)}}}}}}}}}},
          {"status", {{"phase", "Pending"}}}};
}

json args(const json& pod, const std::vector<json>& nodes) {
  return {{"Pod", pod}, {"Nodes", {{"apiVersion", "v1"}, {"kind", "NodeList"}, {"items", nodes}}}, {"NodeNames", nullptr}};
}

ExtenderService service_for(const std::string& policy, bool pin = false) {
  ExtenderSettings settings;
  settings.policy = policy;
  settings.pin = pin;
  return ExtenderService(settings);
}

}  // namespace

TEST_CASE("issue 17: the extender's decision is the simulator's for the same state, policy by policy") {
  const ClusterSpec cluster = mixed_cluster();
  const NoInterference none;
  const PolicyRegistry registry = builtin_policies();
  std::mt19937_64 rng(17);
  int compared = 0, placed = 0;
  for (const std::string name : {"binpack", "first-fit", "best-fit", "exclusive", "load-balance", "fgd", "gpu-packing",
                           "gpu-clustering", "dot-product", "interference-aware", "standalone"}) {
    if (!registry.find(name)) continue;
    for (int round = 0; round < 30; ++round) {
      CAPTURE(name);
      CAPTURE(round);
      // Whole-GPU jobs (which GPUs of a node a pod holds is not in the API), some CPU-heavy.
      std::vector<JobSpec> jobs;
      const int n = 3 + static_cast<int>(rng() % 12);
      for (int i = 0; i <= n; ++i) {
        JobSpec j;
        j.id = "job" + std::to_string(i);
        j.app = i % 2 ? "bert" : "resnet";
        j.submit = i * kTicksPerSecond;
        j.solo_duration = 1000000 * kTicksPerSecond;
        j.gpus = std::array{1, 1, 2, 4, 8}[rng() % 5];
        j.gpu_milli = 1000;
        j.features[kCpuMilliFeature] = static_cast<double>(std::array{2000, 8000, 30000}[rng() % 3]);
        jobs.push_back(j);
      }
      const auto sim = simulated_nodes(cluster, jobs, name);
      // kube-scheduler decides one pod at a time: compare states in which no earlier pod waits.
      std::vector<RunningPod> residents;
      for (int i = 0; i < n; ++i)
        if (auto it = sim.find(jobs[i].id); it != sim.end()) residents.push_back({jobs[i], it->second});
      if (static_cast<int>(residents.size()) < n) continue;
      const auto policy = registry.make(name);
      const ProbeResult probe = probe_placement(cluster, residents, jobs.back(), *policy, none, SimConfig{});
      const auto it = sim.find(jobs.back().id);
      CHECK(probe.chosen_node == (it == sim.end() ? std::nullopt : std::optional<std::string>(it->second)));
      CHECK(probe.dropped.empty());
      CHECK(probe.fitting.size() + probe.unfit.size() == cluster.nodes.size());
      if (probe.chosen_node)
        CHECK(std::find(probe.fitting.begin(), probe.fitting.end(), *probe.chosen_node) != probe.fitting.end());
      ++compared;
      placed += probe.chosen_node ? 1 : 0;
    }
  }
  CHECK(compared >= 100);
  CHECK(placed > compared / 4);  // the states were not all full
  CHECK(placed < compared);      // nor all empty
}

TEST_CASE("issue 17: extender verbs on recorded payloads") {
  ExtenderService service = service_for("binpack");
  // a: 8 GPUs, b: 8 GPUs with 6 in use, c: 2 GPUs. binpack packs: the 2-GPU pod goes to b.
  const std::vector<json> nodes = {node_object("a", 8), node_object("b", 8), node_object("c", 2)};
  const json state = {{"apiVersion", "v1"}, {"kind", "List"},
                      {"items", {[] {
                         json p = pod_object("running-1", 6);
                         p["spec"]["nodeName"] = "b";
                         p["status"]["phase"] = "Running";
                         return p;
                       }()}}};
  CHECK(service.set_state(state.dump()).status == 200);

  const auto filtered = service.filter(args(pod_object("p2", 4), nodes).dump());
  REQUIRE(filtered.status == 200);
  const json f = json::parse(filtered.body);
  CHECK(f["Error"] == "");
  REQUIRE(f["Nodes"]["items"].size() == 1);
  CHECK(f["Nodes"]["items"][0]["metadata"]["name"] == "a");
  CHECK(f["FailedNodes"]["b"] == "2 of its 8 GPUs have room for the pod, it asks for 4");  // eviction could help
  CHECK(f["FailedAndUnresolvableNodes"]["c"] == "has 2 GPUs, the pod asks for 4");          // nothing can
  CHECK(f["NodeNames"].is_null());

  const auto prioritized = service.prioritize(args(pod_object("p1", 2), nodes).dump());
  REQUIRE(prioritized.status == 200);
  CHECK(json::parse(prioritized.body) ==
        json::parse(R"([{"Host": "a", "Score": 0}, {"Host": "b", "Score": 10}, {"Host": "c", "Score": 0}])"));

  // Bound to b, p1 fills it: the next 2-GPU pod goes to c, the only other node binpack would fill.
  CHECK(json::parse(service.bind(R"({"PodName": "p1", "PodNamespace": "team-a", "PodUID": "u1", "Node": "b"})").body)["Error"] == "");
  const json names = {{"Pod", pod_object("p3", 2)}, {"NodeNames", {"b", "a", "c", "gone"}}};
  const json g = json::parse(service.filter(names.dump()).body);
  CHECK(g["NodeNames"] == json::array({"a", "c"}));
  CHECK(g["FailedNodes"]["b"] == "0 of its 8 GPUs have room for the pod, it asks for 2");
  CHECK(g["FailedAndUnresolvableNodes"]["gone"].get<std::string>().find("unknown node") == 0);
  const json p3 = json::parse(service.prioritize(names.dump()).body);
  CHECK(p3[2] == json::parse(R"({"Host": "c", "Score": 10})"));
  const json known = json::parse(service.state().body);
  CHECK(known["running_pods"].size() == 2);

  SUBCASE("a spreading policy answers the same state differently") {
    ExtenderService spread = service_for("exclusive");
    spread.set_state(state.dump());
    const json s = json::parse(spread.prioritize(args(pod_object("p1", 2), nodes).dump()).body);
    CHECK(s[0] == json::parse(R"({"Host": "a", "Score": 10})"));  // the least allocated node
  }
  SUBCASE("pinned: filter passes only the policy's node") {
    ExtenderService pinned = service_for("binpack", true);
    pinned.set_state(state.dump());
    const json p = json::parse(pinned.filter(args(pod_object("p1", 2), nodes).dump()).body);
    REQUIRE(p["Nodes"]["items"].size() == 1);
    CHECK(p["Nodes"]["items"][0]["metadata"]["name"] == "b");
    CHECK(p["FailedNodes"]["a"] == "colosim policy binpack places the pod on b");
  }
  SUBCASE("stale state: a pod that no longer fits its node is dropped, not a failure") {
    const json crowded = {{"items", {[] {
                             json p = pod_object("huge", 8);
                             p["spec"]["nodeName"] = "c";
                             return p;
                           }()}}};
    service.set_state(crowded.dump());
    const json h = json::parse(service.filter(args(pod_object("p4", 1), nodes).dump()).body);
    CHECK(h["Nodes"]["items"].size() == 3);
    CHECK(json::parse(service.state().body)["running_pods"].empty());
  }
}

TEST_CASE("issue 17: GPU sharing by memory, as gpushare expresses it") {
  ExtenderSettings settings;
  settings.policy = "binpack";
  settings.options.sim.sharing = GpuSharing::stack;  // memory decides who shares a GPU
  ExtenderService service(settings);
  // 2 GPUs with 32 GiB between them: 16 GiB each.
  json node = node_object("share-1", 0);
  node["status"]["allocatable"]["aliyun.com/gpu-count"] = "2";
  node["status"]["allocatable"]["aliyun.com/gpu-mem"] = "32";
  auto gpushare_pod = [](const std::string& name, int gib) {
    json p = pod_object(name, 0);
    p["spec"]["containers"][0]["resources"]["limits"] = {{"aliyun.com/gpu-mem", std::to_string(gib)}};
    return p;
  };
  auto fits = [&](const json& pod) { return json::parse(service.filter(args(pod, {node}).dump()).body)["Nodes"]["items"].size() == 1; };
  CHECK(fits(gpushare_pod("a", 8)));
  CHECK_FALSE(fits(gpushare_pod("big", 20)));  // more than one GPU's 16 GiB
  const json reason = json::parse(service.filter(args(gpushare_pod("big", 20), {node}).dump()).body);
  CHECK(reason["FailedNodes"]["share-1"] == "0 of its 2 GPUs have room for the pod, it asks for 1");
  // Two 8 GiB pods on GPU 0 and one on GPU 1 leave 8 GiB: a 12 GiB pod waits, an 8 GiB one fits.
  for (const char* name : {"a", "b", "c"}) {
    CHECK(fits(gpushare_pod(name, 8)));
    CHECK(json::parse(service.bind(json{{"PodName", name}, {"PodNamespace", "team-a"}, {"Node", "share-1"}}.dump()).body)["Error"] == "");
  }
  CHECK_FALSE(fits(gpushare_pod("d", 12)));
  CHECK(fits(gpushare_pod("e", 8)));
}

TEST_CASE("issue 17: the extender refuses bad requests with a reason and unsuitable policies") {
  ExtenderService service = service_for("first-fit");
  const auto syntax = service.filter("{\"Pod\": {\n  \"metadata\": }");
  CHECK(syntax.status == 400);
  CHECK(json::parse(syntax.body)["Error"].get<std::string>().find("request:2: not valid JSON") != std::string::npos);
  const auto no_pod = service.filter(R"({"Nodes": {"items": []}})");
  CHECK(no_pod.status == 400);
  CHECK(json::parse(no_pod.body)["Error"] == "request:1: field 'Pod': missing");
  json bad_quantity = args(pod_object("p", 1), {node_object("a", 8)});
  bad_quantity["Pod"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] = "lots";
  const auto quantity = service.filter(bad_quantity.dump());
  CHECK(quantity.status == 400);
  CHECK(json::parse(quantity.body)["Error"].get<std::string>().find("Pod.spec.containers[0].resources.limits.nvidia.com/gpu") !=
        std::string::npos);
  json bad_node = args(pod_object("p", 1), {node_object("a", 8)});
  bad_node["Nodes"]["items"][0]["status"]["allocatable"]["nvidia.com/gpu"] = "2.5";
  CHECK(service.filter(bad_node.dump()).status == 400);
  CHECK(json::parse(service.bind(R"({"PodName": "never-seen", "Node": "a"})").body)["Error"].get<std::string>().find("never filtered") !=
        std::string::npos);
  CHECK(service.bind("[]").status == 400);
  // Found by fuzzing: a reason quoting bytes that are not UTF-8 still makes a JSON answer.
  const auto answer = service.filter(std::string(R"({"Pod": {"metadata": {"name": "p)") + "\xff\xfe" + R"("}}})");
  CHECK(answer.status == 400);
  CHECK(json::parse(answer.body).is_object());
  CHECK(service.set_state(R"({"items": 3})").status == 400);
  CHECK_THROWS_WITH_AS(service_for("tiresias"), doctest::Contains("placement policies only"), Error);
  CHECK_THROWS_WITH_AS(service_for("gavel"), doctest::Contains("placement policies only"), Error);
  CHECK_THROWS_AS(service_for("no-such-policy"), Error);
}

TEST_CASE("issue 17: the extender over loopback HTTP, concurrent requests, oversized bodies") {
  ExtenderService service = service_for("binpack");
  ExtenderServer server(service, 64 * 1024);
  const int port = server.bind("127.0.0.1", 0);
  std::thread serving([&] { server.serve(); });
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  for (int i = 0; i < 50 && !client.Get("/healthz"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto health = client.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);

  std::vector<json> nodes;
  for (int i = 0; i < 20; ++i) nodes.push_back(node_object("n" + std::to_string(i), 8));
  // Concurrent decisions: every answer complete and the same, since the state does not change.
  std::atomic<int> ok = 0, same = 0;
  std::string first;
  {
    auto expected = client.Post("/prioritize", args(pod_object("q", 2), nodes).dump(), "application/json");
    REQUIRE(expected);
    first = expected->body;
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      httplib::Client c("127.0.0.1", port);
      for (int i = 0; i < 25; ++i) {
        auto r = c.Post("/prioritize", args(pod_object("q", 2), nodes).dump(), "application/json");
        if (r && r->status == 200) ++ok;
        if (r && r->body == first) ++same;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 200);
  CHECK(same == 200);

  std::string huge = args(pod_object("q", 2), nodes).dump();
  huge.insert(huge.size() - 1, ", \"padding\": \"" + std::string(70 * 1024, 'x') + "\"");
  auto too_big = client.Post("/filter", huge, "application/json");
  REQUIRE(too_big);
  CHECK(too_big->status == 413);
  auto lost = client.Post("/nowhere", "{}", "application/json");
  REQUIRE(lost);
  CHECK(lost->status == 404);
  auto garbage = client.Post("/filter", std::string("\x00\xff{", 3), "application/json");
  REQUIRE(garbage);
  CHECK(garbage->status == 400);
  CHECK(client.Get("/healthz")->status == 200);  // still serving
  server.stop();
  serving.join();
}

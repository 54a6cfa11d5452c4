#include "colosim/extender/service.h"

#include <algorithm>
#include <cctype>

#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/inputs.h"

namespace colosim::extender {
namespace {

using nlohmann::json;
constexpr const char* kSource = "request";
constexpr std::size_t kMaxSeenPods = 100000;

// Go's encoding/json matches the extender types' field names without regard to case (they have no
// JSON tags); kube-scheduler sends "Pod", "Nodes", "NodeNames". Kubernetes objects themselves
// have exact, tagged names.
template <class Json>
Json* field(Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return it->is_null() ? nullptr : &*it;
  }
  return nullptr;
}

std::string text_field(const json& object, std::string_view name) {
  const json* value = field(object, name);
  if (!value) return {};
  if (!value->is_string()) throw InputError(kSource, 0, std::string(name), "expected a string");
  return value->get<std::string>();
}

json error_body(const std::string& message) { return json{{"Error", message}}; }

// Reasons may quote the request, which need not be valid UTF-8: such bytes are replaced.
std::string dump(const json& body) { return body.dump(-1, ' ', false, json::error_handler_t::replace); }

ExtenderService::Reply reply(const json& body, int status = 200) { return {status, dump(body)}; }

// A failed request answers 400 with the reason (bad input) or 500 (a fault of ours), never a crash.
template <class F>
ExtenderService::Reply guarded(F&& f) {
  try {
    return f();
  } catch (const InputError& e) {
    return reply(error_body(e.what()), 400);
  } catch (const Error& e) {
    return reply(error_body(e.what()), 400);
  } catch (const json::exception& e) {
    return reply(error_body(std::string("bad request: ") + e.what()), 400);
  } catch (const std::exception& e) {
    return reply(error_body(std::string("internal error: ") + e.what()), 500);
  }
}

}  // namespace

struct ExtenderService::Request {
  traces::PodFacts pod;
  ClusterSpec cluster;                          // the candidate nodes, by name
  std::vector<std::string> names;               // the candidates as sent
  std::vector<std::string> unknown;             // candidate names without a Node object
  bool by_name = false;                         // the request sent NodeNames (nodeCacheCapable)
};

ExtenderService::ExtenderService(ExtenderSettings settings) : settings_(std::move(settings)) {
  const PolicyRegistry registry = builtin_policies();
  policy_ = registry.make(settings_.policy);
  check_extender_policy(*policy_);
  model_ = traces::resolve_interference(settings_.interference, settings_.options.pairs);
  if (!settings_.decision_log.empty()) {
    log_.open(settings_.decision_log, std::ios::app);
    if (!log_) throw Error("--decision-log " + settings_.decision_log + ": cannot open for appending");
  }
}

ExtenderService::Request ExtenderService::read_args(std::string_view body) {
  json args = traces::parse_json_text(std::string(body), kSource);
  if (!args.is_object()) throw InputError(kSource, 1, "", "expected ExtenderArgs, a JSON object");
  const json* pod = field(args, "Pod");
  if (!pod) throw InputError(kSource, 1, "Pod", "missing");
  Request request{traces::read_pod(*pod, traces::JsonPlace(kSource, 1, "Pod."), settings_.names), {}, {}, {}, false};
  validate_job(request.pod.job, kSource, 1);
  // The candidates, as Node objects in the cache (moved there from the request, not copied).
  std::vector<const json*> candidates;
  if (json* nodes = field(args, "Nodes")) {
    json* list = nodes->is_object() ? field(*nodes, "items") : nullptr;
    if (!list || !list->is_array()) throw InputError(kSource, 1, "Nodes.items", "expected a NodeList");
    for (json& node : *list) {
      std::string name;
      if (node.is_object() && node.contains("metadata") && node["metadata"].is_object() &&
          node["metadata"].contains("name") && node["metadata"]["name"].is_string())
        name = node["metadata"]["name"].get<std::string>();
      if (name.empty()) throw InputError(kSource, 1, "Nodes.items.metadata.name", "missing");
      json& cached = nodes_[name];
      cached = std::move(node);
      request.names.push_back(std::move(name));
      candidates.push_back(&cached);
    }
  } else if (const json* names = field(args, "NodeNames")) {
    if (!names->is_array()) throw InputError(kSource, 1, "NodeNames", "expected an array of node names");
    request.by_name = true;
    for (const json& name : *names) {
      if (!name.is_string()) throw InputError(kSource, 1, "NodeNames", "expected an array of node names");
      const std::string n = name.get<std::string>();
      request.names.push_back(n);
      if (auto it = nodes_.find(n); it != nodes_.end()) candidates.push_back(&it->second);
      else request.unknown.push_back(n);
    }
  } else {
    throw InputError(kSource, 1, "Nodes", "missing: ExtenderArgs needs Nodes or NodeNames");
  }
  // Decisions depend on the order of the nodes (ties go to the first): by name, whatever order
  // the scheduler sent them in, so that the same state gives the same answer.
  auto name_of = [](const json* node) -> const std::string& { return node->at("metadata").at("name").get_ref<const std::string&>(); };
  std::sort(candidates.begin(), candidates.end(), [&](const json* a, const json* b) { return name_of(a) < name_of(b); });
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  if (!candidates.empty())
    request.cluster =
        traces::cluster_from_proto(traces::read_nodes(candidates, kSource, "extender", settings_.names, true), kSource);
  // Pods asked about and never bound (another scheduler bound them, or they were deleted) are
  // forgotten in bulk rather than kept forever.
  if (seen_.size() >= kMaxSeenPods) seen_.clear();
  seen_[request.pod.job.id] = request.pod.job;
  return request;
}

ProbeResult ExtenderService::decide(const Request& request) {
  ProbeResult result;
  if (!request.cluster.nodes.empty()) {
    std::vector<RunningPod> residents;
    for (const auto& [id, r] : running_) residents.push_back(r);
    result = probe_placement(request.cluster, residents, request.pod.job, *policy_, *model_, settings_.options.sim);
  }
  for (const auto& name : request.unknown)
    result.unfit.emplace(name, NodeRefusal{"unknown node: the extender has not seen its Node object (send Nodes once)", true});
  for (const auto& id : result.dropped) running_.erase(id);
  log(json{{"pod", request.pod.job.id},
           {"gpus", request.pod.job.gpus},
           {"candidates", request.names.size()},
           {"fitting", result.fitting},
           {"chosen", result.chosen_node ? json(*result.chosen_node) : json(nullptr)},
           {"dropped_stale_pods", result.dropped}});
  return result;
}

void ExtenderService::log(const json& line) {
  if (!log_.is_open()) return;
  log_ << dump(line) << '\n';
  log_.flush();
}

ExtenderService::Reply ExtenderService::filter(std::string_view body) {
  return guarded([&] {
    const std::lock_guard lock(mutex_);
    const Request request = read_args(body);
    const ProbeResult result = decide(request);
    std::vector<std::string> pass;
    json failed = json::object(), unresolvable = json::object();
    for (const auto& [name, why] : result.unfit) (why.permanent ? unresolvable : failed)[name] = why.reason;
    const std::string policy = "colosim policy " + settings_.policy;
    for (const auto& name : result.fitting) {
      if (!settings_.pin || name == result.chosen_node) pass.push_back(name);
      else failed[name] = result.chosen_node ? policy + " places the pod on " + *result.chosen_node
                                             : policy + " leaves the pod waiting";
    }
    json out{{"FailedNodes", failed}, {"FailedAndUnresolvableNodes", unresolvable}, {"Error", ""}};
    if (request.by_name) {
      out["NodeNames"] = pass;
      out["Nodes"] = nullptr;
    } else {
      json items = json::array();
      for (const auto& name : pass) items.push_back(nodes_.at(name));
      out["Nodes"] = json{{"apiVersion", "v1"}, {"kind", "NodeList"}, {"items", items}};
      out["NodeNames"] = nullptr;
    }
    return reply(out);
  });
}

ExtenderService::Reply ExtenderService::prioritize(std::string_view body) {
  return guarded([&] {
    const std::lock_guard lock(mutex_);
    const Request request = read_args(body);
    const ProbeResult result = decide(request);
    json list = json::array();
    for (const auto& name : request.names)
      list.push_back({{"Host", name}, {"Score", name == result.chosen_node ? kMaxExtenderPriority : 0}});
    return reply(list);
  });
}

ExtenderService::Reply ExtenderService::bind(std::string_view body) {
  return guarded([&] {
    const std::lock_guard lock(mutex_);
    const json args = traces::parse_json_text(std::string(body), kSource);
    const std::string name = text_field(args, "PodName"), ns = text_field(args, "PodNamespace"),
                      node = text_field(args, "Node");
    if (name.empty() || node.empty()) throw InputError(kSource, 1, name.empty() ? "PodName" : "Node", "missing");
    const std::string id = ns.empty() ? name : ns + "/" + name;
    auto pod = seen_.find(id);
    if (pod == seen_.end()) return reply(error_body("bind: pod " + id + " was never filtered or prioritized here"));
    running_[id] = RunningPod{pod->second, node};
    seen_.erase(pod);
    log(json{{"bind", id}, {"node", node}});
    return reply(error_body(""));
  });
}

ExtenderService::Reply ExtenderService::set_state(std::string_view body) {
  return guarded([&] {
    const std::lock_guard lock(mutex_);
    const json document = traces::parse_json_text(std::string(body), kSource);
    const json& items = traces::list_items(document, kSource, "pod");
    std::map<std::string, RunningPod> running;
    for (std::size_t i = 0; i < items.size(); ++i) {
      traces::PodFacts pod =
          traces::read_pod(items[i], traces::JsonPlace(kSource, static_cast<std::int64_t>(i + 1), "items[" + std::to_string(i) + "]."),
                           settings_.names);
      if (pod.node.empty() || pod.phase == "Succeeded" || pod.phase == "Failed") continue;
      const std::string id = pod.job.id;
      running[id] = RunningPod{std::move(pod.job), pod.node};
    }
    running_ = std::move(running);
    return reply(json{{"running_pods", running_.size()}});
  });
}

ExtenderService::Reply ExtenderService::state() {
  return guarded([&] {
    const std::lock_guard lock(mutex_);
    json pods = json::array();
    for (const auto& [id, r] : running_) pods.push_back({{"pod", id}, {"node", r.node}, {"gpus", r.job.gpus}});
    return reply(json{{"policy", settings_.policy}, {"nodes_known", nodes_.size()}, {"running_pods", pods}});
  });
}

}  // namespace colosim::extender

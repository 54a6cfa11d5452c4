#include "colosim/traces/kubernetes_objects.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/cluster_log.h"
#include "colosim/traces/proto_file.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {

using nlohmann::json;

namespace {

constexpr std::int64_t kMaxGpus = 1'000'000;

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

const json* path(const json& object, std::initializer_list<const char*> keys) {
  const json* at = &object;
  for (const char* key : keys)
    if (!(at = member(*at, key))) return nullptr;
  return at;
}

std::string text_at(const json& object, std::initializer_list<const char*> keys, const JsonPlace& place,
                    const std::string& field) {
  const json* value = path(object, keys);
  if (!value) return {};
  if (!value->is_string()) place.fail(field, "expected a string, got " + value->dump());
  return value->get<std::string>();
}

std::optional<std::int64_t> time_at(const json& object, std::initializer_list<const char*> keys, const JsonPlace& place,
                                    const std::string& field) {
  const std::string text = text_at(object, keys, place, field);
  if (text.empty()) return std::nullopt;
  auto us = parse_timestamp_us(text);
  if (!us) place.fail(field, "'" + text + "' is not an RFC 3339 time (2026-01-05T10:00:00Z)");
  return us;
}

double container_resource(const json& container, const std::string& resource, const JsonPlace& place,
                          const std::string& field) {
  for (const char* kind : {"requests", "limits"}) {
    const json* value = path(container, {"resources", kind});
    if (!value || !(value = member(*value, resource.c_str()))) continue;
    const std::string where = field + ".resources." + kind + "." + resource;
    std::optional<double> quantity;
    if (value->is_string()) quantity = parse_quantity(value->get<std::string>());
    else if (value->is_number()) quantity = value->get<double>();
    if (!quantity || *quantity < 0) place.fail(where, value->dump() + " is not a resource quantity");
    return *quantity;
  }
  return 0;
}

// What the scheduler counts for a pod: max(sum over containers, largest init container).
double pod_resource(const json& pod, const std::string& resource, const JsonPlace& place) {
  double sum = 0, init = 0;
  for (const char* list : {"containers", "initContainers"}) {
    const json* containers = path(pod, {"spec", list});
    if (!containers) continue;
    if (!containers->is_array()) place.fail(std::string("spec.") + list, "expected an array");
    for (std::size_t i = 0; i < containers->size(); ++i) {
      const double v = container_resource((*containers)[i], resource, place,
                                          std::string("spec.") + list + "[" + std::to_string(i) + "]");
      if (std::string(list) == "containers") sum += v;
      else init = std::max(init, v);
    }
  }
  return std::max(sum, init);
}

std::int64_t whole(double value, double unit, bool round_up) {
  const double scaled = value / unit;
  return static_cast<std::int64_t>(round_up ? std::ceil(scaled - 1e-9) : std::floor(scaled + 1e-9));
}

// First start and last finish of the pod's containers.
std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>> container_times(const json& pod,
                                                                                   const JsonPlace& place) {
  std::optional<std::int64_t> first, last;
  bool all_terminated = true;
  const json* statuses = path(pod, {"status", "containerStatuses"});
  if (!statuses || !statuses->is_array() || statuses->empty()) return {first, last};
  for (std::size_t i = 0; i < statuses->size(); ++i) {
    const std::string field = "status.containerStatuses[" + std::to_string(i) + "].state";
    const json& status = (*statuses)[i];
    auto started = time_at(status, {"state", "running", "startedAt"}, place, field + ".running.startedAt");
    if (!started) started = time_at(status, {"state", "terminated", "startedAt"}, place, field + ".terminated.startedAt");
    const auto finished = time_at(status, {"state", "terminated", "finishedAt"}, place, field + ".terminated.finishedAt");
    if (started && (!first || *started < *first)) first = started;
    if (!finished) all_terminated = false;
    else if (!last || *finished > *last) last = finished;
  }
  if (!all_terminated) last.reset();
  return {first, last};
}

std::optional<std::int64_t> scheduled_time(const json& pod, const JsonPlace& place) {
  const json* conditions = path(pod, {"status", "conditions"});
  if (!conditions || !conditions->is_array()) return std::nullopt;
  for (std::size_t i = 0; i < conditions->size(); ++i) {
    const json& c = (*conditions)[i];
    const std::string field = "status.conditions[" + std::to_string(i) + "]";
    if (text_at(c, {"type"}, place, field + ".type") == "PodScheduled" && text_at(c, {"status"}, place, field + ".status") == "True")
      return time_at(c, {"lastTransitionTime"}, place, field + ".lastTransitionTime");
  }
  return std::nullopt;
}

std::string label(const json& object, const std::string& key, const JsonPlace& place) {
  if (key.empty()) return {};
  const json* labels = path(object, {"metadata", "labels"});
  const json* value = labels ? member(*labels, key.c_str()) : nullptr;
  if (!value) return {};
  if (!value->is_string()) place.fail("metadata.labels." + key, "expected a string");
  return value->get<std::string>();
}

}  // namespace

void JsonPlace::fail(const std::string& field, const std::string& problem) const {
  throw InputError(file_, record_, prefix_ + field, problem);
}

json parse_json_text(const std::string& data, const std::string& source) {
  try {
    return json::parse(data);
  } catch (const json::parse_error& e) {
    const auto at = std::min<std::size_t>(e.byte, data.size());
    const auto line = 1 + std::count(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(at ? at - 1 : 0), '\n');
    throw InputError(source, line, "", std::string("not valid JSON: ") + e.what());
  } catch (const json::exception& e) {  // e.g. a number too large for any type
    throw InputError(source, 0, "", std::string("not valid JSON: ") + e.what());
  }
}

json read_json_file(const std::filesystem::path& path) {
  check_not_directory(path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), 0, "", "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_json_text(text.str(), path.string());
}

const json& list_items(const json& document, const std::string& file, const char* kind) {
  const json* items = member(document, "items");
  if (!items || !items->is_array())
    throw InputError(file, 1, "items",
                     std::string("expected a List of ") + kind + " objects (kubectl get " + kind + "s -o json)");
  return *items;
}

// A Kubernetes resource quantity ("4", "500m", "1.5", "16Gi", "2e3") in base units.
std::optional<double> parse_quantity(const std::string& text) {
  static const std::map<std::string, double> suffixes = {
      {"", 1},       {"n", 1e-9},  {"u", 1e-6},  {"m", 1e-3},  {"k", 1e3},
      {"M", 1e6},    {"G", 1e9},   {"T", 1e12},  {"P", 1e15},  {"E", 1e18},
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}};
  std::size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.' ||
                               (end == 0 && (text[end] == '+' || text[end] == '-'))))
    ++end;
  if (end == 0) return std::nullopt;
  std::string number = text.substr(0, end), suffix = text.substr(end);
  // A decimal exponent ("2e3", "1E-2") is part of the number, not a suffix (E alone is exa).
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E') &&
      suffix.find_first_not_of("+-0123456789", 1) == std::string::npos) {
    number += suffix;
    suffix.clear();
  }
  auto scale = suffixes.find(suffix);
  if (scale == suffixes.end()) return std::nullopt;
  auto value = parse_number(number);
  if (!value || !std::isfinite(*value * scale->second)) return std::nullopt;
  return *value * scale->second;
}

// One resource of one container: its request, or its limit when no request is set.
PodFacts read_pod(const json& pod, const JsonPlace& place, const KubernetesNames& names) {
  if (!pod.is_object()) place.fail("", "expected a Pod object");
  PodFacts facts;
  JobSpec& job = facts.job;
  const std::string name = text_at(pod, {"metadata", "name"}, place, "metadata.name");
  const std::string ns = text_at(pod, {"metadata", "namespace"}, place, "metadata.namespace");
  if (name.empty()) place.fail("metadata.name", "missing");
  facts.created = time_at(pod, {"metadata", "creationTimestamp"}, place, "metadata.creationTimestamp");
  const double gpus = pod_resource(pod, names.gpu_resource, place);
  if (gpus != std::floor(gpus) || gpus > kMaxGpus) place.fail("spec.containers", names.gpu_resource + " is not a whole number of GPUs");
  job.id = ns.empty() ? name : ns + "/" + name;
  job.gpus = static_cast<int>(gpus);
  if (job.gpus == 0 && !names.gpu_memory_resource.empty()) {
    // A share of one GPU, by memory (gpushare): its memory is what it asks for.
    if (const double memory = pod_resource(pod, names.gpu_memory_resource, place); memory > 0) {
      job.gpus = 1;
      const double mib = std::ceil(memory * static_cast<double>(names.gpu_memory_unit_mib) - 1e-9);
      if (!(mib <= 1e12)) place.fail("spec.containers", names.gpu_memory_resource + " is too large");
      job.memory_mib = static_cast<std::int64_t>(mib);
    }
  }
  job.user = label(pod, names.queue_label, place);
  if (job.user.empty()) job.user = ns;
  job.app = label(pod, names.app_label, place);
  if (job.app.empty()) job.app = label(pod, "app", place);
  if (job.app.empty()) {
    const json* owners = path(pod, {"metadata", "ownerReferences"});
    if (owners && owners->is_array() && !owners->empty())
      job.app = text_at((*owners)[0], {"name"}, place, "metadata.ownerReferences[0].name");
  }
  if (job.app.empty()) job.app = name;
  if (const json* priority = path(pod, {"spec", "priority"})) {
    if (!priority->is_number_integer()) place.fail("spec.priority", "expected an integer");
    auto p = narrow<int>(priority->get<std::int64_t>());
    if (!p) place.fail("spec.priority", "out of range");
    job.priority = *p;
  }
  if (const json* selector = path(pod, {"spec", "nodeSelector"}); selector && !names.gpu_type_label.empty())
    if (const json* type = member(*selector, names.gpu_type_label.c_str()); type && job.gpus > 0) {
      if (!type->is_string()) place.fail("spec.nodeSelector." + names.gpu_type_label, "expected a string");
      job.gpu_types.push_back(type->get<std::string>());
    }
  if (const double cpu = pod_resource(pod, "cpu", place); cpu > 0)
    job.features[kCpuMilliFeature] = static_cast<double>(whole(cpu, 1e-3, true));
  if (const double memory = pod_resource(pod, "memory", place); memory > 0)
    job.features[kHostMemoryFeature] = static_cast<double>(whole(memory, 1048576.0, true));
  auto [first_container, last_finish] = container_times(pod, place);
  facts.bound = scheduled_time(pod, place);
  if (!facts.bound) facts.bound = time_at(pod, {"status", "startTime"}, place, "status.startTime");
  if (!facts.bound) facts.bound = first_container;
  facts.finished = last_finish;
  facts.phase = text_at(pod, {"status", "phase"}, place, "status.phase");
  facts.node = text_at(pod, {"spec", "nodeName"}, place, "spec.nodeName");
  return facts;
}

v1::Cluster read_nodes(const json& items, const std::string& file, const std::string& name,
                       const KubernetesNames& names, bool keep_without_gpus) {
  std::vector<const json*> nodes;
  for (const json& node : items) nodes.push_back(&node);
  return read_nodes(nodes, file, name, names, keep_without_gpus);
}

v1::Cluster read_nodes(std::span<const json* const> nodes, const std::string& file, const std::string& name,
                       const KubernetesNames& names, bool keep_without_gpus) {
  v1::Cluster cluster;
  cluster.set_schema_version(kSchemaVersion);
  cluster.set_name(name);
  std::map<std::string, std::int64_t> type_memory;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const json& node = *nodes[i];
    const JsonPlace place(file, static_cast<std::int64_t>(i + 1), "items[" + std::to_string(i) + "].");
    if (!node.is_object()) place.fail("", "expected a Node object");
    const std::string node_name = text_at(node, {"metadata", "name"}, place, "metadata.name");
    if (node_name.empty()) place.fail("metadata.name", "missing");
    const json* resources = path(node, {"status", "allocatable"});
    std::string from = "status.allocatable";
    if (!resources) {
      resources = path(node, {"status", "capacity"});
      from = "status.capacity";
    }
    auto quantity = [&](const std::string& key) -> double {
      const json* value = resources ? member(*resources, key.c_str()) : nullptr;
      if (!value) return 0;
      std::optional<double> q;
      if (value->is_string()) q = parse_quantity(value->get<std::string>());
      if (!q || *q < 0) place.fail(from + "." + key, value->dump() + " is not a resource quantity");
      return *q;
    };
    double gpus = quantity(names.gpu_resource);
    std::string gpus_from = names.gpu_resource;
    if (gpus == 0 && !names.gpu_count_resource.empty()) gpus = quantity(gpus_from = names.gpu_count_resource);
    if (gpus != std::floor(gpus) || gpus > 1024) place.fail(from + "." + gpus_from, "not a whole number of GPUs (at most 1024)");
    if (gpus == 0 && !keep_without_gpus) continue;
    std::string type = label(node, names.gpu_type_label, place);
    if (type.empty()) type = names.default_gpu_type;
    std::int64_t memory = names.default_gpu_memory_mib;
    if (auto stated = label(node, "nvidia.com/gpu.memory", place); !stated.empty()) {
      auto mib = parse_integer(stated);
      if (!mib || *mib < 1 || *mib > (std::int64_t{1} << 40)) place.fail("metadata.labels.nvidia.com/gpu.memory", "'" + stated + "' is not MiB");
      memory = *mib;
    }
    // A gpushare node states its GPUs' total memory: each GPU has its part.
    if (const double shared = names.gpu_memory_resource.empty() ? 0 : quantity(names.gpu_memory_resource); shared > 0 && gpus > 0)
      memory = std::max<std::int64_t>(1, static_cast<std::int64_t>(shared * static_cast<double>(names.gpu_memory_unit_mib) / gpus));
    if (auto [it, added] = type_memory.emplace(type, memory); !added) it->second = std::min(it->second, memory);
    auto* out = cluster.add_nodes();
    out->set_name(node_name);
    out->set_gpu_type(type);
    out->set_gpus(static_cast<int>(gpus));
    out->set_cpu_milli(whole(quantity("cpu"), 1e-3, false));
    out->set_memory_mib(whole(quantity("memory"), 1048576.0, false));
  }
  for (const auto& [type, memory] : type_memory) {
    auto* t = cluster.add_gpu_types();
    t->set_name(type);
    t->set_memory_mib(memory);
    t->set_speed(1.0);
  }
  if (cluster.nodes().empty()) throw InputError(file, 0, "items", "no node with GPUs (" + names.gpu_resource + ")");
  return cluster;
}

}  // namespace colosim::traces

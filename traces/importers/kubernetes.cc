// kubernetes: a cluster's own pods, as `kubectl get pods -A -o json` exports them (a v1 List or
// PodList of Pod objects), and optionally its nodes (`kubectl get nodes -o json`, --with).
// Mapping (docs/validate.md):
//  - one pod that requests GPUs (resource `gpu-resource`, default nvidia.com/gpu) -> one job;
//    id = namespace/name; user (the queue) = the namespace, or the value of label `queue-label`;
//    app = label `app-label`, else label "app", else the owning object's name, else the pod name;
//    priority = spec.priority; gpu_types = the node selector `gpu-type-label`;
//  - requests as the scheduler counts them: max(sum over containers, largest init container),
//    a request defaulting to the limit; cpu -> cpu_milli, memory -> host_memory_mib;
//  - submit = creationTimestamp; recorded start = when the pod was bound (condition PodScheduled,
//    else status.startTime, else its first container start), since the pod holds its GPUs from
//    then; recorded end = its last container's finishedAt; recorded nodes = spec.nodeName;
//    recorded state = status.phase; duration = end - start;
//  - a pod still running when the log was taken (option log-time, default the latest time in the
//    log) runs until then (feature censored = 1); a pod never bound is skipped and counted, and so
//    is a finished one without finish times; CPU-only pods are skipped and counted, or kept with
//    cpu-only=keep (gpus 0).
// The header's cluster: the --with node list (allocatable GPUs, CPU and memory; GPU type from
// label `gpu-type-label`, its memory from label nvidia.com/gpu.memory or option gpu-memory-mib),
// else the cluster inferred from the nodes the pods ran on (cluster_log.h).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/cluster_log.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/proto_file.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {
namespace {

using nlohmann::json;
constexpr const char* kName = "kubernetes";
constexpr std::int64_t kMaxGpus = 1'000'000;

json read_json(const std::filesystem::path& path) {
  check_not_directory(path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), 0, "", "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string data = text.str();
  try {
    return json::parse(data);
  } catch (const json::parse_error& e) {
    const auto at = std::min<std::size_t>(e.byte, data.size());
    const auto line = 1 + std::count(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(at ? at - 1 : 0), '\n');
    throw InputError(path.string(), line, "", std::string("not valid JSON: ") + e.what());
  }
}

// Where an object sits in the file, for messages: "items[3] (ns/name)", its field, the record.
class Place {
 public:
  Place(std::string file, std::int64_t record, std::string prefix)
      : file_(std::move(file)), record_(record), prefix_(std::move(prefix)) {}
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw InputError(file_, record_, prefix_ + field, problem);
  }
  const std::string& file() const { return file_; }
  std::int64_t record() const { return record_; }

 private:
  std::string file_;
  std::int64_t record_;
  std::string prefix_;
};

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

std::string text_at(const json& object, std::initializer_list<const char*> keys, const Place& place,
                    const std::string& field) {
  const json* value = path(object, keys);
  if (!value) return {};
  if (!value->is_string()) place.fail(field, "expected a string, got " + value->dump());
  return value->get<std::string>();
}

std::optional<std::int64_t> time_at(const json& object, std::initializer_list<const char*> keys, const Place& place,
                                    const std::string& field) {
  const std::string text = text_at(object, keys, place, field);
  if (text.empty()) return std::nullopt;
  auto us = parse_timestamp_us(text);
  if (!us) place.fail(field, "'" + text + "' is not an RFC 3339 time (2026-01-05T10:00:00Z)");
  return us;
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
double container_resource(const json& container, const std::string& resource, const Place& place,
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
double pod_resource(const json& pod, const std::string& resource, const Place& place) {
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
                                                                                   const Place& place) {
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

std::optional<std::int64_t> scheduled_time(const json& pod, const Place& place) {
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

std::string label(const json& object, const std::string& key, const Place& place) {
  if (key.empty()) return {};
  const json* labels = path(object, {"metadata", "labels"});
  const json* value = labels ? member(*labels, key.c_str()) : nullptr;
  if (!value) return {};
  if (!value->is_string()) place.fail("metadata.labels." + key, "expected a string");
  return value->get<std::string>();
}

const json& items_of(const json& document, const std::string& file, const char* kind) {
  const json* items = member(document, "items");
  if (!items || !items->is_array())
    throw InputError(file, 1, "items",
                     std::string("expected a List of ") + kind + " objects (kubectl get " + kind + "s -o json)");
  return *items;
}

struct Counts {
  std::int64_t pending = 0, no_finish = 0, cpu_only = 0, running = 0;
};

v1::Cluster read_nodes(const std::filesystem::path& file, const ImportRequest& request, bool keep_cpu_only) {
  const json document = read_json(file);
  const json& items = items_of(document, file.string(), "node");
  const std::string gpu_resource = request.options.at("gpu-resource"), type_label = request.options.at("gpu-type-label");
  const double default_memory = option_number(request, kName, "gpu-memory-mib");
  v1::Cluster cluster;
  cluster.set_schema_version(kSchemaVersion);
  cluster.set_name("kubernetes " + file.filename().string());
  std::map<std::string, std::int64_t> type_memory;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json& node = items[i];
    const Place place(file.string(), static_cast<std::int64_t>(i + 1), "items[" + std::to_string(i) + "].");
    const std::string name = text_at(node, {"metadata", "name"}, place, "metadata.name");
    if (name.empty()) place.fail("metadata.name", "missing");
    const json* resources = path(node, {"status", "allocatable"});
    std::string from = "status.allocatable";
    if (!resources) resources = path(node, {"status", "capacity"}), from = "status.capacity";
    auto quantity = [&](const std::string& key) -> double {
      const json* value = resources ? member(*resources, key.c_str()) : nullptr;
      if (!value) return 0;
      std::optional<double> q;
      if (value->is_string()) q = parse_quantity(value->get<std::string>());
      if (!q || *q < 0) place.fail(from + "." + key, value->dump() + " is not a resource quantity");
      return *q;
    };
    const double gpus = quantity(gpu_resource);
    if (gpus != std::floor(gpus) || gpus > kMaxGpus) place.fail(from + "." + gpu_resource, "not a whole number of GPUs");
    if (gpus == 0 && !keep_cpu_only) continue;
    std::string type = label(node, type_label, place);
    if (type.empty()) type = request.options.at("gpu-type");
    std::int64_t memory = static_cast<std::int64_t>(default_memory);
    if (auto stated = label(node, "nvidia.com/gpu.memory", place); !stated.empty()) {
      auto mib = parse_number(stated);
      if (!mib || *mib < 1) place.fail("metadata.labels.nvidia.com/gpu.memory", "'" + stated + "' is not MiB");
      memory = static_cast<std::int64_t>(*mib);
    }
    if (auto [it, added] = type_memory.emplace(type, memory); !added) it->second = std::min(it->second, memory);
    auto* out = cluster.add_nodes();
    out->set_name(name);
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
  if (cluster.nodes().empty()) throw InputError(file.string(), 0, "items", "no node with GPUs (" + gpu_resource + ")");
  return cluster;
}

ImportedTrace import_kubernetes(const ImportRequest& request) {
  if (request.extra.size() > 1) throw Error("importer 'kubernetes' takes at most one --with file (kubectl get nodes -o json)");
  for (const char* key : {"cpu-only"})
    if (request.options.at(key) != "skip" && request.options.at(key) != "keep")
      throw Error(std::string("importer 'kubernetes': option ") + key + " must be skip or keep");
  const bool keep_cpu_only = request.options.at("cpu-only") == "keep";
  const std::string gpu_resource = request.options.at("gpu-resource"), app_label = request.options.at("app-label"),
                    queue_label = request.options.at("queue-label"), type_label = request.options.at("gpu-type-label");
  const std::string file = request.input.string();
  const json document = read_json(request.input);
  const json& items = items_of(document, file, "pod");

  ImportedTrace out;
  std::vector<LoggedJob> logged;
  Counts counts;
  std::int64_t latest = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json& pod = items[i];
    const std::int64_t record = static_cast<std::int64_t>(i + 1);
    const Place place(file, record, "items[" + std::to_string(i) + "].");
    if (!pod.is_object()) place.fail("", "expected a Pod object");
    const std::string name = text_at(pod, {"metadata", "name"}, place, "metadata.name");
    const std::string ns = text_at(pod, {"metadata", "namespace"}, place, "metadata.namespace");
    if (name.empty()) place.fail("metadata.name", "missing");
    const auto created = time_at(pod, {"metadata", "creationTimestamp"}, place, "metadata.creationTimestamp");
    if (!created) place.fail("metadata.creationTimestamp", "missing");
    const double gpus = pod_resource(pod, gpu_resource, place);
    if (gpus != std::floor(gpus) || gpus > kMaxGpus) place.fail("spec.containers", gpu_resource + " is not a whole number of GPUs");
    if (gpus == 0 && !keep_cpu_only) {
      ++counts.cpu_only;
      continue;
    }
    LoggedJob entry;
    JobSpec& job = entry.spec;
    job.id = ns.empty() ? name : ns + "/" + name;
    job.gpus = static_cast<int>(gpus);
    job.submit = *created;
    job.user = label(pod, queue_label, place);
    if (job.user.empty()) job.user = ns;
    job.app = label(pod, app_label, place);
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
    if (const json* selector = path(pod, {"spec", "nodeSelector"}); selector && !type_label.empty())
      if (const json* type = member(*selector, type_label.c_str()); type && job.gpus > 0) {
        if (!type->is_string()) place.fail("spec.nodeSelector." + type_label, "expected a string");
        job.gpu_types.push_back(type->get<std::string>());
      }
    if (const double cpu = pod_resource(pod, "cpu", place); cpu > 0) job.features[kCpuMilliFeature] = static_cast<double>(whole(cpu, 1e-3, true));
    if (const double memory = pod_resource(pod, "memory", place); memory > 0)
      job.features[kHostMemoryFeature] = static_cast<double>(whole(memory, 1048576.0, true));

    auto [first_container, last_finish] = container_times(pod, place);
    std::optional<std::int64_t> start = scheduled_time(pod, place);
    if (!start) start = time_at(pod, {"status", "startTime"}, place, "status.startTime");
    if (!start) start = first_container;
    const std::string phase = text_at(pod, {"status", "phase"}, place, "status.phase");
    const std::string node = text_at(pod, {"spec", "nodeName"}, place, "spec.nodeName");
    for (auto t : {created, start, last_finish})
      if (t) latest = std::max(latest, *t);
    if (!start || node.empty()) {
      ++counts.pending;
      continue;
    }
    if (*start < *created) start = created;  // clock skew between the API server and a kubelet
    RecordedRun& run = job.recorded.emplace();
    run.start = *start;
    run.nodes = {node};
    run.state = phase;
    if (phase == "Succeeded" || phase == "Failed") {
      if (!last_finish) {
        ++counts.no_finish;
        continue;
      }
      run.end = std::max(*last_finish, *start);
      job.solo_duration = *run.end - *start;
    } else {
      entry.running = true;
      ++counts.running;
    }
    logged.push_back(std::move(entry));
  }
  std::int64_t log_time = latest;
  if (const std::string& stated = request.options.at("log-time"); !stated.empty()) {
    auto us = parse_timestamp_us(stated);
    if (!us) throw Error("importer 'kubernetes': option log-time: '" + stated + "' is not an RFC 3339 time");
    log_time = *us;
  }
  for (const auto& entry : logged)
    if (entry.running && log_time < *entry.spec.recorded->start)
      throw Error("importer 'kubernetes': option log-time is before pod " + entry.spec.id + " started");

  auto& header = out.header;
  header.set_schema_version(kSchemaVersion);
  header.set_source(std::string(kName) + ": " + request.input.filename().string());
  out.jobs = jobs_from_log(std::move(logged), log_time, header);
  if (!request.extra.empty())
    *header.mutable_cluster() = read_nodes(request.extra[0], request, keep_cpu_only);
  else if (!out.jobs.empty())
    *header.mutable_cluster() = infer_cluster(out.jobs, "kubernetes " + request.input.filename().string() + " (inferred)",
                                              request.options.at("gpu-type"),
                                              static_cast<std::int64_t>(option_number(request, kName, "gpu-memory-mib")));
  out.notes.push_back("jobs: " + std::to_string(out.jobs.size()) + ", of which " + std::to_string(counts.running) +
                      " still running at the log time (run time censored there)");
  if (counts.pending) out.notes.push_back("skipped " + std::to_string(counts.pending) + " pods never bound to a node");
  if (counts.no_finish)
    out.notes.push_back("skipped " + std::to_string(counts.no_finish) + " finished pods without container finish times");
  if (counts.cpu_only)
    out.notes.push_back("skipped " + std::to_string(counts.cpu_only) + " pods without " + gpu_resource + " (cpu-only=keep keeps them)");
  if (request.extra.empty()) out.notes.push_back("cluster inferred from the nodes the pods ran on (--with nodes.json gives it)");
  return out;
}

}  // namespace

void add_kubernetes_importer(ImporterRegistry& registry) {
  registry.add({kName,
                "Kubernetes pods from `kubectl get pods -A -o json` (and nodes from `kubectl get nodes -o json`), "
                "with their recorded runs",
                {{"gpu-resource", "nvidia.com/gpu", "extended resource that counts whole GPUs"},
                 {"app-label", "app.kubernetes.io/name", "pod label naming the application (then label app, owner, pod name)"},
                 {"queue-label", "", "pod label naming the queue (e.g. kueue.x-k8s.io/queue-name); empty: the namespace"},
                 {"gpu-type-label", "nvidia.com/gpu.product", "node label (and pod node selector) naming the GPU type"},
                 {"gpu-type", "GPU", "GPU type of nodes without that label, and of an inferred cluster"},
                 {"gpu-memory-mib", "81920", "GPU memory of nodes without label nvidia.com/gpu.memory"},
                 {"cpu-only", "skip", "pods without GPUs: skip or keep (as CPU-only jobs)"},
                 {"log-time", "", "when the log was taken (RFC 3339); empty: the latest time in it"}},
                [](const Params&, const ImportRequest& request) { return import_kubernetes(request); },
                "IN: kubectl get pods -A -o json; --with: kubectl get nodes -o json (optional)"});
}

}  // namespace colosim::traces

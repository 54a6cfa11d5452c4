#pragma once
// Kubernetes API objects (Pod, Node, as `kubectl ... -o json` and the kube-scheduler extender
// protocol carry them) read as colosim sees them: one reading for the kubernetes importer and
// `colosim extender`. The rules are in docs/validate.md and docs/kubernetes.md.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "colosim.pb.h"
#include "colosim/job.h"
#include "colosim/traces/cluster_log.h"

namespace colosim::traces {

// What to read from the objects; each is an importer option and an extender flag.
struct KubernetesNames {
  std::string gpu_resource = "nvidia.com/gpu";        // extended resource counting whole GPUs
  // GPU sharing by memory, as Alibaba's gpushare device plug-in and scheduler extender express it:
  // a pod asks for GPU memory (in units of `gpu_memory_unit_mib`) on one GPU; a node states its
  // GPU count and its GPUs' total memory. Empty: not read.
  std::string gpu_memory_resource = "aliyun.com/gpu-mem";
  std::string gpu_count_resource = "aliyun.com/gpu-count";
  std::int64_t gpu_memory_unit_mib = 1024;
  std::string app_label = "app.kubernetes.io/name";   // pod label naming the application
  std::string queue_label;                            // pod label naming the queue; empty: namespace
  std::string gpu_type_label = "nvidia.com/gpu.product";  // node label (pod node selector): GPU type
  std::string default_gpu_type = kLogGpuType;         // of nodes without that label
  std::int64_t default_gpu_memory_mib = kLogGpuMemoryMib;  // of nodes without label nvidia.com/gpu.memory
};

// Where an object sits, for messages: InputError(file, record, prefix + field, problem).
class JsonPlace {
 public:
  JsonPlace(std::string file, std::int64_t record, std::string prefix)
      : file_(std::move(file)), record_(record), prefix_(std::move(prefix)) {}
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const;
  JsonPlace at(const std::string& more) const { return {file_, record_, prefix_ + more}; }

 private:
  std::string file_;
  std::int64_t record_;
  std::string prefix_;
};

// The whole file, or text that names `source`, as JSON; InputError with the line of a syntax error.
nlohmann::json read_json_file(const std::filesystem::path& path);
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

// The `items` array of a List (kubectl get pods/nodes -o json); InputError otherwise.
const nlohmann::json& list_items(const nlohmann::json& document, const std::string& file, const char* kind);

// A Kubernetes resource quantity ("4", "500m", "1.5", "16Gi", "2e3") in base units; nullopt if not one.
std::optional<double> parse_quantity(const std::string& text);

// A pod as colosim sees it. Times are absolute (microseconds since 1970, parse_timestamp_us).
struct PodFacts {
  JobSpec job;  // id (namespace/name), app, user (queue), gpus, cpu_milli / host_memory_mib
                // features, priority, gpu_types; submit, duration and recorded run not set
  std::string node;   // spec.nodeName; empty: not bound
  std::string phase;  // status.phase
  std::optional<std::int64_t> created, bound, finished;  // bound: PodScheduled, else startTime,
                                                         // else the first container start;
                                                         // finished: the last container's end,
                                                         // once all have ended
};

// Reads one Pod object: requests as the scheduler counts them (max of the containers' sum and the
// largest init container; a request defaults to its limit). InputError at `place` otherwise.
PodFacts read_pod(const nlohmann::json& pod, const JsonPlace& place, const KubernetesNames& names);

// Nodes (Node objects) as a cluster: each node with GPUs (allocatable, else capacity), its type
// from the type label, memory from label nvidia.com/gpu.memory; CPU and memory from the same
// resources. Nodes without GPUs are kept only with `keep_without_gpus`.
v1::Cluster read_nodes(const nlohmann::json& items, const std::string& file, const std::string& name,
                       const KubernetesNames& names, bool keep_without_gpus);
// The same over Node objects held elsewhere (the extender's node cache), in the given order.
v1::Cluster read_nodes(std::span<const nlohmann::json* const> nodes, const std::string& file, const std::string& name,
                       const KubernetesNames& names, bool keep_without_gpus);

}  // namespace colosim::traces

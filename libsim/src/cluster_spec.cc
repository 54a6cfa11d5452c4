#include "colosim/cluster_spec.h"

#include <cmath>
#include <set>
#include <tuple>

#include "colosim/checked.h"
#include "colosim/errors.h"

namespace colosim {

ClusterSpec ClusterSpec::uniform(int nodes, int gpus_per_node, GpuType type) {
  if (nodes > kMaxClusterNodes)
    throw InputError("uniform cluster", 0, "nodes", std::to_string(nodes) + " nodes, more than " + std::to_string(kMaxClusterNodes));
  if (gpus_per_node > kMaxGpusPerNode)
    throw InputError("uniform cluster", 0, "gpus_per_node",
                     std::to_string(gpus_per_node) + " GPUs per node, more than " + std::to_string(kMaxGpusPerNode));
  if (std::int64_t{nodes} * gpus_per_node > kMaxClusterGpus)
    throw InputError("uniform cluster", 0, "nodes", std::to_string(std::int64_t{nodes} * gpus_per_node) +
                                                        " GPUs in all, more than " + std::to_string(kMaxClusterGpus));
  ClusterSpec spec;
  spec.name = std::to_string(nodes) + "x" + std::to_string(gpus_per_node) + " " + type.name;
  for (int i = 0; i < nodes; ++i) spec.nodes.push_back({"node" + std::to_string(i), type.name, gpus_per_node});
  spec.gpu_types.push_back(std::move(type));
  return spec;
}

const GpuType* ClusterSpec::find_gpu_type(const std::string& type_name) const {
  for (const auto& t : gpu_types)
    if (t.name == type_name) return &t;
  return nullptr;
}

int ClusterSpec::total_gpus() const {
  std::int64_t total = 0;
  for (const auto& n : nodes) total += n.gpus;
  return total > kMaxClusterGpus ? static_cast<int>(kMaxClusterGpus) + 1 : static_cast<int>(total);  // validate() rejects
}

void ClusterSpec::validate(const std::string& source) const {
  std::set<std::string> type_names;
  for (std::size_t i = 0; i < gpu_types.size(); ++i) {
    const auto& t = gpu_types[i];
    const auto record = static_cast<std::int64_t>(i + 1);
    if (t.name.empty()) throw InputError(source, record, "gpu_types.name", "empty GPU type name");
    if (!is_valid_utf8(t.name)) throw InputError(source, record, "gpu_types.name", "not valid UTF-8");
    if (!type_names.insert(t.name).second)
      throw InputError(source, record, "gpu_types.name", "GPU type '" + t.name + "' defined twice");
    if (t.memory_mib <= 0)
      throw InputError(source, record, "gpu_types.memory_mib",
                       "GPU type '" + t.name + "' needs a positive memory, got " + std::to_string(t.memory_mib));
    if (!(t.speed > 0.0) || !std::isfinite(t.speed))
      throw InputError(source, record, "gpu_types.speed", "GPU type '" + t.name + "' needs a positive finite speed");
  }
  if (nodes.empty()) throw InputError(source, 0, "nodes", "the cluster has no nodes");
  if (static_cast<std::int64_t>(nodes.size()) > kMaxClusterNodes)
    throw InputError(source, 0, "nodes", std::to_string(nodes.size()) + " nodes, more than " + std::to_string(kMaxClusterNodes));
  std::int64_t total_gpus = 0;
  std::set<std::string> node_names;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    const auto record = static_cast<std::int64_t>(i + 1);
    if (!is_valid_utf8(n.name)) throw InputError(source, record, "nodes.name", "not valid UTF-8");
    if (!node_names.insert(n.name).second)
      throw InputError(source, record, "nodes.name", "node name '" + n.name + "' used twice");
    if (n.gpus <= 0)
      throw InputError(source, record, "nodes.gpus", "node '" + n.name + "' needs at least one GPU");
    if (n.gpus > kMaxGpusPerNode)
      throw InputError(source, record, "nodes.gpus",
                       "node '" + n.name + "' has " + std::to_string(n.gpus) + " GPUs, more than " + std::to_string(kMaxGpusPerNode));
    total_gpus += n.gpus;
    if (total_gpus > kMaxClusterGpus)
      throw InputError(source, record, "nodes.gpus", "more than " + std::to_string(kMaxClusterGpus) + " GPUs in all");
    // Below 2^53, as jobs' requests are: sums of them stay far from overflow.
    constexpr std::int64_t kMaxNodeResource = std::int64_t{1} << 53;
    if (n.cpu_milli < 0 || n.cpu_milli >= kMaxNodeResource)
      throw InputError(source, record, "nodes.cpu_milli", "node '" + n.name + "': must be >= 0 and below 2^53, got " + std::to_string(n.cpu_milli));
    if (n.memory_mib < 0 || n.memory_mib >= kMaxNodeResource)
      throw InputError(source, record, "nodes.memory_mib", "node '" + n.name + "': must be >= 0 and below 2^53, got " + std::to_string(n.memory_mib));
    if (!type_names.count(n.gpu_type))
      throw InputError(source, record, "nodes.gpu_type",
                       "node '" + n.name + "' names unknown GPU type '" + n.gpu_type + "'");
  }
  std::set<std::tuple<std::string, std::string, int>> speed_keys;
  for (std::size_t i = 0; i < app_speeds.size(); ++i) {
    const AppSpeed& a = app_speeds[i];
    const auto record = static_cast<std::int64_t>(i + 1);
    const std::string what = "application '" + a.app + "' on GPU type '" + a.gpu_type + "'";
    if (a.app.empty() || !is_valid_utf8(a.app)) throw InputError(source, record, "app_speeds.app", "empty or not valid UTF-8");
    if (!type_names.count(a.gpu_type))
      throw InputError(source, record, "app_speeds.gpu_type", what + ": unknown GPU type");
    if (a.gpus < 0 || a.gpus > kMaxClusterGpus)
      throw InputError(source, record, "app_speeds.gpus", what + ": gang size " + std::to_string(a.gpus) + " (0 means any)");
    if (!(a.speed > 0.0) || !std::isfinite(a.speed))
      throw InputError(source, record, "app_speeds.speed", what + " needs a positive finite speed");
    if (!speed_keys.insert({a.app, a.gpu_type, a.gpus}).second)
      throw InputError(source, record, "app_speeds", what + (a.gpus > 0 ? " for " + std::to_string(a.gpus) + " GPUs" : "") + " given twice");
  }
}

}  // namespace colosim

#include "colosim/traces/cluster_io.h"

#include <algorithm>

#include "colosim/errors.h"
#include "colosim/traces/proto_file.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {

ClusterSpec cluster_from_proto(const v1::Cluster& proto, const std::string& source) {
  if (proto.schema_version() != 0 && proto.schema_version() != kSchemaVersion)
    throw InputError(source, 0, "schema_version",
                     "schema version " + std::to_string(proto.schema_version()) + " is not supported (this build reads " +
                         std::to_string(kSchemaVersion) + ")");
  ClusterSpec spec;
  spec.name = proto.name().empty() ? source : proto.name();
  for (const auto& t : proto.gpu_types())
    spec.gpu_types.push_back({t.name(), t.memory_mib(), t.speed() == 0.0 ? 1.0 : t.speed()});
  // Sizes are checked before the groups are expanded node by node.
  std::int64_t node_count = proto.nodes_size(), gpu_count = 0;
  for (const auto& node : proto.nodes()) gpu_count += std::max(node.gpus(), 0);
  for (int i = 0; i < proto.node_groups_size(); ++i) {
    const auto& group = proto.node_groups(i);
    if (group.count() <= 0)
      throw InputError(source, i + 1, "node_groups.count", "node group '" + group.name_prefix() + "' needs a positive count");
    node_count += group.count();
    gpu_count += std::int64_t{group.count()} * std::max(group.gpus_per_node(), 0);
    if (node_count > kMaxClusterNodes)
      throw InputError(source, i + 1, "node_groups.count",
                       "node group '" + group.name_prefix() + "' makes " + std::to_string(node_count) +
                           " nodes, more than " + std::to_string(kMaxClusterNodes));
    if (gpu_count > kMaxClusterGpus)
      throw InputError(source, i + 1, "node_groups.gpus_per_node",
                       "node group '" + group.name_prefix() + "' makes " + std::to_string(gpu_count) +
                           " GPUs, more than " + std::to_string(kMaxClusterGpus));
  }
  if (node_count > kMaxClusterNodes)
    throw InputError(source, 0, "nodes", std::to_string(node_count) + " nodes, more than " + std::to_string(kMaxClusterNodes));
  spec.nodes.reserve(static_cast<std::size_t>(node_count));
  for (int i = 0; i < proto.node_groups_size(); ++i) {
    const auto& group = proto.node_groups(i);
    for (int n = 0; n < group.count(); ++n)
      spec.nodes.push_back({group.name_prefix() + std::to_string(n), group.gpu_type(), group.gpus_per_node(),
                            group.cpu_milli(), group.memory_mib()});
  }
  for (const auto& node : proto.nodes())
    spec.nodes.push_back({node.name(), node.gpu_type(), node.gpus(), node.cpu_milli(), node.memory_mib()});
  for (const auto& a : proto.app_speeds()) spec.app_speeds.push_back({a.app(), a.gpu_type(), a.gpus(), a.speed()});
  spec.validate(source);
  return spec;
}

v1::Cluster cluster_to_proto(const ClusterSpec& cluster) {
  v1::Cluster proto;
  proto.set_schema_version(kSchemaVersion);
  proto.set_name(cluster.name);
  for (const auto& t : cluster.gpu_types) {
    auto* type = proto.add_gpu_types();
    type->set_name(t.name);
    type->set_memory_mib(t.memory_mib);
    type->set_speed(t.speed);
  }
  for (const auto& n : cluster.nodes) {
    auto* node = proto.add_nodes();
    node->set_name(n.name);
    node->set_gpu_type(n.gpu_type);
    node->set_gpus(n.gpus);
    node->set_cpu_milli(n.cpu_milli);
    node->set_memory_mib(n.memory_mib);
  }
  for (const auto& a : cluster.app_speeds) {
    auto* speed = proto.add_app_speeds();
    speed->set_app(a.app);
    speed->set_gpu_type(a.gpu_type);
    speed->set_gpus(a.gpus);
    speed->set_speed(a.speed);
  }
  return proto;
}

ClusterSpec read_cluster(const std::string& path) {
  v1::Cluster proto;
  read_message(path, proto);
  return cluster_from_proto(proto, path);
}

void write_cluster(const ClusterSpec& cluster, const std::string& path) {
  write_message(path, cluster_to_proto(cluster));
}

}  // namespace colosim::traces

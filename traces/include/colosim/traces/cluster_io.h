#pragma once
// Cluster specs in the native schema (colosim.v1.Cluster): text format (.textproto, .txtpb,
// .pbtxt), JSON (.json) or binary (.pb).
#include <string>

#include "colosim.pb.h"
#include "colosim/cluster_spec.h"

namespace colosim::traces {

// Throws InputError naming the file, line (text format) and field.
ClusterSpec read_cluster(const std::string& path);
void write_cluster(const ClusterSpec& cluster, const std::string& path);

ClusterSpec cluster_from_proto(const v1::Cluster& proto, const std::string& source);
v1::Cluster cluster_to_proto(const ClusterSpec& cluster);

}  // namespace colosim::traces

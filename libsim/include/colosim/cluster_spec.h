#pragma once
// The static description of a cluster: GPU types and nodes. Runtime occupancy lives in
// ClusterState (cluster_state.h).
#include <cstdint>
#include <string>
#include <vector>

namespace colosim {

// Size limits, checked before anything is allocated: far beyond any real cluster, low enough that
// a typo (2e9 nodes) is an error naming the field rather than std::bad_alloc or the OOM killer.
inline constexpr std::int64_t kMaxClusterNodes = 1'000'000;
inline constexpr std::int64_t kMaxClusterGpus = 8'000'000;
inline constexpr std::int64_t kMaxGpusPerNode = 1024;

struct GpuType {
  std::string name;            // e.g. "V100", "TitanXp"
  std::int64_t memory_mib = 0; // usable GPU memory
  double speed = 1.0;          // relative compute speed; solo durations are at speed 1.0
};

// The speed of one application on one GPU type, overriding the type's speed for it: a
// per-(application, GPU type) throughput table such as Gavel's simulation_throughputs.json, as
// throughput on the type over throughput on the reference type (speed 1), where solo durations
// are measured. `gpus` > 0 limits the entry to gangs of that size (Gavel's throughputs are per
// scale factor); an entry for the gang's size wins over one for any size (0).
struct AppSpeed {
  std::string app;
  std::string gpu_type;
  int gpus = 0;
  double speed = 1.0;
};

struct NodeSpec {
  std::string name;
  std::string gpu_type;        // name of a GpuType of the cluster
  int gpus = 0;
  std::int64_t cpu_milli = 0;  // CPU, milli-cores; 0: not limited (SimConfig::node_resources)
  std::int64_t memory_mib = 0; // host memory; 0: not limited
};

struct ClusterSpec {
  std::string name;
  std::vector<GpuType> gpu_types;
  std::vector<NodeSpec> nodes;
  std::vector<AppSpeed> app_speeds;  // empty: every application runs at its GPU type's speed

  // `nodes` nodes of `gpus_per_node` GPUs of one type, named node0, node1, ... Throws InputError
  // (field "nodes" or "gpus_per_node") beyond the size limits.
  static ClusterSpec uniform(int nodes, int gpus_per_node, GpuType type);

  const GpuType* find_gpu_type(const std::string& name) const;
  int total_gpus() const;
  // Throws InputError(source, ...) when a node or an application speed names an unknown type,
  // counts or speeds are not positive or beyond the size limits, or names or entries repeat.
  void validate(const std::string& source) const;
};

}  // namespace colosim

#pragma once
// Jobs and clusters with node CPU and host memory, shared by the node-resource and CPU-only tests.
#include <cstdint>
#include <string>

#include "colosim/cluster_spec.h"
#include "colosim/job.h"
#include "colosim/time.h"

namespace colosim::testing {

// A job of application "A" at 50% utilisation, 1 GiB of GPU memory per GPU (none when CPU-only,
// gpus 0), asking `cpu_milli` CPU and `host_mib` host memory (0: not stated).
inline JobSpec job(const std::string& id, int gpus, double seconds, std::int64_t cpu_milli, std::int64_t host_mib = 0,
                   double submit = 0) {
  JobSpec j;
  j.id = id;
  j.app = "A";
  j.submit = seconds_to_ticks(submit);
  j.solo_duration = seconds_to_ticks(seconds);
  j.gpus = gpus;
  j.memory_mib = gpus > 0 ? 1024 : 0;
  j.gpu_util = 50;
  if (cpu_milli > 0) j.features[kCpuMilliFeature] = static_cast<double>(cpu_milli);
  if (host_mib > 0) j.features[kHostMemoryFeature] = static_cast<double>(host_mib);
  return j;
}

// `nodes` nodes of `gpus` GPUs, each with `cpu_milli` CPU and `host_mib` host memory.
inline ClusterSpec cluster(int nodes, int gpus, std::int64_t cpu_milli, std::int64_t host_mib = 0) {
  ClusterSpec c = ClusterSpec::uniform(nodes, gpus, {"G", 16384, 1.0});
  for (NodeSpec& n : c.nodes) {
    n.cpu_milli = cpu_milli;
    n.memory_mib = host_mib;
  }
  return c;
}

}  // namespace colosim::testing

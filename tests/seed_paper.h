#pragma once
// The workload of the seed paper: Kim & Kim, "Interference-aware GPU sharing" experiments,
// KNOM Review 2020: one node with 4x Titan Xp 12 GB; eight jobs, two of each application,
// with the paper's GPU memory (GB) and mean GPU utilisation (%).
#include <string>
#include <vector>

#include "colosim/cluster_spec.h"
#include "colosim/job.h"

namespace seed_paper {

inline constexpr std::int64_t gb(double x) { return static_cast<std::int64_t>(x * 1024 + 0.5); }

struct App {
  const char* name;
  double memory_gb;
  double util;
};
inline constexpr App kApps[] = {
    {"LAMMPS", 8.3, 23.0}, {"GROMACS", 0.6, 72.0}, {"TensorFlow", 3.5, 88.0}, {"QMCPACK", 5.3, 46.7}};

// Two of each, submitted at t=0 in the paper's order.
inline std::vector<colosim::JobSpec> jobs(colosim::Tick duration = 1000 * colosim::kTicksPerSecond) {
  std::vector<colosim::JobSpec> out;
  for (const App& app : kApps)
    for (int copy = 0; copy < 2; ++copy) {
      colosim::JobSpec j;
      j.id = std::string(app.name) + "-" + std::to_string(copy + 1);
      j.app = app.name;
      j.submit = 0;
      j.solo_duration = duration;
      j.memory_mib = gb(app.memory_gb);
      j.gpu_util = app.util;
      out.push_back(j);
    }
  return out;
}

inline colosim::ClusterSpec cluster(double memory_gb = 12.0) {
  return colosim::ClusterSpec::uniform(1, 4, {"TitanXp", gb(memory_gb), 1.0});
}

}  // namespace seed_paper

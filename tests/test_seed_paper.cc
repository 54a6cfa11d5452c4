// Placements published in the seed paper (Kim & Kim, KNOM Review 2020), reproduced exactly.
// The paper co-located whole-GPU programs (no GPU share stated), so every run stacks them
// (GpuSharing::stack).
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "colosim/policies/builtin.h"
#include "colosim/errors.h"
#include "colosim/pair_table.h"
#include "colosim/simulator.h"
#include "seed_paper.h"

using namespace colosim;

namespace {

// GPU index -> sorted application names of the jobs that started on it at t=0.
std::map<int, std::multiset<std::string>> placement_at_zero(const std::string& policy_name, double memory_gb,
                                                             MemoryMode memory = MemoryMode::enforce) {
  const PolicyRegistry registry = builtin_policies();
  auto policy = registry.make(policy_name);
  SimConfig config;
  config.memory = memory;
  config.sharing = GpuSharing::stack;
  NoInterference none;
  const RunResult result = simulate(seed_paper::cluster(memory_gb), seed_paper::jobs(), none, *policy, config);
  std::map<int, std::multiset<std::string>> gpus;
  for (const JobRecord& r : result.jobs)
    if (r.start == 0)
      for (GpuIndex g : r.gpu_list) gpus[g].insert(r.app);
  return gpus;
}

using Apps = std::multiset<std::string>;

}  // namespace

TEST_CASE("seed paper: load-balance places TF+LAMMPS, TF+LAMMPS, GROMACS+QMCPACK, GROMACS+QMCPACK") {
  auto gpus = placement_at_zero("load-balance", 12.0);
  CHECK(gpus[0] == Apps{"TensorFlow", "LAMMPS"});
  CHECK(gpus[1] == Apps{"TensorFlow", "LAMMPS"});
  CHECK(gpus[2] == Apps{"GROMACS", "QMCPACK"});
  CHECK(gpus[3] == Apps{"GROMACS", "QMCPACK"});
}

TEST_CASE("seed paper: binpack places LAMMPS+TF, LAMMPS+TF, 2xQMCPACK+2xGROMACS and leaves GPU3 empty") {
  auto gpus = placement_at_zero("binpack", 12.0);
  CHECK(gpus[0] == Apps{"LAMMPS", "TensorFlow"});
  CHECK(gpus[1] == Apps{"LAMMPS", "TensorFlow"});
  CHECK(gpus[2] == Apps{"QMCPACK", "QMCPACK", "GROMACS", "GROMACS"});
  CHECK(gpus.count(3) == 0);
}

TEST_CASE("seed paper: standalone gives each application its own GPU when memory is not enforced") {
  // 2 x 8.3 GB of LAMMPS exceeds a 12 GB Titan Xp; the paper ran it anyway, so memory is ignored.
  for (const auto& setting : {std::pair{12.0, MemoryMode::ignore}, std::pair{24.0, MemoryMode::enforce}}) {
    const double memory_gb = setting.first;  // a plain variable: CAPTURE's lambda cannot name a binding in clang
    const MemoryMode mode = setting.second;
    CAPTURE(memory_gb);
    auto gpus = placement_at_zero("standalone", memory_gb, mode);
    CHECK(gpus[0] == Apps{"LAMMPS", "LAMMPS"});
    CHECK(gpus[1] == Apps{"GROMACS", "GROMACS"});
    CHECK(gpus[2] == Apps{"TensorFlow", "TensorFlow"});
    CHECK(gpus[3] == Apps{"QMCPACK", "QMCPACK"});
  }
}

TEST_CASE("seed paper: standalone with memory enforced splits the LAMMPS pair and says why") {
  const PolicyRegistry registry = builtin_policies();
  auto policy = registry.make("standalone");
  NoInterference none;
  SimConfig stack;
  stack.sharing = GpuSharing::stack;
  const RunResult result = simulate(seed_paper::cluster(12.0), seed_paper::jobs(), none, *policy, stack);
  std::map<std::string, const JobRecord*> by_id;
  for (const auto& r : result.jobs) by_id[r.id] = &r;
  REQUIRE(by_id.size() == 8);
  CHECK(by_id["LAMMPS-1"]->gpu_list == std::vector<GpuIndex>{0});
  CHECK(by_id["LAMMPS-2"]->gpu_list == std::vector<GpuIndex>{1});
  // 12 GB = 12288 MiB, 8.3 GB = 8499 MiB: 3789 MiB left on GPU 0.
  CHECK(by_id["LAMMPS-2"]->note == "not placed with its application on GPU 0: needs 8499 MiB, 3789 MiB free of 12288");
  CHECK(by_id["GROMACS-1"]->gpu_list == std::vector<GpuIndex>{2});
  CHECK(by_id["GROMACS-2"]->gpu_list == std::vector<GpuIndex>{2});
  CHECK(by_id["TensorFlow-1"]->gpu_list == std::vector<GpuIndex>{3});
  CHECK(by_id["TensorFlow-2"]->gpu_list == std::vector<GpuIndex>{3});
  // No idle GPU is left for QMCPACK: both wait for the first GPU to free (t = 1000 s, no interference).
  CHECK(by_id["QMCPACK-1"]->start == 1000 * kTicksPerSecond);
  CHECK(by_id["QMCPACK-2"]->start == 1000 * kTicksPerSecond);
  CHECK(result.summary.finished == 8);
}

TEST_CASE("seed paper Figure 1: 2 nodes x 1 GPU, 8 jobs of duration t; exclusive takes exactly 4t") {
  const Tick t = 600 * kTicksPerSecond;
  auto cluster = ClusterSpec::uniform(2, 1, {"TitanXp", seed_paper::gb(12), 1.0});
  // Four abstract applications, two jobs each, small enough to share.
  std::vector<JobSpec> jobs;
  for (const char* app : {"A", "B", "C", "D"})
    for (int i = 0; i < 2; ++i) {
      JobSpec j;
      j.id = std::string(app) + std::to_string(i);
      j.app = app;
      j.solo_duration = t;
      j.memory_mib = 1024;
      j.gpu_util = 50;
      jobs.push_back(j);
    }
  PairTable table;
  // Same-application pairs only; standalone never mixes applications.
  table.set("A", "A", 1.5);
  table.set("B", "B", 1.6);
  table.set("C", "C", 1.4);
  table.set("D", "D", 1.2);
  const PolicyRegistry registry = builtin_policies();
  SimConfig stack;  // the figure shares whole GPUs
  stack.sharing = GpuSharing::stack;

  auto exclusive = registry.make("exclusive");
  CHECK(simulate(cluster, jobs, table, *exclusive).summary.makespan_s == doctest::Approx(4 * 600.0));
  CHECK(simulate(cluster, jobs, table, *exclusive).summary.makespan_s == 2400.0);

  // Standalone, by hand: GPU0 runs A,A (both end at 1.5t), GPU1 runs B,B (end 1.6t); C and D
  // wait for an idle GPU. C,C start at 1.5t on GPU0 and end at 1.5t + 1.4t = 2.9t; D,D start at
  // 1.6t on GPU1 and end at 1.6t + 1.2t = 2.8t. Makespan 2.9t = 1740 s < 4t.
  auto standalone = registry.make("standalone");
  const RunResult shared = simulate(cluster, jobs, table, *standalone, stack);
  CHECK(shared.summary.makespan_s == 1740.0);
  std::map<std::string, Tick> end;
  for (const auto& r : shared.jobs) end[r.id] = r.end;
  CHECK(end["A0"] == 900 * kTicksPerSecond);
  CHECK(end["B1"] == 960 * kTicksPerSecond);
  CHECK(end["C0"] == 1740 * kTicksPerSecond);
  CHECK(end["D1"] == 1680 * kTicksPerSecond);
}

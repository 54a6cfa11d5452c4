#pragma once
// The seed paper's four applications as a built-in workload, for `colosim compare --demo` and
// for generator specs with `workload=seed-paper`.
//
// Kim & Kim, KNOM Review 2020, measured each application alone on a Titan Xp: GPU memory (GB)
// and mean GPU utilisation (%). The paper publishes no pair slowdowns, so the interference
// model built here is *derived*, not measured: the utilisation-sum rule of
// examples/seed_paper/README.md, slowdown(v | a) = max(1, (util_v + util_a) / 100).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "colosim/job_source.h"
#include "colosim/pair_table.h"

namespace colosim::traces {

struct AppProfile {
  std::string name;
  std::int64_t memory_mib = 0;  // GB x 1024, rounded
  double gpu_util = 0;          // percent
};

// LAMMPS 8.3 GB 23%, GROMACS 0.6 GB 72%, TensorFlow 3.5 GB 88%, QMCPACK 5.3 GB 46.7%.
std::vector<AppProfile> seed_paper_apps();

// Every ordered pair of the four applications under the utilisation-sum rule.
std::shared_ptr<const PairTable> seed_paper_interference(PairTableOptions options = {});

// Gives each job its application's memory and utilisation and no GPU-share limit (sharing is
// bounded by memory only). Throws Error for a job whose application is not in `apps`.
class AppProfileSource final : public JobSource {
 public:
  AppProfileSource(std::unique_ptr<JobSource> inner, const std::vector<AppProfile>& apps);
  std::optional<JobSpec> next() override;
  std::string name() const override { return inner_->name(); }

 private:
  std::unique_ptr<JobSource> inner_;
  std::map<std::string, AppProfile, std::less<>> apps_;
};

}  // namespace colosim::traces

#include "colosim/traces/seed_paper.h"

#include <algorithm>

#include "colosim/errors.h"

namespace colosim::traces {
namespace {

std::int64_t mib(double gb) { return static_cast<std::int64_t>(gb * 1024 + 0.5); }

}  // namespace

std::vector<AppProfile> seed_paper_apps() {
  // Kim & Kim, KNOM Review 2020 (the values of tests/seed_paper.h and examples/seed_paper).
  return {{"LAMMPS", mib(8.3), 23.0}, {"GROMACS", mib(0.6), 72.0}, {"TensorFlow", mib(3.5), 88.0},
          {"QMCPACK", mib(5.3), 46.7}};
}

std::shared_ptr<const PairTable> seed_paper_interference(PairTableOptions options) {
  auto table = std::make_shared<PairTable>(options, "seed paper, derived utilisation-sum rule");
  for (const AppProfile& v : seed_paper_apps())
    for (const AppProfile& a : seed_paper_apps())
      table->set(v.name, a.name, std::max(1.0, (v.gpu_util + a.gpu_util) / 100.0));
  return table;
}

AppProfileSource::AppProfileSource(std::unique_ptr<JobSource> inner, const std::vector<AppProfile>& apps)
    : inner_(std::move(inner)) {
  for (const AppProfile& a : apps) apps_.emplace(a.name, a);
}

std::optional<JobSpec> AppProfileSource::next() {
  auto job = inner_->next();
  if (!job) return job;
  auto it = apps_.find(job->app);
  if (it == apps_.end()) throw Error(name() + ": job '" + job->id + "' has application '" + job->app + "', which has no profile");
  job->memory_mib = it->second.memory_mib;
  job->gpu_util = it->second.gpu_util;
  job->gpu_milli = 0;
  return job;
}

}  // namespace colosim::traces

#include <algorithm>
#include <cstdlib>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/job_checks.h"

namespace colosim::traces {

ImportedTrace ImporterRegistry::run(std::string_view name, ImportRequest request) const {
  const auto [info, params] = resolve(Spec{std::string(name), request.options});
  request.options = params.values();  // defaults filled in
  ImportedTrace trace = info->make(params, request);
  std::stable_sort(trace.jobs.begin(), trace.jobs.end(),
                   [](const JobSpec& a, const JobSpec& b) { return a.submit < b.submit; });
  // Ids must be unique whatever the source allowed (Tiresias' tf_job.csv repeats one), and every job
  // must pass the readers' rules, so that an importer never writes a trace they reject.
  JobStreamChecker checker;
  std::int64_t record = 0;
  const std::string where = request.input.string() + " (imported, sorted)";
  for (const auto& job : trace.jobs) {
    validate_job(job, where, ++record);
    checker.check(job, where, record);
  }
  if (trace.jobs.empty()) {
    std::string notes;
    for (const auto& n : trace.notes) notes += "; " + n;
    throw InputError(request.input.string(), 0, "", "importer '" + info->name + "' found no jobs to import" + notes);
  }
  // The cluster of the header too: the readers will check it (sizes, names, UTF-8).
  if (trace.header.has_cluster())
    cluster_from_proto(trace.header.cluster(), request.extra.empty() ? request.input.string() : request.extra[0].string());
  trace.header.set_job_count(static_cast<std::int64_t>(trace.jobs.size()));
  return trace;
}

double option_number(const ImportRequest& request, const std::string& importer, const std::string& key) {
  return Params("importer '" + importer + "'", request.options).number(key);
}

bool option_flag(const ImportRequest& request, const std::string& importer, const std::string& key) {
  return Params("importer '" + importer + "'", request.options).flag(key);
}

ImporterRegistry builtin_importers() {
  ImporterRegistry registry;
  add_alibaba_gpu_v2023_openb_importer(registry);
  add_gavel_importer(registry);
  add_tiresias_importer(registry);
  add_kubernetes_importer(registry);
  add_slurm_sacct_importer(registry);
  return registry;
}

}  // namespace colosim::traces

#include <algorithm>
#include <cstdlib>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/job_checks.h"

namespace colosim::traces {

void ImporterRegistry::add(ImporterInfo info) {
  if (info.name.empty()) throw Error("importer with an empty name");
  const std::string name = info.name;
  if (!entries_.emplace(name, std::move(info)).second) throw Error("importer '" + name + "' registered twice");
}

const ImporterInfo* ImporterRegistry::find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<const ImporterInfo*> ImporterRegistry::list() const {
  std::vector<const ImporterInfo*> out;
  for (const auto& [name, info] : entries_) out.push_back(&info);
  return out;
}

ImportedTrace ImporterRegistry::run(std::string_view name, ImportRequest request) const {
  const ImporterInfo* info = find(name);
  if (!info) {
    std::string known;
    for (const auto& [n, i] : entries_) known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown importer '" + std::string(name) + "' (known: " + known + ")");
  }
  for (const auto& option : request.options) {
    const std::string& key = option.first;
    const bool known = std::any_of(info->options.begin(), info->options.end(),
                                   [&](const ImportOption& o) { return o.name == key; });
    if (!known) {
      std::string names;
      for (const auto& o : info->options) names += (names.empty() ? "" : ", ") + o.name;
      throw Error("importer '" + info->name + "' has no option '" + key + "' (options: " +
                  (names.empty() ? "none" : names) + ")");
    }
  }
  for (const auto& o : info->options) request.options.try_emplace(o.name, o.default_value);
  ImportedTrace trace = info->run(request);
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
  const std::string& text = request.options.at(key);
  if (auto x = parse_number(text)) return *x;
  throw Error("importer '" + importer + "': option " + key + "='" + text + "' is not a finite number");
}

bool option_flag(const ImportRequest& request, const std::string& importer, const std::string& key) {
  const std::string& text = request.options.at(key);
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  throw Error("importer '" + importer + "': option " + key + "='" + text + "' is not true/false");
}

ImporterRegistry builtin_importers() {
  ImporterRegistry registry;
  add_alibaba_openb_importer(registry);
  add_gavel_importer(registry);
  add_tiresias_importer(registry);
  return registry;
}

}  // namespace colosim::traces

#include "colosim/traces/queue_tree_io.h"
#include "colosim/experiments/experiment.h"

#include <filesystem>
#include <set>

#include "colosim/errors.h"

namespace colosim::experiments {

std::unique_ptr<JobSource> Experiment::open_jobs(const RunPoint& point) const {
  return jobs.open(seeds[point.seed], clusters[point.cluster].spec.total_gpus(), loads[point.load]);
}

SimConfig Experiment::config(const RunPoint& point) const {
  SimConfig c = options.sim;
  c.seed = seeds[point.seed];
  if (options.fragmentation_from_trace) c.target_workload = typical_shapes_of(*open_jobs(point));
  return c;
}

Experiment resolve(const CompareSpec& spec, const PolicyRegistry& registry) {
  Experiment e;
  e.spec = spec;
  e.jobs = traces::JobInput::resolve(spec.trace, {spec.trace_format, spec.vary, spec.allow_empty});

  // No cluster named: the one in the trace file's header.
  const std::vector<std::string> clusters = spec.clusters.empty() ? std::vector<std::string>{""} : spec.clusters;
  for (const std::string& source : clusters) {
    for (const auto& c : e.clusters)
      if (c.source == source) throw Error("cluster '" + source + "' is listed twice");
    ClusterSpec cluster = traces::resolve_cluster(source, e.jobs);
    const std::string path = source.empty() ? spec.trace : source;
    std::string label = cluster.name.empty() ? std::filesystem::path(path).stem().string() : cluster.name;
    e.clusters.push_back({label, source, std::move(cluster)});
  }
  std::set<std::string> labels;
  for (const auto& c : e.clusters) labels.insert(c.label);
  if (labels.size() != e.clusters.size())
    for (auto& c : e.clusters) c.label = c.source;  // names repeat: tell them apart by file

  std::vector<std::string> policies = spec.policies;
  if (policies.empty())
    for (const PolicyInfo* info : registry.list()) policies.push_back(info->name);
  for (const std::string& text : policies) {
    PolicySpec p = PolicySpec::parse(text);
    registry.make(p);  // unknown names, keys and bad values fail here, before any run
    const std::string label = p.to_string();
    for (const auto& q : e.policies)
      if (q.label == label) throw Error("policy '" + label + "' is listed twice");
    e.policies.push_back({label, std::move(p)});
  }

  e.seeds = parse_seeds(spec.seeds);
  check_loads(spec.loads);
  e.loads = spec.loads;

  e.interference = spec.interference;
  e.model = traces::resolve_interference(spec.interference, spec.options.pairs);
  e.options = spec.options;
  traces::load_queue_tree_option(e.options);

  auto list = [&] {
    std::string s;
    for (const auto& p : e.policies) s += (s.empty() ? "" : ", ") + p.label;
    return s;
  };
  if (!spec.baseline.empty()) {
    const std::string wanted = PolicySpec::parse(spec.baseline).to_string();
    std::vector<std::size_t> by_name;
    for (std::size_t i = 0; i < e.policies.size(); ++i) {
      if (e.policies[i].label == wanted) e.baseline = i;
      if (e.policies[i].spec.name == wanted) by_name.push_back(i);
    }
    if (!e.baseline && by_name.size() == 1) e.baseline = by_name.front();
    if (!e.baseline)
      throw Error("baseline '" + spec.baseline + "' is not one of the compared policies (" + list() + ")");
  } else {
    for (std::size_t i = 0; i < e.policies.size(); ++i)
      if (e.policies[i].label == "exclusive") e.baseline = i;
    if (!e.baseline) e.note = "no paired comparison: exclusive is not among the policies and no --baseline was given";
  }
  if (e.baseline && e.policies.size() == 1) {
    e.note = "no paired comparison: the baseline is the only policy";
  }
  return e;
}

}  // namespace colosim::experiments

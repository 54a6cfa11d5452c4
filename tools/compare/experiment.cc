#include "compare/experiment.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>

#include "colosim/errors.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/interference_io.h"
#include "colosim/traces/trace_reader.h"
#include "compare/seed_paper.h"

namespace colosim::compare {
namespace {

double number(const std::string& what, const std::string& key, const std::string& value) {
  double x = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), x);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || !std::isfinite(x))
    throw Error(what + ": '" + key + "' must be a number, got '" + value + "'");
  return x;
}

std::int64_t integer(const std::string& what, const std::string& key, const std::string& value) {
  std::int64_t x = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), x);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size())
    throw Error(what + ": '" + key + "' must be a whole number, got '" + value + "'");
  return x;
}

std::string strip_prefix(const std::string& text, const std::string& prefix) {
  if (text == prefix) return "";
  return text.substr(prefix.size() + 1);  // "prefix:"
}

traces::GeneratorConfig generator_base(const GeneratorSpec& g) {
  traces::GeneratorConfig c;
  c.jobs = g.jobs;
  c.gpu_memory_mib = g.gpu_memory_mib;
  if (g.durations != "builtin") c.durations = traces::load_philly_runtime(g.durations);
  if (g.shapes != "builtin") c.shapes = traces::load_openb_shapes(g.shapes);
  if (g.arrivals != "poisson") c.profile = traces::load_helios_arrivals(g.arrivals);
  if (g.workload == "seed-paper") {
    c.apps.clear();
    for (const AppProfile& a : seed_paper_apps()) c.apps.push_back(a.name);
    // Whole-GPU requests, so that load 1.0 means every GPU busy if each job had one to itself;
    // AppProfileSource then lifts the share limit and sets the paper's memory.
    if (g.shapes == "builtin") c.shapes = {{1, 1000, 1}};
  }
  return c;
}

}  // namespace

bool GeneratorSpec::is_spec(const std::string& trace) { return trace == "gen" || trace.rfind("gen:", 0) == 0; }

GeneratorSpec GeneratorSpec::parse(const std::string& text) {
  const std::string what = "generator spec '" + text + "'";
  if (!is_spec(text)) throw Error(what + ": must start with 'gen:'");
  GeneratorSpec g;
  for (const auto& [key, value] : parse_key_values(strip_prefix(text, "gen"), what)) {
    if (key == "jobs") g.jobs = integer(what, key, value);
    else if (key == "rate") g.rate = number(what, key, value);
    else if (key == "load") g.load = number(what, key, value);
    else if (key == "seed") {
      const auto s = integer(what, key, value);
      if (s < 0) throw Error(what + ": 'seed' must be >= 0");
      g.seed = static_cast<std::uint64_t>(s);
    } else if (key == "workload") g.workload = value;
    else if (key == "durations") g.durations = value;
    else if (key == "shapes") g.shapes = value;
    else if (key == "arrivals") g.arrivals = value;
    else if (key == "gpu_memory_mib") g.gpu_memory_mib = integer(what, key, value);
    else
      throw Error(what + ": unknown key '" + key +
                  "' (keys: jobs, load, rate, seed, workload, durations, shapes, arrivals, gpu_memory_mib)");
  }
  if (g.jobs < 1) throw Error(what + ": 'jobs' must be >= 1");
  if (g.rate && g.load) throw Error(what + ": give 'rate' or 'load', not both");
  if (g.rate && !(*g.rate > 0)) throw Error(what + ": 'rate' must be positive (arrivals per second)");
  if (g.load && !(*g.load > 0)) throw Error(what + ": 'load' must be positive (1.0 = every GPU busy on average)");
  if (g.workload != "gavel" && g.workload != "seed-paper")
    throw Error(what + ": unknown workload '" + g.workload + "' (workloads: gavel, seed-paper)");
  if (g.workload == "seed-paper" && g.shapes != "builtin")
    throw Error(what + ": the seed-paper workload has its own shapes (one GPU per job)");
  if (g.gpu_memory_mib < 0) throw Error(what + ": 'gpu_memory_mib' must be >= 0");
  return g;
}

bool is_uniform_cluster_spec(const std::string& text) { return text == "uniform" || text.rfind("uniform:", 0) == 0; }

ClusterSpec parse_uniform_cluster(const std::string& text) {
  const std::string what = "cluster spec '" + text + "'";
  std::int64_t nodes = 1, gpus = 8;
  GpuType type{"GPU", 16384, 1.0};
  for (const auto& [key, value] : parse_key_values(strip_prefix(text, "uniform"), what)) {
    if (key == "nodes") nodes = integer(what, key, value);
    else if (key == "gpus_per_node") gpus = integer(what, key, value);
    else if (key == "memory_mib") type.memory_mib = integer(what, key, value);
    else if (key == "gpu_type") type.name = value;
    else if (key == "speed") type.speed = number(what, key, value);
    else throw Error(what + ": unknown key '" + key + "' (keys: nodes, gpus_per_node, memory_mib, gpu_type, speed)");
  }
  if (nodes < 1 || nodes > 1'000'000) throw Error(what + ": 'nodes' must be 1..1000000");
  if (gpus < 1 || gpus > 1024) throw Error(what + ": 'gpus_per_node' must be 1..1024");
  if (nodes * gpus > kMaxClusterGpus) throw Error(what + ": nodes x gpus_per_node is more than " + std::to_string(kMaxClusterGpus) + " GPUs");
  if (type.memory_mib < 1) throw Error(what + ": 'memory_mib' must be >= 1");
  if (!(type.speed > 0)) throw Error(what + ": 'speed' must be positive");
  ClusterSpec c = ClusterSpec::uniform(static_cast<int>(nodes), static_cast<int>(gpus), type);
  c.name = std::to_string(nodes) + "x" + std::to_string(gpus) + " " + type.name + " " + std::to_string(type.memory_mib) + "MiB";
  c.validate(text);
  return c;
}

std::optional<JobSpec> LoadScaledSource::next() {
  auto job = inner_->next();
  if (job) job->submit = static_cast<Tick>(std::llround(static_cast<double>(job->submit) / factor_));
  return job;
}

std::unique_ptr<JobSource> Experiment::open_jobs(const RunPoint& point) const {
  std::unique_ptr<JobSource> jobs;
  if (generator) {
    traces::GeneratorConfig config = *generator_base;
    config.seed = generator->seed.value_or(seeds[point.seed]);
    if (generator->load)
      config.arrival_rate = traces::arrival_rate_for_load(config, clusters[point.cluster].spec.total_gpus(), *generator->load);
    else if (generator->rate)
      config.arrival_rate = *generator->rate;
    jobs = std::make_unique<traces::GeneratedJobSource>(std::move(config));
    if (generator->workload == "seed-paper") jobs = std::make_unique<AppProfileSource>(std::move(jobs), seed_paper_apps());
  } else {
    jobs = traces::open_trace(trace);
  }
  if (loads[point.load] != 1.0) jobs = std::make_unique<LoadScaledSource>(std::move(jobs), loads[point.load]);
  return jobs;
}

Experiment resolve(const CompareSpec& spec, const PolicyRegistry& registry) {
  Experiment e;
  e.spec = spec;
  e.trace = spec.trace;

  if (spec.trace.empty()) throw Error("no trace: give --trace FILE or a generator spec such as --trace gen:jobs=500,load=0.9");
  if (GeneratorSpec::is_spec(spec.trace)) {
    e.generator = GeneratorSpec::parse(spec.trace);
    e.generator_base = generator_base(*e.generator);
    traces::validate(*e.generator_base);
  } else {
    if (!std::filesystem::exists(spec.trace)) throw Error("trace '" + spec.trace + "' does not exist");
    traces::open_trace(spec.trace);  // the header and format, now rather than in every run
  }

  if (spec.clusters.empty()) throw Error("no cluster: give --cluster FILE (or uniform:nodes=4,gpus_per_node=4,memory_mib=16384)");
  for (const std::string& source : spec.clusters) {
    for (const auto& c : e.clusters)
      if (c.source == source) throw Error("cluster '" + source + "' is listed twice");
    ClusterSpec cluster = is_uniform_cluster_spec(source) ? parse_uniform_cluster(source) : traces::read_cluster(source);
    std::string label = cluster.name.empty() ? std::filesystem::path(source).stem().string() : cluster.name;
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

  PairTableOptions pair_options;
  pair_options.composition = parse_composition(spec.composition);
  pair_options.unknown_pair_slowdown = spec.unknown_pair_slowdown;
  e.interference = spec.interference;
  if (spec.interference == "seed-paper") e.model = seed_paper_interference(pair_options);
  else e.model = traces::load_interference(spec.interference, pair_options);

  e.config.discipline = parse_discipline(spec.discipline);
  e.config.memory = parse_memory_mode(spec.memory);
  if (spec.max_oom_retries < 0) throw Error("--max-oom-retries must be >= 0");
  e.config.max_oom_retries = spec.max_oom_retries;
  if (!(spec.oom_delay_s >= 0) || !std::isfinite(spec.oom_delay_s)) throw Error("--oom-delay must be >= 0 seconds");
  e.config.oom_delay = seconds_to_ticks(spec.oom_delay_s);
  if (spec.backfill_depth < 0) throw Error("--backfill-depth must be >= 0");
  e.config.backfill_depth = spec.backfill_depth;

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

}  // namespace colosim::compare

#include "colosim/traces/inputs.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/registry.h"
#include "colosim/rng.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/calibrated_model.h"
#include "colosim/traces/calibrated_model_io.h"
#include "colosim/traces/interference_io.h"
#include "colosim/traces/seed_paper.h"
#include "colosim/traces/trace_reader.h"

namespace colosim::traces {
namespace {

double number(const std::string& what, const std::string& key, const std::string& value) {
  if (const auto x = parse_number(value)) return *x;
  throw Error(what + ": '" + key + "' must be a number, got '" + value + "'");
}

std::int64_t integer(const std::string& what, const std::string& key, const std::string& value) {
  if (const auto x = parse_integer(value)) return *x;
  throw Error(what + ": '" + key + "' must be a whole number, got '" + value + "'");
}

// The key=value list of "prefix:..." (the spec syntax of policies, PolicySpec).
std::map<std::string, std::string> spec_params(const std::string& text, const std::string& prefix, const std::string& what,
                                               std::string_view kind) {
  const PolicySpec spec = PolicySpec::parse(text, kind);
  if (spec.name != prefix) throw Error(what + ": must start with '" + prefix + ":'");
  return spec.params;
}

GeneratorConfig generator_base(const GeneratorSpec& g) {
  GeneratorConfig c;
  c.jobs = g.jobs;
  c.gpu_memory_mib = g.gpu_memory_mib;
  if (g.durations != "builtin") c.durations = load_philly_runtime(g.durations);
  if (g.shapes != "builtin") c.shapes = load_openb_shapes(g.shapes);
  if (g.arrivals != "poisson") c.profile = load_helios_arrivals(g.arrivals);
  if (g.workload == "seed-paper") {
    c.apps.clear();
    for (const AppProfile& a : seed_paper_apps()) c.apps.push_back(a.name);
    // Whole-GPU requests, so that load 1.0 means every GPU busy if each job had one to itself;
    // AppProfileSource then sets the paper's memory and utilisation.
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
  for (const auto& [key, value] : spec_params(text, "gen", what, "generator spec")) {
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
  for (const auto& [key, value] : spec_params(text, "uniform", what, "cluster spec")) {
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

ClusterSpec resolve_cluster(const std::string& source, const std::string& trace) {
  if (is_uniform_cluster_spec(source)) return parse_uniform_cluster(source);
  if (!source.empty()) return read_cluster(source);
  if (trace.empty() || GeneratorSpec::is_spec(trace))
    throw Error("no cluster: give a cluster file or a spec such as uniform:nodes=4,gpus_per_node=4,memory_mib=16384");
  return resolve_cluster(source, JobInput::resolve(trace));
}

ClusterSpec resolve_cluster(const std::string& source, const JobInput& trace) {
  if (!source.empty() || trace.generated()) return resolve_cluster(source, trace.generated() ? trace.source() : "");
  auto cluster = trace.header_cluster();
  if (!cluster)
    throw Error("no cluster: the trace '" + trace.source() +
                "' has none in its header (convert an importer's output with --with, or give a cluster)");
  return *std::move(cluster);
}

InterferenceRegistry builtin_interference_models() {
  InterferenceRegistry r("interference model");
  r.add({"none", "no interference: every slowdown is 1", {},
         [](const Params&, const std::string&, const PairTableOptions&) { return std::make_shared<NoInterference>(); }});
  r.add({"seed-paper", "the seed paper's four applications (Kim & Kim 2020), derived utilisation-sum rule", {},
         [](const Params&, const std::string&, const PairTableOptions& pairs) { return seed_paper_interference(pairs); }});
  r.add({"pair-table", "measured pair slowdowns, a .csv with victim,aggressor,slowdown[,feasible]", {},
         [](const Params&, const std::string& file, const PairTableOptions& pairs) {
           return std::make_shared<PairTable>(read_pair_table_csv(file, pairs));
         }});
  r.add({"calibrated", "a calibrated model, a .pb written by colosim calibrate", {},
         [](const Params&, const std::string& file, const PairTableOptions&) {
           return std::make_shared<CalibratedModel>(load_calibrated_model(file));
         }});
  return r;
}

std::shared_ptr<const InterferenceModel> resolve_interference(const std::string& source, PairTableOptions pairs) {
  const InterferenceRegistry models = builtin_interference_models();
  if (source == "none" || source == "seed-paper") return models.make(Spec{source, {}}, "", pairs);
  const std::string ext = std::filesystem::path(source).extension().string();
  if (ext == ".csv") return models.make(Spec{"pair-table", {}}, source, pairs);
  if (ext == ".pb") return models.make(Spec{"calibrated", {}}, source, pairs);
  throw InputError(source, 0, "", "unknown interference model: expected none, seed-paper, a .csv pair table or a .pb "
                                  "calibrated model");
}

JobInput JobInput::resolve(const std::string& source, const TraceInputOptions& options) {
  JobInput in;
  in.source_ = source;
  in.variation_ = VariationSpec::parse(options.vary);
  in.variation_text_ = in.variation_.varies() ? options.vary : "none";
  if (source.empty()) throw Error("no trace: give a trace file or a generator spec such as gen:jobs=500,load=0.9");
  if (GeneratorSpec::is_spec(source)) {
    if (!options.format.empty()) throw Error("a trace format is for trace files, not for the generator spec '" + source + "'");
    in.generator_ = GeneratorSpec::parse(source);
    in.generator_base_ = generator_base(*in.generator_);
    validate(*in.generator_base_);
  } else {
    in.file_ = TraceFile::resolve(source, options.format);
    in.read_.allow_empty = options.allow_empty;
    in.file_->open(in.read_);  // the file, its header and format, now rather than in every run
  }
  return in;
}

std::optional<ClusterSpec> JobInput::header_cluster() const {
  if (!file_) return std::nullopt;
  const auto reader = file_->open(read_);
  if (!reader->header().has_cluster()) return std::nullopt;
  return cluster_from_proto(reader->header().cluster(), file_->name() + " (header cluster)");
}

std::unique_ptr<JobSource> JobInput::open(std::uint64_t seed, int cluster_gpus, double load_factor) const {
  if (!(load_factor > 0) || !std::isfinite(load_factor)) throw Error("load factor must be positive");
  std::unique_ptr<JobSource> jobs;
  if (generator_) {
    GeneratorConfig config = *generator_base_;
    config.seed = generator_->seed.value_or(seed);
    if (generator_->load) config.arrival_rate = arrival_rate_for_load(config, cluster_gpus, *generator_->load);
    else if (generator_->rate) config.arrival_rate = *generator_->rate;
    jobs = std::make_unique<GeneratedJobSource>(std::move(config));
    if (generator_->workload == "seed-paper") jobs = std::make_unique<AppProfileSource>(std::move(jobs), seed_paper_apps());
  } else {
    jobs = file_->open(read_);
  }
  if (variation_.varies()) jobs = vary_jobs(std::move(jobs), variation_, seed);
  if (load_factor != 1.0) jobs = std::make_unique<LoadScaledSource>(std::move(jobs), load_factor);
  return jobs;
}

std::optional<JobSpec> LoadScaledSource::next() {
  auto job = inner_->next();
  if (job) job->submit = static_cast<Tick>(std::llround(static_cast<double>(job->submit) / factor_));
  return job;
}

VariationSpec VariationSpec::parse(const std::string& text) {
  VariationSpec v;
  if (text.empty() || text == "none") return v;
  const std::string what = "variation '" + text + "'";
  const PolicySpec spec = PolicySpec::parse(text, "variation");
  if (spec.name == "jitter") {
    v.kind = Kind::jitter;
    if (!spec.params.contains("seconds")) throw Error(what + ": give seconds=S (submit times move by up to S seconds)");
  } else if (spec.name == "bootstrap") {
    v.kind = Kind::bootstrap;
  } else {
    throw Error(what + ": unknown variation '" + spec.name + "' (variations: none, jitter:seconds=S, bootstrap[:fraction=F])");
  }
  for (const auto& [key, value] : spec.params) {
    if (v.kind == Kind::jitter && key == "seconds") v.seconds = number(what, key, value);
    else if (v.kind == Kind::bootstrap && key == "fraction") v.fraction = number(what, key, value);
    else throw Error(what + ": unknown key '" + key + "' (keys: " + (v.kind == Kind::jitter ? "seconds" : "fraction") + ")");
  }
  if (v.kind == Kind::jitter && !(v.seconds > 0)) throw Error(what + ": 'seconds' must be positive");
  if (v.kind == Kind::bootstrap && !(v.fraction > 0 && v.fraction <= 100))
    throw Error(what + ": 'fraction' must be in (0, 100]");
  return v;
}

namespace {

// The whole trace, varied once on the first call, then handed out in order.
class VariedSource final : public JobSource {
 public:
  VariedSource(std::unique_ptr<JobSource> inner, VariationSpec spec, std::uint64_t seed)
      : inner_(std::move(inner)), spec_(spec), seed_(seed) {}
  std::optional<JobSpec> next() override {
    if (!loaded_) load();
    if (pos_ == jobs_.size()) return std::nullopt;
    return std::move(jobs_[pos_++]);
  }
  std::string name() const override { return inner_->name(); }

 private:
  void load() {
    loaded_ = true;
    std::vector<JobSpec> all;
    while (auto job = inner_->next()) all.push_back(std::move(*job));
    // A stream of its own, so that the variation does not shift with the policy's draws.
    Rng rng(seed_ ^ 0x7661727900000000ULL);
    if (spec_.kind == VariationSpec::Kind::jitter) {
      const double range = spec_.seconds * static_cast<double>(kTicksPerSecond);
      for (JobSpec& job : all)
        job.submit = std::max<Tick>(0, job.submit + static_cast<Tick>(std::llround((2 * rng.uniform01() - 1) * range)));
      // The simulator takes jobs in submit order; ties keep the trace's order.
      std::stable_sort(all.begin(), all.end(), [](const JobSpec& a, const JobSpec& b) { return a.submit < b.submit; });
      jobs_ = std::move(all);
    } else if (!all.empty()) {
      const auto draws = static_cast<std::size_t>(std::max(1.0, std::round(spec_.fraction * static_cast<double>(all.size()))));
      std::vector<std::size_t> picks(draws);
      for (auto& p : picks) p = rng.below(all.size());
      std::sort(picks.begin(), picks.end());  // the trace is in submit order, so this keeps it
      std::vector<int> copies(all.size(), 0);
      jobs_.reserve(draws);
      for (std::size_t p : picks) {
        JobSpec job = all[p];
        if (++copies[p] > 1) job.id += "#" + std::to_string(copies[p]);
        jobs_.push_back(std::move(job));
      }
    }
  }

  std::unique_ptr<JobSource> inner_;
  VariationSpec spec_;
  std::uint64_t seed_;
  bool loaded_ = false;
  std::vector<JobSpec> jobs_;
  std::size_t pos_ = 0;
};

// Errors of the spooled file name standard input, not the temporary file.
InputError on_stdin(const InputError& e) { return InputError(kStdinName, e.line(), e.field(), e.problem()); }

class StdinTraceReader final : public TraceReader {
 public:
  StdinTraceReader(std::unique_ptr<TraceReader> inner, const std::string& spool_path)
      : inner_(std::move(inner)), header_(inner_->header()) {
    if (header_.source() == spool_path) header_.set_source(kStdinName);  // CSV: the reader names the file
  }
  std::optional<JobSpec> next() override {
    try {
      return inner_->next();
    } catch (const InputError& e) {
      throw on_stdin(e);
    }
  }
  std::string name() const override { return kStdinName; }
  const v1::TraceHeader& header() const override { return header_; }
  std::int64_t jobs_read() const override { return inner_->jobs_read(); }

 private:
  std::unique_ptr<TraceReader> inner_;
  v1::TraceHeader header_;
};

}  // namespace

std::unique_ptr<JobSource> vary_jobs(std::unique_ptr<JobSource> inner, const VariationSpec& spec, std::uint64_t seed) {
  if (!spec.varies()) return inner;
  return std::make_unique<VariedSource>(std::move(inner), spec, seed);
}

struct TraceFile::Spool {
  std::filesystem::path dir, file;
  ~Spool() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

TraceFile TraceFile::resolve(const std::string& path, const std::string& format) {
  TraceFile t;
  const TraceFormatRegistry formats = builtin_trace_formats();
  if (path != "-") {
    t.path_ = t.name_ = path;
    t.format_ = formats.spec_for(path, format).to_string();
    return t;
  }
  t.name_ = kStdinName;
  t.format_ = formats.spec_for(path, format.empty() ? "csv" : format).to_string();
  std::string pattern = (std::filesystem::temp_directory_path() / "colosim-stdin-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw Error("standard input: cannot create a temporary directory in " +
                                              std::filesystem::temp_directory_path().string());
  auto spool = std::make_shared<Spool>();
  spool->dir = pattern;
  spool->file = spool->dir / "stdin";  // the format is named: the extension does not matter
  std::ofstream out(spool->file, std::ios::binary);
  std::vector<char> buffer(1 << 16);
  while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), stdin)) out.write(buffer.data(), static_cast<std::streamsize>(n));
  out.flush();
  if (!out || std::ferror(stdin)) throw Error("standard input: cannot copy it to " + spool->file.string());
  t.path_ = spool->file.string();
  t.spool_ = std::move(spool);
  return t;
}

std::unique_ptr<TraceReader> TraceFile::open(TraceReadOptions options) const {
  if (!spool_) return open_trace_reader(path_, format_, options);
  try {
    return std::make_unique<StdinTraceReader>(open_trace_reader(path_, format_, options), path_);
  } catch (const InputError& e) {
    throw on_stdin(e);
  }
}

}  // namespace colosim::traces

#pragma once
// The inputs of a run as users name them, resolved in this one place for `colosim run`,
// `colosim compare`, sweep files and Python:
//   cluster       a cluster file (.textproto, .json, .pb); "uniform:nodes=4,gpus_per_node=8,..."
//                 (identical nodes); or empty: the cluster stored in the trace file's header
//   trace         a trace file in any format (trace_reader.h); "-": standard input (CSV unless
//                 a format is named); or a generator spec "gen:jobs=500,load=0.9,..." (a seeded
//                 synthetic trace, generator.h)
//   vary          how a trace varies from seed to seed (VariationSpec): "none", "jitter:seconds=60",
//                 "bootstrap" or "bootstrap:fraction=0.5"
//   interference  "none", "seed-paper" (derived from Kim & Kim 2020, seed_paper.h), a pair table
//                 .csv or a calibrated model .pb
// Spec syntax: "name:key=value,key=value", as for policies (PolicySpec); unknown keys are errors.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "colosim/cluster_spec.h"
#include "colosim/interference.h"
#include "colosim/job_source.h"
#include "colosim/pair_table.h"
#include "colosim/registry.h"
#include "colosim/traces/generator.h"
#include "colosim/traces/trace_reader.h"

namespace colosim::traces {

// "gen:jobs=500,load=0.9,workload=seed-paper":
//   jobs      number of jobs (default 1000)
//   load      offered load on the run's cluster (1.0 = every GPU busy on average), or
//   rate      arrivals per second (default: the generator's 0.01)
//   seed      a fixed trace seed; by default each run seed also draws a new workload, so seeds
//             are independent workload samples and a comparison pairs them
//   workload  gavel (default: Gavel's 26 job types, Alibaba pod shapes) or seed-paper (the
//             four applications of Kim & Kim 2020, one GPU each, memory from the paper)
//   durations builtin (Philly run-time quantiles) or a philly_runtime.csv
//   shapes    builtin or an openb pod list CSV;  arrivals  poisson or a Helios throughput CSV
//   gpu_memory_mib  memory of a whole-GPU job (gavel workload)
struct GeneratorSpec {
  std::int64_t jobs = 1000;
  std::optional<double> rate, load;
  std::optional<std::uint64_t> seed;
  std::string workload = "gavel";
  std::string durations = "builtin", shapes = "builtin", arrivals = "poisson";
  std::int64_t gpu_memory_mib = 16384;

  static bool is_spec(const std::string& trace);        // "gen" or "gen:..."
  static GeneratorSpec parse(const std::string& text);  // throws Error naming the bad key
};

// How the jobs of a trace vary from run seed to run seed, so that a comparison over seeds has
// something to average over (docs/compare.md says what each means statistically):
//   none                   the trace as it is, for every seed
//   jitter:seconds=S       every submit time moves by its own uniform offset in [-S, S] seconds
//                          (clamped at 0); jobs are then taken in the new submit order
//   bootstrap[:fraction=F] round(F x jobs) jobs drawn with replacement (F default 1), in submit
//                          order; the k-th copy of a job gets the id "<id>#k" (k >= 2)
// Both read the whole trace into memory per run. The offsets and draws come from the run seed
// alone, so every policy of a comparison sees the same varied trace for a seed (paired).
struct VariationSpec {
  enum class Kind { none, jitter, bootstrap };
  Kind kind = Kind::none;
  double seconds = 0;   // jitter
  double fraction = 1;  // bootstrap

  static VariationSpec parse(const std::string& text);  // "" is none; throws Error naming the bad key
  bool varies() const { return kind != Kind::none; }
};

// Varies `inner` as `spec` says, with `seed` (VariationSpec).
std::unique_ptr<JobSource> vary_jobs(std::unique_ptr<JobSource> inner, const VariationSpec& spec, std::uint64_t seed);

// The name errors and outputs give standard input.
inline constexpr const char* kStdinName = "<stdin>";

// A trace file, or standard input for "-": stdin is read once into a private temporary file
// (removed with the last copy of this object), so that each run can open it again; its errors
// name "<stdin>". Formats: `format` (a trace format spec, trace_format.h) when given, else the
// extension; CSV for standard input.
class TraceFile {
 public:
  static TraceFile resolve(const std::string& path, const std::string& format = "");
  std::unique_ptr<TraceReader> open(TraceReadOptions options = {}) const;
  const std::string& name() const { return name_; }  // the path, or "<stdin>"
  const std::string& format() const { return format_; }  // the format spec, as resolved

 private:
  struct Spool;
  std::string path_, name_;
  std::string format_;
  std::shared_ptr<const Spool> spool_;
};

struct TraceInputOptions {
  std::string format = {};            // a trace format spec for a trace file or "-"; "": the extension, CSV for "-"
  std::string vary = {};              // a VariationSpec; "" is none
  bool allow_empty = false;           // a trace file without jobs runs (0 jobs) instead of being an error
};

// "uniform:nodes=4,gpus_per_node=4,memory_mib=16384,gpu_type=GPU,speed=1": identical nodes.
bool is_uniform_cluster_spec(const std::string& text);
ClusterSpec parse_uniform_cluster(const std::string& text);  // throws Error

// A cluster as named (see above). With `source` empty, the cluster in the header of the trace
// file `trace`; Error when there is none (or the trace is generated).
ClusterSpec resolve_cluster(const std::string& source, const std::string& trace = "");
class JobInput;
// The same, with the header cluster of an already resolved trace (which may be standard input).
ClusterSpec resolve_cluster(const std::string& source, const JobInput& trace);

// Sources of interference models, by name: `none` and `seed-paper` need no file; `pair-table`
// reads a .csv and `calibrated` a .pb (`colosim calibrate`), chosen by the file's extension.
using InterferenceRegistry =
    Registry<std::shared_ptr<const InterferenceModel>, const std::string& /*file*/, const PairTableOptions&>;
InterferenceRegistry builtin_interference_models();

// An interference model as named (see above): a registered name that needs no file, or a file
// whose extension picks the entry. `pairs` applies to pair tables.
std::shared_ptr<const InterferenceModel> resolve_interference(const std::string& source, PairTableOptions pairs = {});

// A trace as named, checked once (the file's header and format, or the generator spec and its
// tables), then opened for each run.
class JobInput {
 public:
  static JobInput resolve(const std::string& source, const TraceInputOptions& options = {});  // throws Error / InputError

  // The jobs of one run. A generated trace is drawn with `seed` (unless its spec fixes one) at the
  // arrival rate its `load` asks of a cluster of `cluster_gpus`; `load_factor` != 1 divides every
  // submit time by it (load_factor 2: arrivals twice as frequent).
  std::unique_ptr<JobSource> open(std::uint64_t seed, int cluster_gpus, double load_factor = 1.0) const;

  const std::string& source() const { return source_; }
  bool generated() const { return generator_.has_value(); }
  // True when the run seed changes the jobs: a generated trace without a fixed seed, or a
  // variation (VariationSpec). Otherwise every seed runs on identical jobs.
  bool varies_with_seed() const { return (generator_ && !generator_->seed) || variation_.varies(); }
  const VariationSpec& variation() const { return variation_; }
  const std::string& variation_text() const { return variation_text_; }  // as given
  // The cluster in a trace file's header; nullopt for generated traces and headers without one.
  std::optional<ClusterSpec> header_cluster() const;

 private:
  std::string source_;
  std::optional<TraceFile> file_;
  TraceReadOptions read_;
  VariationSpec variation_;
  std::string variation_text_;
  std::optional<GeneratorSpec> generator_;
  std::optional<GeneratorConfig> generator_base_;  // loaded tables; seed and rate set per run
};

// Divides submit times by `factor` (> 0), rounding to the tick: factor 2 makes arrivals twice
// as frequent. Rounding keeps the order of submit times, which the simulator relies on.
class LoadScaledSource final : public JobSource {
 public:
  LoadScaledSource(std::unique_ptr<JobSource> inner, double factor) : inner_(std::move(inner)), factor_(factor) {}
  std::optional<JobSpec> next() override;
  std::string name() const override { return inner_->name(); }

 private:
  std::unique_ptr<JobSource> inner_;
  double factor_;
};

}  // namespace colosim::traces

// colosim validate: replays a cluster's log (a trace imported with `colosim convert --from
// kubernetes|slurm-sacct`, which keeps each job's recorded run) under a policy and reports how
// far the simulated queueing delay, start, JCT and placement are from what the log recorded.
#include <fmt/format.h>

#include <filesystem>

#include "colosim/traces/queue_tree_io.h"
#include "colosim/errors.h"
#include "colosim/experiments/validation.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/atomic_file.h"
#include "colosim/traces/inputs.h"
#include "colosim/traces/results_io.h"
#include "commands.h"
#include "option_flags.h"
#include "shared_flags.h"
#include "table.h"

namespace colosim::cli {
namespace {

struct ValidateArgs {
  std::string cluster, trace, trace_format, interference = "none", policy = "first-fit", out, format = "text";
  std::uint64_t seed = 1;
  double mape_floor = 60;
  bool quiet = false;
};

std::string optional_text(const std::optional<double>& v, const char* spec = "{:.3f}") {
  return v ? fmt::format(fmt::runtime(spec), *v) : "-";
}

std::string report_table(const experiments::ValidationReport& report) {
  Table t({"quantity", "jobs", "MAE s", "bias s", "p50 |err| s", "p90 |err| s", "MAPE %", "MAPE jobs", "Spearman", "KS"});
  for (const auto& e : report.errors)
    t.add_row({e.quantity, std::to_string(e.n), fmt::format("{:.1f}", e.mae), fmt::format("{:.1f}", e.bias),
               fmt::format("{:.1f}", e.p50_abs), fmt::format("{:.1f}", e.p90_abs), optional_text(e.mape, "{:.1f}"),
               std::to_string(e.mape_n), optional_text(e.spearman), fmt::format("{:.3f}", e.ks)});
  return t.render();
}

void validate(const ValidateArgs& a, const OptionFlags& flags) {
  RunOptions options;
  flags.apply(options);
  options.sim.seed = a.seed;
  traces::load_queue_tree_option(options);
  if (!(a.mape_floor >= 0)) throw Error("--mape-floor must be >= 0 seconds");
  std::optional<ClusterSpec> named_cluster;
  if (!a.cluster.empty()) named_cluster = traces::resolve_cluster(a.cluster);
  const traces::JobInput input = traces::JobInput::resolve(a.trace, {a.trace_format, "", false});
  const ClusterSpec cluster = named_cluster ? *named_cluster : traces::resolve_cluster("", input);
  const auto model = traces::resolve_interference(a.interference, options.pairs);
  const PolicyRegistry registry = builtin_policies();
  const auto policy = registry.make(a.policy);
  // A log is small: held in memory, since each job's recorded run is read back after the run.
  std::vector<JobSpec> jobs;
  for (auto source = input.open(a.seed, cluster.total_gpus()); auto job = source->next();) jobs.push_back(std::move(*job));
  if (options.fragmentation_from_trace) {
    SpanJobSource all(jobs, a.trace);
    options.sim.target_workload = typical_shapes_of(all);
  }

  Simulator sim(cluster, *model, *policy, options.sim);
  experiments::ValidationCollector collector;
  sim.add_observer(collector);
  SpanJobSource source(jobs, a.trace);
  const RunStats stats = sim.run(source);
  const experiments::ValidationReport report = experiments::validate_run(jobs, collector, cluster, a.mape_floor);

  std::map<std::string, std::string> meta = {{"trace", a.trace},
                                             {"cluster", a.cluster.empty() ? a.trace + " (header cluster)" : a.cluster},
                                             {"policy", a.policy},
                                             {"interference", a.interference},
                                             {"seed", std::to_string(a.seed)}};
  for (const auto& [key, value] : run_option_values(options)) meta.emplace(key, value);
  if (a.format == "json") {
    fmt::print("{}", experiments::validation_json(report, meta));
  } else {
    fmt::print("colosim validate: policy {} on {} ({} jobs, {} with a recorded start), {} GPUs, {} events\n", a.policy,
               a.trace, report.jobs.size(), report.recorded_started, cluster.total_gpus(), stats.events);
    fmt::print("{}", report_table(report));
    if (report.placement_compared)
      fmt::print("placement: {} of {} jobs on the same nodes as recorded ({:.1f}%)\n", report.placement_same,
                 report.placement_compared,
                 100.0 * static_cast<double>(report.placement_same) / static_cast<double>(report.placement_compared));
  }
  for (const std::string& w : stats.warnings) fmt::print(stderr, "warning: {}\n", w);
  if (!a.out.empty()) {
    const std::filesystem::path out(a.out);
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) throw Error("--out " + a.out + ": cannot create the directory: " + ec.message());
    traces::remove_stale_outputs(out, {"validate.csv", "validate.json"});
    traces::AtomicFile csv(out / "validate.csv"), json(out / "validate.json");
    csv.stream() << experiments::validation_jobs_csv(report);
    json.stream() << experiments::validation_json(report, meta);
    csv.flush();
    json.flush();
    traces::commit_together({{csv.path(), [&] { csv.commit(); }}, {json.path(), [&] { json.commit(); }}});
    Chatter(a.quiet)("wrote {}/validate.csv and {}/validate.json\n", a.out, a.out);
  }
}

}  // namespace

void add_validate_command(CLI::App& app) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand(
      "validate", "Replay a cluster's log under a policy and compare with what the log recorded (docs/validate.md)");
  cmd->add_option("--trace", args->trace,
                  "trace imported from a cluster's log (colosim convert --from kubernetes or slurm-sacct)")
      ->required();
  add_trace_format_flag(cmd, args->trace_format);
  cmd->add_option("--cluster", args->cluster, "cluster file or uniform:... (default: the cluster in the trace's header)");
  cmd->add_option("--interference", args->interference, "none, seed-paper, a pair table .csv or a calibrated model .pb")
      ->capture_default_str();
  cmd->add_option("--policy", args->policy, "placement policy, e.g. first-fit or binpack")->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of all randomness in the run")->capture_default_str();
  cmd->add_option("--mape-floor", args->mape_floor,
                  "MAPE counts only jobs whose recorded value is at least this many seconds")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "directory for validate.csv (per job) and validate.json");
  add_output_format_flag(cmd, args->format);
  add_quiet_flag(cmd, args->quiet);
  auto flags = std::make_shared<OptionFlags>(cmd);
  cmd->callback([args, flags] { validate(*args, *flags); });
}

}  // namespace colosim::cli

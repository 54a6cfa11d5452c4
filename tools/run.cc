// colosim run: one simulation; prints the summary and writes jobs.csv and summary.json.
#include <fmt/format.h>

#include <filesystem>

#include "colosim/traces/queue_tree_io.h"
#include "colosim/errors.h"
#include "colosim/metric_table.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/inputs.h"
#include "colosim/traces/results_io.h"
#include "commands.h"
#include "option_flags.h"
#include "shared_flags.h"
#include "sigint.h"
#include "table.h"

namespace colosim::cli {
namespace {

struct RunArgs {
  std::string cluster, trace, trace_format, vary, interference = "none", policy, out, format = "text";
  bool allow_empty = false;
  std::uint64_t seed = 1;
  bool quiet = false;
};

std::string summary_table(const Summary& s) {
  Table t({"metric", "value"});
  for (const MetricDef& m : summary_metrics())
    t.add_row({m.label, m.is_count() ? std::to_string(m.count(s)) : fmt::format("{:.3f}", m.value(s))});
  return t.render();
}

void run(const RunArgs& a, const OptionFlags& flags) {
  RunOptions options;
  flags.apply(options);
  options.sim.seed = a.seed;
  traces::load_queue_tree_option(options);
  if (a.out == "-") throw Error("--out is a directory for jobs.csv and summary.json; for the summary on stdout use --format json");
  // A named cluster is checked first: its errors do not wait for a long trace to be read.
  std::optional<ClusterSpec> named_cluster;
  if (!a.cluster.empty()) named_cluster = traces::resolve_cluster(a.cluster);
  const traces::JobInput input = traces::JobInput::resolve(a.trace, {a.trace_format, a.vary, a.allow_empty});
  const ClusterSpec cluster = named_cluster ? *named_cluster : traces::resolve_cluster("", input);
  const auto model = traces::resolve_interference(a.interference, options.pairs);
  const PolicyRegistry registry = builtin_policies();
  const auto policy = registry.make(a.policy);
  auto jobs = input.open(a.seed, cluster.total_gpus());
  if (options.fragmentation_from_trace) options.sim.target_workload = typical_shapes_of(*input.open(a.seed, cluster.total_gpus()));

  Simulator sim(cluster, *model, *policy, options.sim);
  MetricsCollector metrics(options.sim.target_workload);
  sim.add_observer(metrics);
  const std::filesystem::path out(a.out);
  std::unique_ptr<traces::JobsCsvWriter> jobs_csv;
  if (!a.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) throw Error("--out " + a.out + ": cannot create the directory: " + ec.message());
    // If this run fails, no file of an earlier one stays to pass for its output (docs/errors.md).
    traces::remove_stale_outputs(out, {"jobs.csv", "summary.json"});
    jobs_csv = std::make_unique<traces::JobsCsvWriter>((out / "jobs.csv").string());
    sim.add_observer(*jobs_csv);
  }
  RunStats stats;
  try {
    SigintScope sigint;
    sim.set_interrupt_check(&SigintScope::throw_if_interrupted);
    stats = sim.run(*jobs);
  } catch (const Interrupted&) {
    fmt::print(stderr, "colosim run: interrupted{}\n", a.out.empty() ? "" : "; nothing was written to " + a.out);
    throw CLI::RuntimeError(130);
  }
  const Summary summary = metrics.summary();
  const std::string trace_name = a.trace == "-" ? traces::kStdinName : a.trace;
  std::map<std::string, std::string> meta = {{"cluster", a.cluster.empty() ? trace_name + " (header cluster)" : a.cluster},
                                             {"trace", trace_name},
                                             {"interference", a.interference},
                                             {"policy", a.policy},
                                             {"seed", std::to_string(a.seed)}};
  if (input.variation().varies()) meta.emplace("vary", input.variation_text());
  meta.emplace("interference_predictions", std::to_string(stats.predictions));
  meta.emplace("app_fallbacks", std::to_string(stats.app_fallbacks));
  meta.emplace("gpu_type_fallbacks", std::to_string(stats.gpu_type_fallbacks));
  for (const auto& [key, value] : run_option_values(options)) meta.emplace(key, value);
  if (a.format == "json") {
    fmt::print("{}", traces::summary_to_json(summary, meta));
  } else {
    fmt::print("colosim run: policy {}, {} GPUs, seed {}, {} events\n", a.policy, cluster.total_gpus(), a.seed, stats.events);
    fmt::print("interference: {} slowdown predictions for jobs sharing a GPU; {} from job features (applications "
               "outside the model's data), {} from the mean over GPU types (types outside it)\n",
               stats.predictions, stats.app_fallbacks, stats.gpu_type_fallbacks);
    fmt::print("{}", summary_table(summary));
  }
  for (const std::string& w : stats.warnings) fmt::print(stderr, "warning: {}\n", w);
  if (!a.out.empty()) {
    // jobs.csv and summary.json appear together, complete, or not at all.
    traces::AtomicFile summary_json(out / "summary.json");
    summary_json.stream() << traces::summary_to_json(summary, meta);
    summary_json.flush();
    traces::commit_together({{out / "jobs.csv", [&] { jobs_csv->commit(); }},
                             {summary_json.path(), [&] { summary_json.commit(); }}});
    Chatter(a.quiet)("wrote {}/jobs.csv and {}/summary.json\n", a.out, a.out);
  }
}

std::string metrics_help() {
  std::string text = "\nSummary metrics (summary.json keys):\n";
  for (const MetricDef& m : summary_metrics()) text += fmt::format("  {:<24}{}\n", m.key, m.help);
  return text;
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run one simulation and print its summary");
  cmd->add_option("--trace", args->trace,
                  "job trace file (see docs/traces.md), - for standard input, or a generator spec gen:jobs=500,load=0.9")
      ->required();
  add_trace_format_flag(cmd, args->trace_format);
  add_vary_flag(cmd, args->vary);
  add_allow_empty_flag(cmd, args->allow_empty);
  cmd->add_option("--cluster", args->cluster,
                  "cluster file (.textproto, .json, .pb) or uniform:nodes=4,gpus_per_node=8,memory_mib=16384 "
                  "(default: the cluster in the trace's header)");
  cmd->add_option("--interference", args->interference,
                  "none, seed-paper, a pair table .csv (victim,aggressor,slowdown) or a calibrated model .pb (colosim calibrate)")
      ->capture_default_str();
  cmd->add_option("--policy", args->policy, "placement policy, e.g. binpack or random:check_memory=false")->required();
  cmd->add_option("--seed", args->seed, "seed of all randomness in the run (and of a generated trace)")->capture_default_str();
  cmd->add_option("--out", args->out, "directory for jobs.csv and summary.json");
  add_output_format_flag(cmd, args->format);
  add_quiet_flag(cmd, args->quiet);
  auto flags = std::make_shared<OptionFlags>(cmd);
  cmd->footer(metrics_help());
  cmd->callback([args, flags] { run(*args, *flags); });
}

}  // namespace colosim::cli

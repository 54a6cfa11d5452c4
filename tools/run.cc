// colosim run: one simulation; prints the summary and writes jobs.csv and summary.json.
#include <fmt/format.h>

#include <filesystem>

#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/interference_io.h"
#include "colosim/traces/results_io.h"
#include "colosim/traces/trace_reader.h"
#include "commands.h"
#include "table.h"

namespace colosim::cli {
namespace {

struct RunArgs {
  std::string cluster, trace, interference, policy, out;
  std::uint64_t seed = 1;
  std::string discipline = "backfill", memory = "enforce", composition = "multiplicative";
  std::optional<double> unknown_pair;
  int max_oom_retries = 3;
  double oom_delay_s = 10.0;
  int backfill_depth = 1000;
};

std::string summary_table(const Summary& s) {
  Table t({"metric", "value"});
  auto num = [](double x) { return fmt::format("{:.3f}", x); };
  t.add_row({"jobs", std::to_string(s.jobs)});
  t.add_row({"finished", std::to_string(s.finished)});
  t.add_row({"makespan (s)", num(s.makespan_s)});
  t.add_row({"JCT mean (s)", num(s.jct_mean_s)});
  t.add_row({"JCT p50 (s)", num(s.jct_p50_s)});
  t.add_row({"JCT p95 (s)", num(s.jct_p95_s)});
  t.add_row({"JCT p99 (s)", num(s.jct_p99_s)});
  t.add_row({"queueing delay mean (s)", num(s.queueing_delay_mean_s)});
  t.add_row({"slowdown mean", num(s.slowdown_mean)});
  t.add_row({"slowdown p95", num(s.slowdown_p95)});
  t.add_row({"GPU-time utilisation", num(s.gpu_time_utilisation)});
  t.add_row({"memory utilisation", num(s.memory_utilisation)});
  t.add_row({"OOM events", std::to_string(s.oom_events)});
  t.add_row({"OOM-failed jobs", std::to_string(s.oom_failed)});
  t.add_row({"unschedulable jobs", std::to_string(s.unschedulable)});
  t.add_row({"never started", std::to_string(s.never_started)});
  return t.render();
}

void run(const RunArgs& a) {
  const ClusterSpec cluster = traces::read_cluster(a.cluster);
  PairTableOptions pair_options;
  pair_options.composition = parse_composition(a.composition);
  pair_options.unknown_pair_slowdown = a.unknown_pair;
  const auto model = traces::load_interference(a.interference, pair_options);
  const PolicyRegistry registry = builtin_policies();
  const auto policy = registry.make(a.policy);
  SimConfig config;
  config.seed = a.seed;
  config.discipline = parse_discipline(a.discipline);
  config.memory = parse_memory_mode(a.memory);
  config.max_oom_retries = a.max_oom_retries;
  if (!(a.oom_delay_s >= 0)) throw colosim::Error("--oom-delay must be >= 0 seconds");
  config.oom_delay = seconds_to_ticks(a.oom_delay_s);
  config.backfill_depth = a.backfill_depth;
  auto jobs = traces::open_trace(a.trace);

  Simulator sim(cluster, *model, *policy, config);
  MetricsCollector metrics;
  sim.add_observer(metrics);
  std::unique_ptr<traces::JobsCsvWriter> jobs_csv;
  if (!a.out.empty()) {
    std::filesystem::create_directories(a.out);
    jobs_csv = std::make_unique<traces::JobsCsvWriter>((std::filesystem::path(a.out) / "jobs.csv").string());
    sim.add_observer(*jobs_csv);
  }
  const RunStats stats = sim.run(*jobs);
  const Summary summary = metrics.summary();
  fmt::print("colosim run: policy {}, {} GPUs, seed {}, {} events\n", a.policy, cluster.total_gpus(), a.seed, stats.events);
  fmt::print("{}", summary_table(summary));
  for (const std::string& w : stats.warnings) fmt::print("warning: {}\n", w);
  if (!a.out.empty()) {
    const std::map<std::string, std::string> meta = {
        {"cluster", a.cluster}, {"trace", a.trace}, {"interference", a.interference}, {"policy", a.policy},
        {"seed", std::to_string(a.seed)}, {"discipline", a.discipline}, {"memory", a.memory}};
    traces::write_summary_json(summary, meta, (std::filesystem::path(a.out) / "summary.json").string());
    fmt::print("wrote {}/jobs.csv and {}/summary.json\n", a.out, a.out);
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run one simulation and print its summary");
  cmd->add_option("--cluster", args->cluster, "cluster spec (.textproto, .json or .pb)")->required();
  cmd->add_option("--trace", args->trace, "job trace (see docs/traces.md for formats)")->required();
  cmd->add_option("--interference", args->interference, "pair table .csv (victim,aggressor,slowdown), calibrated model .pb (colosim calibrate), or 'none'")->required();
  cmd->add_option("--policy", args->policy, "placement policy, e.g. binpack or random:check_memory=false")->required();
  cmd->add_option("--seed", args->seed, "seed of all randomness in the run")->capture_default_str();
  cmd->add_option("--out", args->out, "directory for jobs.csv and summary.json");
  cmd->add_option("--discipline", args->discipline, "queue discipline: fifo or backfill")->capture_default_str();
  cmd->add_option("--memory", args->memory, "GPU memory: enforce, overcommit (OOM failures) or ignore")->capture_default_str();
  cmd->add_option("--composition", args->composition, "3+ co-runners: multiplicative or additive")->capture_default_str();
  cmd->add_option("--unknown-pair-slowdown", args->unknown_pair, "slowdown for pairs missing from the table (default: error)");
  cmd->add_option("--max-oom-retries", args->max_oom_retries, "requeues after OOM before a job fails")->capture_default_str();
  cmd->add_option("--oom-delay", args->oom_delay_s, "seconds an over-committed job runs before it fails")->capture_default_str();
  cmd->add_option("--backfill-depth", args->backfill_depth, "pending jobs looked at per pass (0: all)")->capture_default_str();
  cmd->callback([args] { run(*args); });
}

}  // namespace colosim::cli

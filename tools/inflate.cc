// colosim inflate: the FGD paper's experiment (experiments/inflation.h): every policy on every
// seed's inflation of a trace; prints unallocated GPU share at 100% arrived workload per policy
// and writes the curves.
#include <fmt/format.h>

#include <filesystem>
#include <thread>

#include "colosim/errors.h"
#include "colosim/experiments/grid.h"
#include "colosim/experiments/inflation.h"
#include "colosim/traces/atomic_file.h"
#include "colosim/traces/inputs.h"
#include "commands.h"
#include "option_flags.h"
#include "report_process.h"
#include "shared_flags.h"
#include "table.h"

namespace colosim::cli {
namespace {

struct InflateArgs {
  std::string trace, trace_format, cluster, out, report;
  std::vector<std::string> policies = {"fgd", "best-fit", "dot-product", "gpu-packing", "gpu-clustering", "random:pick=node"};
  std::string seeds = "42-51";
  double max_ratio = 1.3;
  int at_percent = 100;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  bool quiet = false;
};

void inflate_command(const InflateArgs& a, const OptionFlags& flags) {
  RunOptions options;
  flags.apply(options);
  std::optional<ClusterSpec> named_cluster;
  if (!a.cluster.empty()) named_cluster = traces::resolve_cluster(a.cluster);
  const traces::JobInput input = traces::JobInput::resolve(a.trace, {a.trace_format, "", false});
  const ClusterSpec cluster = named_cluster ? *named_cluster : traces::resolve_cluster("", input);
  std::vector<JobSpec> trace;
  auto source = input.open(1, cluster.total_gpus());
  while (auto job = source->next()) trace.push_back(std::move(*job));

  experiments::InflationOptions o;
  o.policies = a.policies;
  o.seeds = experiments::parse_seeds(a.seeds);
  o.max_ratio = a.max_ratio;
  o.threads = a.jobs;
  o.config = options.sim;
  if (!a.report.empty() && a.out.empty()) throw Error("--report needs --out (the report is made from curves.csv and summary.csv)");
  if (!a.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.out, ec);
    if (ec) throw Error("--out " + a.out + ": cannot create the directory: " + ec.message());
    // If this run fails, no file of an earlier one stays to pass for its output (docs/errors.md).
    traces::remove_stale_outputs(a.out, {"curves.csv", "summary.csv"});
  }
  if (!(a.at_percent >= 0 && a.at_percent <= a.max_ratio * 100))
    throw Error("--at " + std::to_string(a.at_percent) + ": must be between 0 and the largest arrived percent, " +
                fmt::format("{:g}", a.max_ratio * 100));
  const Chatter chatter(a.quiet);
  chatter("colosim inflate: {} jobs of {} on {} GPUs, {} policies x {} seeds, arrivals up to {:g}% of the GPUs\n", trace.size(),
          a.trace, cluster.total_gpus(), o.policies.size(), o.seeds.size(), a.max_ratio * 100);
  const experiments::InflationResult result = experiments::run_inflation_grid(cluster, trace, o);

  Table t({"policy", fmt::format("unallocated GPU % at {}% (median)", a.at_percent), "p25-p75", "min-max",
           "fragmentation % (median)", "jobs", "CPU s", "jobs/s"});
  double cpu = 0;
  std::int64_t jobs = 0;
  for (const experiments::InflationSummary& s : result.summary(a.at_percent)) {
    t.add_row({s.policy, fmt::format("{:.2f}", s.median), fmt::format("{:.2f}-{:.2f}", s.p25, s.p75),
               fmt::format("{:.2f}-{:.2f}", s.min, s.max), fmt::format("{:.2f}", s.fragmentation_median), std::to_string(s.jobs),
               fmt::format("{:.2f}", s.cpu_seconds), fmt::format("{:.0f}", s.cpu_seconds > 0 ? s.jobs / s.cpu_seconds : 0.0)});
    cpu += s.cpu_seconds;
    jobs += s.jobs;
  }
  fmt::print("{}", t.render());
  fmt::print("{} runs: {:.1f} s wall, {:.1f} s CPU in the simulations on {} thread(s), {:.0f} jobs/s per thread\n",
             result.curves.size(), result.wall_seconds, cpu, std::min<std::size_t>(a.jobs, result.curves.size()),
             cpu > 0 ? jobs / cpu : 0.0);
  if (!a.out.empty()) {
    const std::filesystem::path out(a.out);
    traces::AtomicFile curves(out / "curves.csv"), summary(out / "summary.csv");
    curves.stream() << experiments::inflation_curves_csv(result);
    summary.stream() << experiments::inflation_summary_csv(result, a.at_percent);
    curves.flush();
    summary.flush();
    traces::commit_together({{curves.path(), [&] { curves.commit(); }}, {summary.path(), [&] { summary.commit(); }}});
    chatter("wrote {}/curves.csv and {}/summary.csv\n", a.out, a.out);
  }
  if (!a.report.empty()) {
    run_python_module("--report", "colosim.report",
                      {"--inflation", (std::filesystem::path(a.out) / "curves.csv").string(), "--summary",
                       (std::filesystem::path(a.out) / "summary.csv").string(), "--out", a.report});
    chatter("wrote {}\n", a.report);
  }
}

}  // namespace

void add_inflate_command(CLI::App& app) {
  auto args = std::make_shared<InflateArgs>();
  auto* cmd = app.add_subcommand(
      "inflate",
      "The FGD paper's experiment: jobs drawn from a trace arrive and never leave; unallocated GPUs per policy as the "
      "arrived workload grows (docs/fragmentation.md)");
  cmd->add_option("--trace", args->trace, "job trace file (e.g. openb converted with its node list; docs/traces.md)")->required();
  add_trace_format_flag(cmd, args->trace_format);
  cmd->add_option("--cluster", args->cluster, "cluster file or uniform:... spec (default: the cluster in the trace's header)");
  cmd->add_option("--policies", args->policies, "policies to compare (default: the paper's six)")->delimiter(';')->capture_default_str();
  cmd->add_option("--seeds", args->seeds, "seeds: 42-51 (the paper's), 1,2,5 or 1-3,7")->capture_default_str();
  cmd->add_option("--max-ratio", args->max_ratio, "arrivals stop at this multiple of the cluster's GPUs")->capture_default_str();
  cmd->add_option("--at", args->at_percent, "arrived workload (% of the GPUs) the table reports")->capture_default_str();
  cmd->add_option("-j,--jobs", args->jobs, "runs at once, in parallel threads (default: all cores)");
  cmd->add_option("--out", args->out, "directory for curves.csv (policy, seed, arrived_pct, allocated_pct, unallocated_pct, "
                                      "fragmentation_pct)");
  cmd->add_option("--report", args->report, "HTML report of the curves and the table (needs --out; made by colosim.report)");
  add_quiet_flag(cmd, args->quiet);
  auto flags = std::make_shared<OptionFlags>(cmd);
  cmd->callback([args, flags] { inflate_command(*args, *flags); });
}

}  // namespace colosim::cli

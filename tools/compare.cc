// colosim compare: policies x seeds x clusters x loads, run in parallel; a table of means with
// 95% confidence intervals, a paired comparison against a baseline policy, runs.csv,
// summary.json and an HTML report. The grid logic lives in experiments/ (colosim_experiments).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/experiments/experiment.h"
#include "colosim/experiments/output.h"
#include "colosim/experiments/runner.h"
#include "colosim/experiments/sweep.h"
#include "colosim/traces/atomic_file.h"
#include "colosim/traces/seed_paper.h"
#include "commands.h"
#include "compare_tables.h"
#include "option_flags.h"
#include "progress_bar.h"
#include "report_process.h"
#include "shared_flags.h"
#include "sigint.h"
#include "table.h"

namespace colosim::cli {
namespace {

namespace fs = std::filesystem;
using experiments::CompareSpec;
using experiments::Experiment;

struct CompareArgs {
  CompareSpec spec;
  std::string loads, sweep, out = "compare-out", report, dask;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  bool quiet = false, demo = false, save_jobs = false;
  CLI::App* cmd = nullptr;
  std::shared_ptr<OptionFlags> flags;
  bool given(const char* name) const { return cmd->count(name) > 0; }
};

constexpr const char* kDemoTrace = "gen:workload=seed-paper,jobs=4000,load=1";
constexpr const char* kDemoCluster = "uniform:nodes=4,gpus_per_node=4,memory_mib=16384";

CompareSpec demo_spec() {
  CompareSpec s;
  s.trace = kDemoTrace;
  s.clusters = {kDemoCluster};
  s.seeds = "1-3";
  s.interference = "seed-paper";
  set_run_option(s.options, "composition", "additive");
  set_run_option(s.options, "gpu_sharing", "stack");  // the paper co-located whole-GPU programs
  s.baseline = "exclusive";
  return s;  // every registered policy
}

void print_demo_intro() {
  std::string apps;
  for (const auto& a : traces::seed_paper_apps())
    apps += fmt::format("{}{} {:.1f} GB {}%", apps.empty() ? "" : ", ", a.name, a.memory_mib / 1024.0, a.gpu_util);
  fmt::print(
      "colosim compare --demo: every built-in policy on built-in data (nothing is read from disk).\n"
      "  cluster   4 nodes x 4 GPUs with 16 GB each (16 GPUs).\n"
      "  workload  4000 generated one-GPU jobs per seed, drawn from the four applications of the seed\n"
      "            paper (Kim & Kim, KNOM Review 2020) with its measured GPU memory and utilisation:\n"
      "            {}.\n"
      "            Run times: the built-in Philly quantiles (Jeon et al., ATC'19). Poisson arrivals at\n"
      "            load 1.0 (every GPU busy on average if each job had a GPU to itself).\n"
      "  slowdown  derived, not measured (the paper publishes no pair slowdowns): the utilisation-sum\n"
      "            rule of examples/seed_paper, slowdown(v | a) = max(1, (util_v + util_a) / 100);\n"
      "            with three or more jobs on a GPU the excesses add up (--composition additive).\n"
      "  sharing   the jobs state no GPU share; as in the paper they stack on a GPU, limited by\n"
      "            memory only (--gpu-sharing stack; by default each would take a whole GPU).\n"
      "  seeds     1-3: each seed draws a new workload; every policy runs on the same three, so the\n"
      "            comparison with exclusive (one job per GPU, the Kubernetes default) is paired.\n"
      "The same comparison as a command:\n"
      "  colosim compare --trace {} \\\n"
      "      --cluster {} \\\n"
      "      --interference seed-paper --composition additive --gpu-sharing stack --seeds 1-3 \\\n"
      "      --baseline exclusive\n\n",
      apps, kDemoTrace, kDemoCluster);
}


// Before a comparison writes into `out`: the files an earlier one left there (runs.csv,
// summary.json, jobs/run-*.csv, the report) go, so that a comparison that fails leaves none of
// them to pass for its own (docs/errors.md).
void remove_stale_outputs(const fs::path& out, const std::string& report) {
  traces::remove_stale_outputs(out, {"runs.csv", "summary.json"});
  std::error_code ec;
  std::vector<std::string> jobs_files;
  for (const auto& entry : fs::directory_iterator(out / "jobs", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("run-", 0) == 0 && name.size() > 8 && name.compare(name.size() - 4, 4, ".csv") == 0) jobs_files.push_back(name);
  }
  traces::remove_stale_outputs(out / "jobs", jobs_files);
  if (!report.empty()) {
    const fs::path r(report);
    traces::remove_stale_outputs(r.parent_path().empty() ? fs::path(".") : r.parent_path(), {r.filename().string()});
  }
}

// --dask: the spec (already resolved here, so bad input fails before Python starts) goes to
// colosim._dask_main, which runs each grid point as a Dask task and writes runs.csv and
// summary.json with the same library functions as the thread pool.
void run_on_dask(const CompareArgs& a, const CompareSpec& spec, const fs::path& out) {
  if (spec.trace == "-")
    throw Error("--dask: the workers read the trace themselves, so it must be a file they can see or a gen: spec, "
                "not standard input (-)");
  std::vector<std::string> args = {"--dask", a.dask, "--out", out.string(), "--jobs", std::to_string(a.jobs),
                                   "--trace", spec.trace, "--trace-format", spec.trace_format, "--vary", spec.vary,
                                   "--seeds", spec.seeds, "--interference", spec.interference, "--baseline", spec.baseline};
  if (spec.allow_empty) args.push_back("--allow-empty");
  for (const auto& c : spec.clusters) args.insert(args.end(), {"--cluster", c});
  for (const auto& p : spec.policies) args.insert(args.end(), {"--policy", p});
  std::string loads;
  for (double l : spec.loads) loads += (loads.empty() ? "" : ",") + experiments::json_number(l);
  args.insert(args.end(), {"--loads", loads});
  for (const auto& [key, value] : experiments::changed_options(spec.options)) args.insert(args.end(), {"--option", key + "=" + value});
  run_python_module("--dask", "colosim._dask_main", args);
}

void run_compare(CompareArgs& a) {
  CompareSpec spec = a.demo ? demo_spec() : CompareSpec{};
  if (!a.sweep.empty()) {
    if (a.demo) throw Error("give --demo or --sweep, not both");
    spec = experiments::read_sweep(a.sweep);
  }
  // Flags on the command line override the sweep file (or the demo).
  const CompareSpec& f = a.spec;
  if (a.given("--trace")) spec.trace = f.trace;
  if (a.given("--trace-format")) spec.trace_format = f.trace_format;
  if (a.given("--vary")) spec.vary = f.vary;
  if (a.given("--allow-empty")) spec.allow_empty = f.allow_empty;
  if (a.given("--cluster")) spec.clusters = f.clusters;
  if (a.given("--policy")) spec.policies = f.policies;
  if (a.given("--seeds")) spec.seeds = f.seeds;
  if (a.given("--load")) spec.loads = experiments::parse_loads(a.loads);
  if (a.given("--interference")) spec.interference = f.interference;
  if (a.given("--baseline")) spec.baseline = f.baseline;
  a.flags->apply(spec.options);
  if (a.jobs < 1) throw Error("--jobs must be >= 1");

  const PolicyRegistry registry = builtin_policies();
  const Experiment e = experiments::resolve(spec, registry);
  // The demo writes files only when asked to; a comparison always does.
  const bool write_files = !a.demo || a.given("--out") || !a.report.empty();
  const bool save_jobs = write_files && (a.save_jobs || !a.report.empty());
  const fs::path out = a.out;

  const Chatter chatter(a.quiet);
  if (!a.dask.empty()) {
    if (a.save_jobs || !a.report.empty()) throw Error("--dask writes runs.csv and summary.json only: drop --save-jobs and --report");
    chatter("colosim compare: {} runs on the Dask cluster at {}\n", e.shape().size(), a.dask);
    if (fs::is_directory(out)) remove_stale_outputs(out, "");
    run_on_dask(a, spec, out);
    chatter("wrote {} and {}\n", (out / "runs.csv").string(), (out / "summary.json").string());
    return;
  }
  if (a.demo) print_demo_intro();  // what the demo shows: a result, not chatter
  const auto shape = e.shape();
  const unsigned threads = static_cast<unsigned>(std::min<std::size_t>(a.jobs, shape.size()));
  chatter("colosim compare: {} runs = {} cluster{} x {} load{} x {} polic{} x {} seed{}, on {} thread{}\n\n", shape.size(),
             shape.clusters, shape.clusters == 1 ? "" : "s", shape.loads, shape.loads == 1 ? "" : "s", shape.policies,
             shape.policies == 1 ? "y" : "ies", shape.seeds, shape.seeds == 1 ? "" : "s", threads, threads == 1 ? "" : "s");
  std::fflush(stdout);

  std::unique_ptr<experiments::RunsCsv> csv;
  if (write_files) {
    std::error_code ec;
    fs::create_directories(save_jobs ? out / "jobs" : out, ec);
    if (ec) throw Error("--out " + out.string() + ": cannot create the directory: " + ec.message());
    remove_stale_outputs(out, a.report);
    csv = std::make_unique<experiments::RunsCsv>((out / "runs.csv").string());
  }

  ProgressBar bar(!a.quiet && ::isatty(STDERR_FILENO));
  experiments::GridOptions options;
  options.threads = threads;
  if (save_jobs)
    options.jobs_csv = [&](const experiments::RunPoint& p) { return (out / "jobs" / fmt::format("run-{:05}.csv", p.index)).string(); };
  std::size_t written = 0;
  options.on_in_order = [&](const experiments::RunOutcome& r) {
    if (csv) csv->write(e, r);
    ++written;
  };
  options.on_progress = [&](std::size_t done, std::size_t total) { bar.update(done, total); };
  options.stop = &SigintScope::flag();

  experiments::GridResult result;
  try {
    SigintScope sigint;
    result = experiments::run_grid(e, registry, options);
  } catch (...) {
    bar.clear();
    if (write_files) {  // a failed comparison leaves none of its files, the finished runs' jobs files included
      csv.reset();
      try {
        remove_stale_outputs(out, "");
      } catch (const Error&) {
      }
    }
    throw;
  }
  bar.clear();

  if (result.interrupted) {
    // Finished runs past the first unfinished one: written now, still in grid order.
    for (std::size_t i = written; i < result.runs.size(); ++i)
      if (result.runs[i] && csv) csv->write(e, *result.runs[i]);
    if (csv) csv->commit();  // every row in it is a finished run; the missing summary says the rest
    fmt::print(stderr, "colosim compare: interrupted; {} of {} runs finished{}. No summary was written.\n",
               result.finished(), result.runs.size(),
               csv ? fmt::format(", their rows are in {}", (out / "runs.csv").string()) : std::string());
    throw CLI::RuntimeError(130);
  }

  std::vector<experiments::RunOutcome> runs;
  runs.reserve(result.runs.size());
  for (auto& r : result.runs) runs.push_back(std::move(*r));
  const experiments::Analysis analysis = experiments::analyse(e, runs);
  print_tables(e, analysis);
  if (write_files) {
    // runs.csv and summary.json appear together, complete, or not at all.
    const fs::path summary = out / "summary.json";
    traces::AtomicFile summary_file(summary);
    summary_file.stream() << experiments::summary_json(e, analysis);
    summary_file.flush();
    traces::commit_together({{out / "runs.csv", [&] { csv->commit(); }}, {summary, [&] { summary_file.commit(); }}});
    chatter("wrote {} and {}{}\n", (out / "runs.csv").string(), summary.string(),
               save_jobs ? fmt::format(" (and each run's jobs in {})", (out / "jobs").string()) : std::string());
  }
  if (!a.report.empty()) {
    traces::produce_file_atomically(a.report, [&](const fs::path& partial) { write_report(out, partial); });
    chatter("wrote {}\n", a.report);
  }
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand("compare", "Compare policies over seeds, clusters and loads, in parallel, with confidence intervals");
  args->cmd = cmd;
  // A flag given twice: the last one counts (handy after a shell alias or a sweep's defaults).
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  auto& s = args->spec;
  cmd->add_option("--trace", s.trace,
                  "job trace file, - for standard input, or a generator spec, e.g. gen:jobs=500,load=0.9 (see docs/compare.md)");
  add_trace_format_flag(cmd, s.trace_format);
  add_vary_flag(cmd, s.vary);
  add_allow_empty_flag(cmd, s.allow_empty);
  cmd->add_option("--cluster", s.clusters, "cluster file(s), or uniform:nodes=4,gpus_per_node=4,memory_mib=16384; repeatable")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("-p,--policy", s.policies, "policies with parameters, e.g. binpack random:check_memory=false (default: all)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--seeds", s.seeds, "seeds: 1-10, 1,2,5 or 1-3,7 (default 1)");
  cmd->add_option("--load", args->loads, "arrival-rate factors, e.g. 0.5,1,1.5: submit times are divided by each (default 1)");
  cmd->add_option("--interference", s.interference, "pair table .csv, 'seed-paper' (derived utilisation-sum) or 'none' (default)");
  cmd->add_option("--baseline", s.baseline, "policy the others are compared with, seed by seed (default: exclusive if compared)");
  cmd->add_option("--sweep", args->sweep, "the experiment as a file (colosim.v1.Sweep, .json or .textproto); flags override it");
  cmd->add_option("-j,--jobs", args->jobs, "runs at once, in parallel threads (default: all cores)");
  cmd->add_option("--out", args->out, "directory for runs.csv and summary.json (default compare-out)");
  cmd->add_option("--report", args->report, "write a self-contained HTML report with plots (needs the Python package)");
  cmd->add_option("--dask", args->dask,
                  "run the grid on a Dask cluster: a scheduler address (tcp://host:8786) or 'local' (needs the Python "
                  "package and python3-distributed; workers must see the same files)");
  cmd->add_flag("--save-jobs", args->save_jobs, "also write each run's jobs.csv into OUT/jobs/ (implied by --report)");
  add_quiet_flag(cmd, args->quiet);
  cmd->add_flag("--demo", args->demo, "a short comparison of the built-in policies on built-in data, explained");
  args->flags = std::make_shared<OptionFlags>(cmd);
  cmd->callback([args] { run_compare(*args); });
}

}  // namespace colosim::cli

// colosim compare, as a library: the grid, the statistics, the paired comparison, the inputs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/experiments/experiment.h"
#include "colosim/experiments/grid.h"
#include "colosim/experiments/output.h"
#include "colosim/experiments/runner.h"
#include "colosim/experiments/stats.h"
#include "colosim/experiments/sweep.h"
#include "colosim/metric_table.h"
#include "colosim/traces/seed_paper.h"
#include "shared_data.h"

using namespace colosim;
using namespace colosim::experiments;
using colosim::traces::AppProfile;
using colosim::traces::seed_paper_apps;
using colosim::traces::seed_paper_interference;

namespace {

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("colosim-compare-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

CompareSpec small_spec() {
  CompareSpec s;
  s.trace = "gen:workload=seed-paper,jobs=60,load=1.5";
  s.clusters = {"uniform:nodes=2,gpus_per_node=2,memory_mib=16384"};
  s.policies = {"exclusive", "binpack", "random"};
  s.seeds = "1-4";
  s.loads = {1.0, 2.0};
  s.interference = "seed-paper";
  return s;
}

}  // namespace

TEST_CASE("compare grid: clusters slowest, then loads, policies, seeds fastest") {
  const GridShape shape{2, 3, 2, 4};
  const auto points = expand(shape);
  REQUIRE(points.size() == 48);
  CHECK(points[1].seed == 1);
  CHECK(points[4].policy == 1);
  CHECK(points[4].seed == 0);
  CHECK(points[8].load == 1);
  CHECK(points[24].cluster == 1);
  const RunPoint last = points.back();
  CHECK(last.cluster == 1);
  CHECK(last.load == 2);
  CHECK(last.policy == 1);
  CHECK(last.seed == 3);
  std::set<std::tuple<std::size_t, std::size_t, std::size_t, std::size_t>> seen;
  for (std::size_t i = 0; i < points.size(); ++i) {
    CHECK(points[i].index == i);
    seen.insert({points[i].cluster, points[i].load, points[i].policy, points[i].seed});
  }
  CHECK(seen.size() == 48);  // every combination exactly once
}

TEST_CASE("compare seeds: ranges and lists") {
  CHECK(parse_seeds("1-10") == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  CHECK(parse_seeds("1-3,7,9-10") == std::vector<std::uint64_t>{1, 2, 3, 7, 9, 10});
  CHECK(parse_seeds("42") == std::vector<std::uint64_t>{42});
  CHECK(parse_seeds("0") == std::vector<std::uint64_t>{0});
  CHECK(error_of([] { parse_seeds(""); }).find("no seeds") != std::string::npos);
  CHECK(error_of([] { parse_seeds("3-1"); }) == "--seeds '3-1': the range '3-1' ends before it starts");
  CHECK(error_of([] { parse_seeds("1,x"); }).find("'x' is not a seed") != std::string::npos);
  CHECK(error_of([] { parse_seeds("1-"); }).find("'1-' is not a range of seeds") != std::string::npos);
  CHECK(error_of([] { parse_seeds("-5"); }).find("is not a range of seeds") != std::string::npos);
  CHECK(error_of([] { parse_seeds("1-5,3"); }) == "--seeds '1-5,3': seed 3 is listed twice");
  CHECK(error_of([] { parse_seeds("1-999999999"); }).find("more than") != std::string::npos);
}

TEST_CASE("compare loads: positive factors") {
  CHECK(parse_loads("0.5,1.0,1.5") == std::vector<double>{0.5, 1.0, 1.5});
  CHECK(parse_loads("2") == std::vector<double>{2.0});
  CHECK(error_of([] { parse_loads("0"); }).find("must be positive") != std::string::npos);
  CHECK(error_of([] { parse_loads("1,-1"); }).find("must be positive") != std::string::npos);
  CHECK(error_of([] { parse_loads("1,fast"); }).find("'fast' is not a number") != std::string::npos);
  CHECK(error_of([] { parse_loads("1,1.0"); }).find("listed twice") != std::string::npos);
  CHECK(error_of([] { parse_loads(""); }).find("is not a number") != std::string::npos);
}

TEST_CASE("compare statistics: the t interval of a mean, against a hand computation") {
  // Student t two-sided 95% critical values, from any t table: df 1, 2, 4, 9, 29.
  CHECK(student_t_critical(0.95, 1) == doctest::Approx(12.7062).epsilon(1e-5));
  CHECK(student_t_critical(0.95, 2) == doctest::Approx(4.3027).epsilon(1e-4));
  CHECK(student_t_critical(0.95, 4) == doctest::Approx(2.7764).epsilon(1e-4));
  CHECK(student_t_critical(0.95, 9) == doctest::Approx(2.2622).epsilon(1e-4));
  CHECK(student_t_critical(0.95, 29) == doctest::Approx(2.0452).epsilon(1e-4));

  // 10, 12, 14, 16, 18: mean 14; squared deviations 16+4+0+4+16 = 40, sd = sqrt(40/4) = sqrt(10);
  // half-width = 2.776445 * sqrt(10) / sqrt(5) = 2.776445 * sqrt(2) = 3.926486.
  const std::vector<double> v = {10, 12, 14, 16, 18};
  const MeanInterval m = mean_interval(v);
  CHECK(m.n == 5);
  CHECK(m.mean == doctest::Approx(14));
  CHECK(m.sd == doctest::Approx(std::sqrt(10.0)));
  REQUIRE(m.half_width);
  CHECK(*m.half_width == doctest::Approx(3.926486).epsilon(1e-6));
  CHECK(m.low() == doctest::Approx(10.073514).epsilon(1e-6));
  CHECK(m.high() == doctest::Approx(17.926486).epsilon(1e-6));

  // One value: a mean, no interval.
  const std::vector<double> one = {3.5};
  CHECK(mean_interval(one).mean == 3.5);
  CHECK_FALSE(mean_interval(one).half_width);
  // Identical values: a zero-width interval.
  const std::vector<double> same = {2, 2, 2};
  CHECK(*mean_interval(same).half_width == 0);
  // Ten equal values whose sum / 10 is not exactly the value: still exactly it, width 0.
  const std::vector<double> tenths(10, 0.1);
  CHECK(mean_interval(tenths).mean == 0.1);
  CHECK(*mean_interval(tenths).half_width == 0);
}

TEST_CASE("compare paired comparison: per-seed differences, relative change, does the interval exclude 0") {
  // Differences -1, -2, -1: mean -4/3, sd = sqrt((1/9 + 4/9 + 1/9) / 2) = sqrt(1/3); half-width
  // 4.302653 * sqrt(1/3) / sqrt(3) = 4.302653 / 3 = 1.434218: [-2.767551, 0.100885] holds 0.
  const std::vector<double> policy = {9, 11, 10}, baseline = {10, 13, 11};
  const PairedComparison c = paired_comparison(policy, baseline);
  CHECK(c.difference.mean == doctest::Approx(-4.0 / 3));
  REQUIRE(c.difference.half_width);
  CHECK(*c.difference.half_width == doctest::Approx(1.434218).epsilon(1e-6));
  CHECK(c.baseline_mean == doctest::Approx(34.0 / 3));
  REQUIRE(c.relative_change);
  CHECK(*c.relative_change == doctest::Approx(-4.0 / 34));  // -11.8%
  CHECK_FALSE(c.excludes_zero);
  CHECK(format_change(c) == "-11.8%  ");

  // Differences -1, -1.2, -0.8: mean -1, sd 0.2, half-width 4.302653 * 0.2 / sqrt(3) = 0.496828:
  // [-1.497, -0.503] lies below 0.
  const std::vector<double> p2 = {9, 9.8, 10.2}, b2 = {10, 11, 11};
  const PairedComparison d = paired_comparison(p2, b2);
  CHECK(d.difference.mean == doctest::Approx(-1));
  CHECK(*d.difference.half_width == doctest::Approx(0.496828).epsilon(1e-5));
  CHECK(d.excludes_zero);
  CHECK(format_change(d) == "-9.4% *");

  // A zero baseline has no relative change: the absolute difference is shown.
  const std::vector<double> zeros = {0, 0, 0}, ooms = {2, 3, 4};
  const PairedComparison z = paired_comparison(ooms, zeros);
  CHECK_FALSE(z.relative_change);
  CHECK(z.excludes_zero);
  CHECK(format_change(z) == "abs +3.00 *");
  CHECK(compact(1963970) == "1.96M");
  CHECK(compact(28724) == "28.7k");
  CHECK(compact(-111072) == "-111k");
  CHECK(compact(9999) == "9999");
  CHECK(compact(0.2222) == "0.222");
  CHECK(compact(0) == "0");

  const std::vector<double> two = {1, 2};
  CHECK(error_of([&] { paired_comparison(two, baseline); }).find("2 policy values but 3 baseline values") != std::string::npos);
}

TEST_CASE("compare inputs: bad policy names, parameters, seeds, loads and specs are clear errors") {
  const PolicyRegistry registry = builtin_policies();
  auto with = [&](auto change) {
    CompareSpec s = small_spec();
    change(s);
    return error_of([&] { resolve(s, registry); });
  };
  CHECK(with([](CompareSpec& s) { s.policies = {"binpack", "nosuch"}; }).find("unknown policy 'nosuch' (known: ") != std::string::npos);
  CHECK(with([](CompareSpec& s) { s.policies = {"random:nosuch=1"}; }).find("policy 'random' has no parameter 'nosuch'") != std::string::npos);
  CHECK(with([](CompareSpec& s) { s.policies = {"random:check_memory=maybe"}; }).find("must be true or false, got 'maybe'") != std::string::npos);
  CHECK(with([](CompareSpec& s) { s.policies = {"random:check_memory"}; }).find("expected key=value") != std::string::npos);
  CHECK(with([](CompareSpec& s) { s.policies = {"binpack", "binpack"}; }) == "policy 'binpack' is listed twice");
  CHECK(with([](CompareSpec& s) { s.baseline = "load-balance"; }).find("baseline 'load-balance' is not one of the compared policies (exclusive, binpack, random)") != std::string::npos);
  CHECK(with([](CompareSpec& s) { s.seeds = "5-1"; }).find("ends before it starts") != std::string::npos);
  CHECK(with([](CompareSpec& s) { s.loads = {1.0, 0.0}; }).find("must be a positive number") != std::string::npos);
  CHECK(with([](CompareSpec& s) { s.trace = "gen:jobz=5"; }).find("unknown key 'jobz'") != std::string::npos);
  CHECK(with([](CompareSpec& s) { s.trace = "gen:rate=1,load=1"; }).find("not both") != std::string::npos);
  CHECK(with([](CompareSpec& s) { s.trace = "/nonexistent/trace.csv"; }) == "/nonexistent/trace.csv: cannot open file");
  CHECK(with([](CompareSpec& s) { s.clusters = {"uniform:nodes=0"}; }).find("'nodes' must be") != std::string::npos);
  CHECK(with([](CompareSpec& s) { s.clusters = {}; }).find("no cluster") != std::string::npos);  // a generated trace has no header cluster
  CHECK(with([](CompareSpec& s) { s.interference = "nosuch.csv"; }) != "(no error)");
  CHECK(error_of([] { RunOptions o; set_run_option(o, "discipline", "lifo"); }).find("unknown queue discipline 'lifo'") != std::string::npos);

  // Parameters are canonical (sorted keys), and a baseline may be named without them.
  CompareSpec s = small_spec();
  s.policies = {"exclusive", "random:check_memory=false"};
  s.baseline = "random";
  const Experiment e = resolve(s, registry);
  CHECK(e.policies[1].label == "random:check_memory=false");
  CHECK(e.baseline == std::size_t{1});
}

TEST_CASE("compare load factors divide submit times; generated workloads follow the seed") {
  std::vector<JobSpec> jobs(3);
  jobs[0].submit = 0;
  jobs[1].submit = 10;
  jobs[2].submit = 15;
  traces::LoadScaledSource twice(std::make_unique<VectorJobSource>(jobs), 2.0);
  CHECK(twice.next()->submit == 0);
  CHECK(twice.next()->submit == 5);
  CHECK(twice.next()->submit == 8);  // 7.5 rounds to 8: order is kept
  CHECK_FALSE(twice.next());

  const Experiment e = resolve(small_spec(), builtin_policies());
  auto first_job = [&](std::size_t seed, std::size_t load) {
    RunPoint p;
    p.seed = seed;
    p.load = load;
    return *e.open_jobs(p)->next();
  };
  // The seed-paper workload has the paper's memory and utilisation and no GPU-share limit.
  const JobSpec j = first_job(0, 0);
  bool known = false;
  for (const AppProfile& a : seed_paper_apps())
    if (a.name == j.app) {
      known = true;
      CHECK(j.memory_mib == a.memory_mib);
      CHECK(j.gpu_util == a.gpu_util);
    }
  CHECK(known);
  CHECK(j.gpu_milli == 0);
  CHECK(first_job(0, 0).submit != first_job(1, 0).submit);  // a new workload per seed
  CHECK(first_job(0, 1).submit == (first_job(0, 0).submit + 1) / 2);  // load 2: half the time
}

TEST_CASE("compare seed-paper interference is the utilisation-sum rule") {
  const auto table = seed_paper_interference();
  // max(1, (88 + 72) / 100) = 1.6 (TensorFlow | GROMACS); max(1, (23 + 46.7) / 100) = 1.
  CHECK(table->pair("TensorFlow", "GROMACS") == doctest::Approx(1.6));
  CHECK(table->pair("LAMMPS", "QMCPACK") == 1.0);
  CHECK(table->pair("QMCPACK", "TensorFlow") == doctest::Approx(1.347));
  CHECK(table->size() == 16);
}

TEST_CASE("compare results do not depend on the number of threads") {
  const PolicyRegistry registry = builtin_policies();
  const Experiment e = resolve(small_spec(), registry);
  auto run_with = [&](unsigned threads) {
    GridOptions o;
    o.threads = threads;
    std::vector<std::size_t> order;
    o.on_in_order = [&](const RunOutcome& r) { order.push_back(r.point.index); };
    GridResult g = run_grid(e, registry, o);
    REQUIRE(g.complete());
    for (std::size_t i = 0; i < order.size(); ++i) CHECK(order[i] == i);  // delivered in grid order
    std::vector<RunOutcome> runs;
    std::string csv;
    for (auto& r : g.runs) {
      csv += RunsCsv::row(e, *r) + "\n";
      runs.push_back(*r);
    }
    return csv + summary_json(e, analyse(e, runs));
  };
  const std::string one = run_with(1);
  CHECK(one == run_with(4));
  CHECK(one.find("\"baseline\": \"exclusive\"") != std::string::npos);
}

TEST_CASE("compare analysis: one group per cluster, load and policy; paired groups leave out the baseline") {
  const PolicyRegistry registry = builtin_policies();
  CompareSpec s = small_spec();
  s.seeds = "1-3";
  const Experiment e = resolve(s, registry);
  GridOptions o;
  o.threads = 2;
  GridResult g = run_grid(e, registry, o);
  std::vector<RunOutcome> runs;
  for (auto& r : g.runs) runs.push_back(*r);
  const Analysis a = analyse(e, runs);
  CHECK(a.groups.size() == 2 * 3);   // 2 loads x 3 policies
  CHECK(a.paired.size() == 2 * 2);   // without exclusive
  for (const auto& ps : a.paired) {
    CHECK(ps.policy != *e.baseline);
    for (std::size_t m = 0; m < summary_metrics().size(); ++m) {
      REQUIRE(ps.differences[m].size() == 3);
      // The paired mean difference is the difference of the group means.
      const auto& mine = a.groups[ps.load * 3 + ps.policy].metrics[m];
      const auto& base = a.groups[ps.load * 3 + *e.baseline].metrics[m];
      CHECK(ps.metrics[m].difference.mean == doctest::Approx(mine.mean - base.mean));
    }
  }
  // Every job is accounted for in every run.
  for (const auto& r : runs) CHECK(r.summary.jobs == 60);
}

TEST_CASE("compare sweep files: textproto and JSON, paths relative to the file") {
  const auto dir = scratch("sweep");
  std::ofstream(dir / "cluster.textproto") << "name: \"c\"\n";
  std::ofstream(dir / "sweep.textproto") << R"(
trace: "gen:jobs=50,load=1"
clusters: "cluster.textproto"
clusters: "uniform:nodes=2,gpus_per_node=4"
policies: "binpack"
policies: "random:check_memory=false"
seeds: "1-5"
loads: [0.5, 1.0]
interference: "seed-paper"
baseline: "binpack"
options { key: "memory" value: "overcommit" }
options { key: "max_oom_retries" value: "0" }
)";
  const CompareSpec s = read_sweep((dir / "sweep.textproto").string());
  CHECK(s.trace == "gen:jobs=50,load=1");
  REQUIRE(s.clusters.size() == 2);
  CHECK(s.clusters[0] == (dir / "cluster.textproto").string());
  CHECK(s.clusters[1] == "uniform:nodes=2,gpus_per_node=4");
  CHECK(s.policies == std::vector<std::string>{"binpack", "random:check_memory=false"});
  CHECK(s.seeds == "1-5");
  CHECK(s.loads == std::vector<double>{0.5, 1.0});
  CHECK(s.interference == "seed-paper");
  CHECK(s.baseline == "binpack");
  CHECK(s.options.sim.memory == MemoryMode::overcommit);
  CHECK(s.options.sim.max_oom_retries == 0);
  CHECK(s.options.sim.discipline == QueueDiscipline::backfill);  // unset: the default

  std::ofstream(dir / "sweep.json") << R"({"trace": "gen:jobs=50", "clusters": ["uniform:nodes=1"], "seeds": "2-3", "loads": [1.5]})";
  const CompareSpec j = read_sweep((dir / "sweep.json").string());
  CHECK(j.seeds == "2-3");
  CHECK(j.loads == std::vector<double>{1.5});
  CHECK(j.options.sim.max_oom_retries == 3);

  // Options are the run options by key: an unknown key or a bad value names the file and key.
  std::ofstream(dir / "badopt.json") << R"({"trace": "gen:jobs=5", "options": {"backfill_dept": "0"}})";
  CHECK(error_of([&] { read_sweep((dir / "badopt.json").string()); }).find("options.backfill_dept") != std::string::npos);
  std::ofstream(dir / "badval.json") << R"({"trace": "gen:jobs=5", "options": {"backfill_depth": "-1"}})";
  CHECK(error_of([&] { read_sweep((dir / "badval.json").string()); }).find("backfill_depth") != std::string::npos);

  std::ofstream(dir / "bad.textproto") << "trace: \"x\"\nseedz: \"1\"\n";
  CHECK(error_of([&] { read_sweep((dir / "bad.textproto").string()); }).find("bad.textproto") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("issue 9: sweep files take trace_format, vary and allow_empty as colosim compare does") {
  const auto dir = scratch("sweep-trace");
  // A CSV trace under a name whose extension says nothing, with a header line and no jobs.
  std::ofstream(dir / "empty.jobs") << "id,app,submit_s,duration_s,gpus\n";
  std::ofstream(dir / "jobs.jobs") << "id,app,submit_s,duration_s,gpus\na,x,0,100,1\nb,x,10,100,1\nc,x,20,100,1\n";
  std::ofstream(dir / "empty.json") << R"({"trace": "empty.jobs", "trace_format": "csv", "allow_empty": true,
    "vary": "jitter:seconds=5", "clusters": ["uniform:nodes=1,gpus_per_node=1"], "policies": ["exclusive"],
    "seeds": "1-2"})";
  const CompareSpec s = read_sweep((dir / "empty.json").string());
  CHECK(s.trace == (dir / "empty.jobs").string());
  CHECK(s.trace_format == "csv");
  CHECK(s.vary == "jitter:seconds=5");
  CHECK(s.allow_empty);
  const PolicyRegistry registry = builtin_policies();
  const Experiment e = resolve(s, registry);
  CHECK(e.jobs.varies_with_seed());
  GridResult g = run_grid(e, registry, {});
  REQUIRE(g.complete());
  for (const auto& r : g.runs) CHECK(r->summary.jobs == 0);  // allowed, and empty

  // Without allow_empty the same trace is the error the CLI gives; without trace_format the
  // extension decides nothing.
  CompareSpec strict = s;
  strict.allow_empty = false;
  CHECK(error_of([&] { run_grid(resolve(strict, registry), registry, {}); }).find("empty.jobs: the trace has no jobs") !=
        std::string::npos);
  CompareSpec unnamed = s;
  unnamed.trace_format.clear();
  CHECK(error_of([&] { resolve(unnamed, registry); }).find("cannot tell the trace format") != std::string::npos);

  // jitter:seconds=5 moves each submit time by its own offset: the three jobs run in every seed,
  // each whole run takes 300 s of work on one GPU.
  std::ofstream(dir / "vary.textproto") << "trace: \"jobs.jobs\"\ntrace_format: \"csv\"\nvary: \"jitter:seconds=5\"\n"
                                           "clusters: \"uniform:nodes=1,gpus_per_node=1\"\npolicies: \"exclusive\"\n"
                                           "seeds: \"1-3\"\n";
  const Experiment v = resolve(read_sweep((dir / "vary.textproto").string()), registry);
  GridResult vg = run_grid(v, registry, {});
  REQUIRE(vg.complete());
  std::set<double> jcts;
  for (const auto& r : vg.runs) {
    CHECK(r->summary.jobs == 3);
    CHECK(r->summary.finished == 3);
    jcts.insert(r->summary.jct_mean_s);
  }
  CHECK(jcts.size() > 1);  // the seeds saw different arrival times
  std::filesystem::remove_all(dir);
}

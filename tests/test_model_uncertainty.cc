// How sure the calibrated model is (issue 14): prediction intervals from held-out residuals,
// slowdowns sampled from them under a seed (--interference-noise), measured values shown as
// measured, and `colosim predict --pairs` (CSV in, CSV out, full precision).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "checked_run.h"
#include "cli_runner.h"
#include "colosim/calibration.h"
#include "colosim/errors.h"
#include "colosim/pair_table.h"
#include "colosim/policies/builtin.h"
#include "colosim/job_source.h"
#include "colosim/traces/calibrated_model_io.h"
#include "shared_data.h"

using namespace colosim;

namespace {

// 10 applications on two GPU types: log s = 0.3 + sensitivity_v + intensity_a + a wobble the
// model cannot express, so held-out residuals are not all zero. Pairs in fold 0 of
// pair_fold(.., 5, 7) are not measured.
constexpr int kApps = 10;
std::string app(int a) { return "app" + std::to_string(10 + a); }
bool unmeasured(int v, int a) { return pair_fold(app(v), app(a), 5, 7) == 0; }
double log_s(int g, int v, int a) {
  return 0.3 + 0.05 * g + 0.1 * std::sin(1.7 * v) + 0.08 * std::cos(0.9 * a) + 0.04 * std::sin(3.1 * v * a + g);
}

InterferenceData noisy_data() {
  InterferenceData d;
  d.source = "wobbly";
  for (int g = 0; g < 2; ++g)
    for (int v = 0; v < kApps; ++v)
      for (int a = v; a < kApps; ++a) {
        if (unmeasured(v, a)) continue;
        PairMeasurement m;
        m.gpu_type = g == 0 ? "K80" : "V100";
        m.app_a = app(v);
        m.app_b = app(a);
        m.slowdown_a = std::exp(log_s(g, v, a));
        m.slowdown_b = v == a ? m.slowdown_a : std::exp(log_s(g, a, v));
        m.source = "wobbly";
        d.pairs.push_back(m);
      }
  return d;
}

CalibrationOptions quick() {
  CalibrationOptions o;
  o.ranks = {0, 1};
  o.factor_lambdas = {0.1};
  o.iterations = 10;
  return o;
}

const CalibratedModel& model() {
  static const CalibratedModel m(calibrate(noisy_data(), quick()));
  return m;
}

std::pair<int, int> an_unmeasured_pair() {
  for (int v = 0; v < kApps; ++v)
    for (int a = v + 1; a < kApps; ++a)
      if (unmeasured(v, a)) return {v, a};
  FAIL("no unmeasured pair");
  return {0, 0};
}

std::pair<int, int> a_measured_pair() {
  for (int v = 0; v < kApps; ++v)
    for (int a = v + 1; a < kApps; ++a)
      if (!unmeasured(v, a)) return {v, a};
  FAIL("no measured pair");
  return {0, 0};
}

JobSpec job(std::string id, const std::string& name, double solo_s) {
  JobSpec j;
  j.id = std::move(id);
  j.app = name;
  j.solo_duration = seconds_to_ticks(solo_s);
  j.gpu_milli = 500;
  return j;
}

}  // namespace

TEST_CASE("intervals: held-out residuals per GPU type give an interval around each prediction") {
  const auto& m = model();
  const auto& p = m.params();
  REQUIRE(p.pair_residuals.size() == 2);
  REQUIRE(p.new_app_residuals.size() == 2);
  for (const auto& r : p.pair_residuals) {
    CHECK_FALSE(r.empty());
    CHECK(std::is_sorted(r.begin(), r.end()));
  }
  const auto [v, a] = an_unmeasured_pair();
  const auto point = m.predict_pair({app(v)}, {app(a)}, "V100");
  REQUIRE(point.source == PredictionSource::fitted);
  const auto wide = m.interval({app(v)}, {app(a)}, "V100", 0.9);
  const auto narrow = m.interval({app(v)}, {app(a)}, "V100", 0.5);
  CHECK(wide.residuals == p.pair_residuals[1].size());
  CHECK(wide.low <= narrow.low);
  CHECK(narrow.low <= point.slowdown);
  CHECK(point.slowdown <= narrow.high);
  CHECK(narrow.high <= wide.high);
  CHECK(wide.low < wide.high);
  // The 90% interval is the fit moved by the residuals' 5% and 95% quantiles.
  const auto& r = p.pair_residuals[1];
  const double fit = m.log_fit({app(v)}, {app(a)}, 1);
  CHECK(wide.high == doctest::Approx(std::exp(fit + r[0] + 0.95 * (r.back() - r[0]))).epsilon(0.5));
  CHECK(wide.high <= std::exp(fit + r.back()) + 1e-12);
  CHECK(wide.low >= std::max(std::exp(fit + r.front()), 1.0) - 1e-12);
  // A measured pair is the measurement, zero width; a new application has its own, wider band.
  const auto [mv, ma] = a_measured_pair();
  const auto measured = m.interval({app(mv)}, {app(ma)}, "K80");
  CHECK(measured.low == measured.high);
  CHECK(measured.residuals == 0);
  CHECK_THROWS_AS(m.interval({app(v)}, {app(a)}, "V100", 1.0), Error);
}

TEST_CASE("noise: a sampled pair is the fit plus one held-out residual, the same for the same seed") {
  const auto& m = model();
  const auto [v, a] = an_unmeasured_pair();
  const auto& r = m.params().pair_residuals[1];
  const double fit = m.log_fit({app(v)}, {app(a)}, 1);
  std::set<double> values;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const double s = m.sampled_pair({app(v)}, {app(a)}, "V100", seed);
    CHECK(s == m.sampled_pair({app(v)}, {app(a)}, "V100", seed));
    values.insert(s);
    if (s > 1.0) {
      const double residual = std::log(s) - fit;
      CHECK(std::any_of(r.begin(), r.end(), [&](double x) { return std::abs(x - residual) < 1e-9; }));
    }
  }
  CHECK(values.size() > 3);
  // Measured pairs are not perturbed.
  const auto [mv, ma] = a_measured_pair();
  const auto measured = m.predict_pair({app(mv)}, {app(ma)}, "K80");
  REQUIRE(measured.source == PredictionSource::measured);
  CHECK(m.sampled_pair({app(mv)}, {app(ma)}, "K80", 5) == measured.slowdown);
  CHECK(m.can_sample());
}

TEST_CASE("noise: a run samples the model's error under its seed; policies and the checker agree") {
  const auto [v, a] = an_unmeasured_pair();
  const std::vector<JobSpec> jobs{job("x", app(v), 100), job("y", app(a), 100)};
  const auto cluster = ClusterSpec::uniform(1, 1, {"V100", 32768, 1.0});
  const PolicyRegistry registry = builtin_policies();
  auto run = [&](std::uint64_t seed, bool noise) {
    auto policy = registry.make("binpack");
    SimConfig config;
    config.seed = seed;
    config.interference_noise = noise;
    const auto checked = testing::run_checked(cluster, jobs, model(), *policy, config);
    CHECK(checked.violations == "");
    return checked.text;
  };
  CHECK(run(3, true) == run(3, true));
  std::set<std::string> outcomes;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) outcomes.insert(run(seed, true));
  CHECK(outcomes.size() > 1);
  // Without noise the seed does not change this run.
  CHECK(run(1, false) == run(2, false));
  // A model without a held-out error cannot be sampled: a clear error, not a silent no-op.
  PairTable table;
  table.set(app(v), app(a), 1.5);
  auto policy = registry.make("binpack");
  SimConfig config;
  config.interference_noise = true;
  CHECK_THROWS_WITH_AS(Simulator(cluster, table, *policy, config), doctest::Contains("no held-out error"), Error);
}

TEST_CASE("model file keeps the residuals and rejects counts that do not add up") {
  const auto dir = test_temp_dir("uncertainty");
  const auto path = (dir / "m.pb").string();
  traces::save_calibrated_model(model().params(), path);
  const auto back = traces::load_calibrated_model(path);
  CHECK(back.pair_residuals == model().params().pair_residuals);
  CHECK(back.new_app_residuals == model().params().new_app_residuals);
  auto bad = model().params();
  bad.pair_residuals.pop_back();
  CHECK_THROWS_AS(CalibratedModel{bad}, Error);
}

TEST_CASE("predict: a measured speed-up is shown as measured, with the floor stated apart") {
  const auto dir = test_temp_dir("predict-measured");
  {
    std::ofstream csv(dir / "pairs.csv");
    csv << "victim,aggressor,slowdown\nA,B,0.97\nB,A,1.4\nA,A,1.2\nB,B,1.1\nA,C,1.3\nC,A,1.25\nC,C,1.05\n";
  }
  const auto model_path = (dir / "m.pb").string();
  REQUIRE(run_colosim("calibrate --quiet --ranks 0 --data " + (dir / "pairs.csv").string() + " --out " + model_path).status == 0);
  const auto out = run_colosim("predict --model " + model_path + " --victim A --with B");
  CHECK(out.status == 0);
  CHECK(out.output.find("A beside B: 1 (measured 0.97, counted as 1: slowdowns are floored at min_slowdown 1") !=
        std::string::npos);
  MESSAGE(out.output);
}

TEST_CASE("predict --pairs: many pairs, CSV out at full precision, errors name file and line") {
  const auto dir = test_temp_dir("predict-pairs");
  {
    std::ofstream csv(dir / "pairs.csv");
    csv << "victim,aggressor,slowdown,gpu_type\n";
    for (int v = 0; v < 4; ++v)
      for (int a = 0; a < 4; ++a)
        if (!(v == 1 && a == 3) && !(v == 3 && a == 1))
          csv << app(v) << ',' << app(a) << ',' << 1.1 + 0.1 * v + 0.013 * a << ",V100\n";
  }
  const auto model_path = (dir / "m.pb").string();
  REQUIRE(run_colosim("calibrate --quiet --ranks 0 --data " + (dir / "pairs.csv").string() + " --out " + model_path).status == 0);
  {
    std::ofstream q(dir / "query.csv");
    q << "victim,aggressor\n" << app(0) << ',' << app(2) << '\n' << app(1) << ',' << app(3) << '\n';
  }
  const auto out_path = (dir / "out.csv").string();
  const auto r = run_colosim("predict --model " + model_path + " --pairs " + (dir / "query.csv").string() + " --out " + out_path);
  REQUIRE(r.status == 0);
  const std::string text = read_file(out_path);
  CHECK(text.rfind("victim,aggressor,gpu_type,slowdown,source,measured,interval_low,interval_high,feasible,"
                   "feasibility_source,p_infeasible\n", 0) == 0);
  // The measured pair, to the last digit of the measurement (1.1 + 0.026).
  CHECK(text.find("app10,app12,V100,1.126,measured,1.126,1.126,1.126,true,measured,\n") != std::string::npos);
  CHECK(text.find("app11,app13,V100,") != std::string::npos);
  CHECK(text.find(",fitted,,") != std::string::npos);
  {
    std::ofstream q(dir / "bad.csv");
    q << "victim,aggressor\n" << app(0) << ",nobody\n";
  }
  const auto bad = run_colosim("predict --model " + model_path + " --pairs " + (dir / "bad.csv").string());
  CHECK(bad.status != 0);
  CHECK(bad.output.find("bad.csv:2") != std::string::npos);
  CHECK(bad.output.find("'nobody' is not in the model") != std::string::npos);
}

TEST_CASE("fallback: outside the model's data a run errs unless asked, and counts what it guessed") {
  const auto [v, a] = an_unmeasured_pair();
  const PolicyRegistry registry = builtin_policies();
  auto run = [&](const std::vector<JobSpec>& jobs, const std::string& gpu_type, ModelFallback fallback) {
    auto policy = registry.make("binpack");
    SimConfig config;
    config.fallback = fallback;
    Simulator sim(ClusterSpec::uniform(1, 1, {gpu_type, 32768, 1.0}), model(), *policy, config);
    VectorJobSource source(jobs);
    return sim.run(source);
  };
  const std::vector<JobSpec> known{job("x", app(v), 100), job("y", app(a), 100)};
  JobSpec stranger = job("z", "never-measured", 100);
  stranger.features = {{"f", 1.0}};
  const std::vector<JobSpec> unknown{job("x", app(v), 100), stranger};
  // Known applications on a known type: every prediction from the data.
  const auto plain = run(known, "V100", {});
  CHECK(plain.predictions == 2);  // each of the two jobs once, when they start together
  CHECK(plain.app_fallbacks == 0);
  CHECK(plain.gpu_type_fallbacks == 0);
  // An unknown application: an error naming it, unless predictions from features are allowed.
  CHECK_THROWS_WITH_AS(run(unknown, "V100", {}), doctest::Contains("no data on application 'never-measured'"),
                       SimulationError);
  const auto guessed = run(unknown, "V100", {true, false});
  CHECK(guessed.predictions == 2);
  CHECK(guessed.app_fallbacks == 2);  // both jobs' predictions involve it
  // An unknown GPU type: the mean over the model's types only when asked.
  CHECK_THROWS_WITH_AS(run(known, "A100", {}), doctest::Contains("no data on GPU type 'A100'"), SimulationError);
  const auto mean = run(known, "A100", {false, true});
  CHECK(mean.gpu_type_fallbacks == 2);
  CHECK(mean.app_fallbacks == 0);
  // Alone on its GPU a job needs no prediction: nothing to allow.
  CHECK(run({stranger}, "A100", {}).predictions == 0);
  CHECK(parse_model_fallback("all").apps);
  CHECK(to_string(parse_model_fallback("gpu-types")) == "gpu-types");
  CHECK_THROWS_AS(parse_model_fallback("sometimes"), Error);
}

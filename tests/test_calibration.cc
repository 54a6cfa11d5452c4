// The calibrated interference model (issue 4): the fit recovers known parameters from
// synthetic data, and each prediction path (measured, unmeasured, new application, three
// co-runners, out of memory, measured infeasible) answers as documented in docs/interference.md.
#include <doctest/doctest.h>

#include <cmath>

#include "colosim/accuracy.h"
#include "colosim/calibration.h"
#include "colosim/traces/interference_import.h"
#include "shared_data.h"

using namespace colosim;

namespace {

// log s_g(v|a) = o_g + 0.3 x1_v + 0.2 x2_a + 0.25 u_v w_a, exactly (no per-app residual bias),
// for 14 applications with two features, on two GPU types.
struct Synthetic {
  static constexpr int A = 14;
  double x1[A], x2[A], u[A], w[A];
  double offset[2] = {0.5, 0.3};
  Synthetic() {
    for (int a = 0; a < A; ++a) {
      x1[a] = std::sin(1.3 * a);
      x2[a] = std::cos(0.7 * a + 0.4);
      u[a] = std::cos(2.1 * a);
      w[a] = std::sin(0.9 * a + 1.0);
    }
  }
  static std::string name(int a) { return "app" + std::to_string(10 + a); }  // sorted = index order
  double log_s(int g, int v, int a) const { return offset[g] + 0.3 * x1[v] + 0.2 * x2[a] + 0.25 * u[v] * w[a]; }
  // Pairs with pair_fold(.., 5, 99) == 0 are left out, to be predicted.
  static bool held_out(int v, int a) { return pair_fold(name(v), name(a), 5, 99) == 0; }
  InterferenceData data() const {
    InterferenceData d;
    d.source = "synthetic";
    for (int a = 0; a < A; ++a) d.apps.push_back({name(a), "", {{"f1", x1[a]}, {"f2", x2[a]}}});
    for (int g = 0; g < 2; ++g)
      for (int v = 0; v < A; ++v)
        for (int a = v; a < A; ++a) {
          if (held_out(v, a)) continue;
          PairMeasurement m;
          m.gpu_type = g == 0 ? "K80" : "V100";
          m.app_a = name(v);
          m.app_b = name(a);
          m.slowdown_a = std::exp(log_s(g, v, a));
          m.slowdown_b = v == a ? m.slowdown_a : std::exp(log_s(g, a, v));
          m.source = "synthetic";
          d.pairs.push_back(m);
        }
    return d;
  }
};

}  // namespace

TEST_CASE("calibration: known parameters recovered from noise-free synthetic pairs") {
  const Synthetic s;
  const auto data = s.data();
  CalibrationOptions opt;
  opt.use_measured = false;
  const auto prepared = prepare(data, opt);
  CalibrationHyper h;
  h.rank = 1;
  h.factor_lambda = 1e-4;
  h.bias_lambda = 1e-3;
  h.gpu_bias_lambda = 1e-3;
  h.feature_lambda = 1e-4;
  h.shared_factor_lambda = 1e-4;
  const CalibratedModel model(fit(prepared, prepared.observations, h, 200));
  const auto& p = model.params();
  // GPU offsets (up to the feature means, which the standardisation moves into the offset):
  // their difference is identified exactly.
  CHECK(p.gpu_offset[1] - p.gpu_offset[0] == doctest::Approx(-0.2).epsilon(0.01));
  // Feature coefficients, in standardised units: beta_f1 = 0.3 * sd(x1).
  REQUIRE(p.features.size() == 2);
  CHECK(p.victim_beta[0] / p.features[0].scale == doctest::Approx(0.3).epsilon(0.05));
  CHECK(p.aggressor_beta[1] / p.features[1].scale == doctest::Approx(0.2).epsilon(0.05));
  // Held-out pairs (never seen) predicted within 2% of the true slowdown.
  double worst = 0;
  int held = 0;
  for (int g = 0; g < 2; ++g)
    for (int v = 0; v < Synthetic::A; ++v)
      for (int a = 0; a < Synthetic::A; ++a) {
        if (!Synthetic::held_out(v, a)) continue;
        ++held;
        const auto pred = model.predict_pair({Synthetic::name(v), {}, 0}, {Synthetic::name(a), {}, 0}, g ? "V100" : "K80");
        CHECK(pred.source == PredictionSource::fitted);
        const double truth = std::max(1.0, std::exp(s.log_s(g, v, a)));
        worst = std::max(worst, std::abs(pred.slowdown - truth) / truth);
      }
  CHECK(held > 10);
  CHECK(worst < 0.02);
}

TEST_CASE("calibration: Huber's loss keeps one far-off pair from pulling the fit") {
  // The synthetic pairs, with one victim's slowdowns beside one aggressor made 5x larger on
  // both types (a measurement gone wrong): squares spread that error over the victim's and the
  // aggressor's terms, Huber's loss mostly ignores it.
  const Synthetic s;
  auto data = s.data();
  int corrupted = 0;
  for (auto& m : data.pairs)
    if (m.app_a == Synthetic::name(2) && m.app_b == Synthetic::name(5)) {
      m.slowdown_a *= 5;
      ++corrupted;
    }
  REQUIRE(corrupted == 2);
  CalibrationOptions opt;
  opt.use_measured = false;
  const auto prepared = prepare(data, opt);
  CalibrationHyper h;
  h.rank = 1;
  h.factor_lambda = 1e-3;
  h.bias_lambda = 1e-2;
  h.gpu_bias_lambda = 1e-2;
  auto worst_error = [&](bool robust) {
    h.robust = robust;
    const CalibratedModel model(fit(prepared, prepared.observations, h, 60));
    double worst = 0;
    for (int g = 0; g < 2; ++g)
      for (int v = 0; v < Synthetic::A; ++v)
        for (int a = 0; a < Synthetic::A; ++a) {
          if (!Synthetic::held_out(v, a)) continue;
          const auto pred = model.predict_pair({Synthetic::name(v), {}, 0}, {Synthetic::name(a), {}, 0}, g ? "V100" : "K80");
          const double truth = std::max(1.0, std::exp(s.log_s(g, v, a)));
          worst = std::max(worst, std::abs(pred.slowdown - truth) / truth);
        }
    return worst;
  };
  const double squares = worst_error(false), huber = worst_error(true);
  CAPTURE(squares);
  CAPTURE(huber);
  CHECK(huber < 0.2 * squares);
  CHECK(huber < 0.1);
}

TEST_CASE("calibration: deterministic, and cross-validation picks an interaction") {
  const Synthetic s;
  CalibrationOptions opt;
  opt.ranks = {0, 1, 2};
  opt.factor_lambdas = {0.01, 0.1};
  opt.shared_factor_lambdas = {std::numeric_limits<double>::infinity()};
  opt.inner_folds = 3;
  opt.iterations = 20;
  const auto a = calibrate(s.data(), opt);
  const auto b = calibrate(s.data(), opt);
  CHECK(a.hyper.rank >= 1);  // the data has a rank-1 interaction
  CHECK(a.cv_mape < 0.03);
  CHECK(a.victim_gpu_factor[0] == b.victim_gpu_factor[0]);  // bit-identical
  CHECK(a.gpu_offset == b.gpu_offset);
}

namespace {

// Three applications measured on one GPU type "V100" (32 GiB in the tests' GpuType): a is heavy,
// c is light; the pair (b, c) is not measured; (a, a) could not run together.
InterferenceData small_data() {
  InterferenceData d;
  d.source = "small";
  d.apps = {{"a", "", {{"memory_mib", 12000}, {"sm_util", 90}}},
            {"b", "", {{"memory_mib", 6000}, {"sm_util", 60}}},
            {"c", "", {{"memory_mib", 2000}, {"sm_util", 20}}}};
  auto pair = [&](std::string x, std::string y, double sx, double sy) {
    PairMeasurement m;
    m.gpu_type = "V100";
    m.app_a = std::move(x);
    m.app_b = std::move(y);
    m.slowdown_a = sx;
    m.slowdown_b = sy;
    m.source = "small";
    d.pairs.push_back(m);
  };
  pair("a", "b", 1.6, 1.9);
  pair("a", "c", 1.2, 1.5);
  pair("b", "b", 1.5, 1.5);
  pair("c", "c", 1.05, 1.05);
  PairMeasurement inf;
  inf.gpu_type = "V100";
  inf.app_a = inf.app_b = "a";
  inf.feasible = false;
  inf.source = "small";
  d.pairs.push_back(inf);
  return d;
}

CalibratedModel small_model(bool use_measured = true) {
  CalibrationOptions opt;
  opt.ranks = {0};
  opt.use_measured = use_measured;
  opt.context_overhead_mib = 300;
  return CalibratedModel(calibrate(small_data(), opt));
}

JobSpec job(std::string app, std::int64_t mib = 0) {
  JobSpec j;
  j.id = app;
  j.app = std::move(app);
  j.memory_mib = mib;
  return j;
}

const GpuType v100{"V100", 32 * 1024, 1.0};

}  // namespace

TEST_CASE("calibrated model: measured pair returns its measurement, or the fit when smoothing") {
  const auto m = small_model();
  auto p = m.predict_pair({"a"}, {"b"}, "V100");
  CHECK(p.source == PredictionSource::measured);
  CHECK(p.slowdown == 1.6);
  CHECK(m.predict_pair({"b"}, {"a"}, "v100").slowdown == 1.9);  // GPU type names match case-insensitively
  const auto smooth = small_model(false);
  p = smooth.predict_pair({"a"}, {"b"}, "V100");
  CHECK(p.source == PredictionSource::fitted);
  CHECK(p.slowdown != 1.6);
  CHECK(p.slowdown == doctest::Approx(1.6).epsilon(0.25));
}

TEST_CASE("calibrated model: unmeasured pair and new application are predicted, not refused") {
  const auto m = small_model();
  const auto bc = m.predict_pair({"b"}, {"c"}, "V100");
  CHECK(bc.source == PredictionSource::fitted);
  // Between what c does to the light c (1.05) and to the heavy a (1.5)... b's sensitivity is
  // between a's and c's, so a finite value above 1 is what the fit can say.
  CHECK(bc.slowdown >= 1.0);
  CHECK(bc.slowdown < 2.0);
  // A new application known by features only, like a's: heavier than one like c's.
  AppQuery heavy{"new-heavy", {{"memory_mib", 12000}, {"sm_util", 90}}, 0};
  AppQuery light{"new-light", {{"memory_mib", 2000}, {"sm_util", 20}}, 0};
  const auto ph = m.predict_pair({"b"}, heavy, "V100"), pl = m.predict_pair({"b"}, light, "V100");
  CHECK(ph.source == PredictionSource::features_only);
  CHECK(ph.slowdown > pl.slowdown);
  // Unknown GPU type: the mean over the data's types, still an answer.
  CHECK(m.predict_pair({"b"}, {"c"}, "A100").slowdown == doctest::Approx(bc.slowdown));
}

TEST_CASE("calibrated model: three co-runners add excess slowdowns, bounded by time-slicing") {
  const auto m = small_model();
  // b beside a (1.9) and beside b (1.5): 1 + 0.9 + 0.5 = 2.4 <= max(3, 1.9).
  const JobSpec a = job("a"), b = job("b"), b2 = job("b");
  const JobSpec* two[] = {&a, &b2};
  CHECK(m.slowdown(b, two, v100) == doctest::Approx(2.4));
  CHECK(m.slowdown(b, {}, v100) == 1.0);
  const double s[] = {2.5, 2.5, 2.5};
  CHECK(compose_excess(s, 1.0) == doctest::Approx(4.0));   // 1 + 4.5 capped at 4 jobs sharing
  const double big[] = {6.0, 1.5};
  CHECK(compose_excess(big, 1.0) == doctest::Approx(6.0));  // one pair already worse than slicing
  const double sq[] = {1.3, 1.4};
  CHECK(compose_excess(sq, 2.0) == doctest::Approx(1.5));   // exponent 2: 1 + sqrt(0.09 + 0.16)
}

TEST_CASE("calibrated model: out of memory and measured-infeasible pairs are infeasible") {
  const auto m = small_model();
  // Measured infeasible: never predicted feasible, whatever the memory says.
  CHECK_FALSE(m.feasible(job("a", 1000), job("a", 1000), v100));
  // Profile memory: b + c = 6000 + 2000 + 2 x 300 context fits 32 GiB; not 8 GiB.
  CHECK(m.feasible(job("b"), job("c"), v100));
  CHECK_FALSE(m.feasible(job("b"), job("c"), GpuType{"V100", 8000, 1.0}));
  CHECK(m.feasible(job("b"), job("c"), GpuType{"V100", 8600, 1.0}));
  // The job's own memory, when given, wins over the profile.
  CHECK_FALSE(m.feasible(job("b", 20000), job("c", 13000), v100));  // 33,600 > 32,768
  const AppQuery q[] = {{"a"}, {"a"}};
  CHECK(m.predict({"b"}, q, v100).source == PredictionSource::infeasible);
}

TEST_CASE("accuracy report: reduced run on lucid beats the bias-only baseline") {
  auto pairs = shared_data_file("lucid-colocation/colocate_info.csv");
  auto single = shared_data_file("lucid-colocation/single_data.csv");
  if (!pairs || !single) return;
  const auto data = traces::import_lucid(pairs->string(), single->string());
  AccuracyOptions opt;
  opt.folds = 5;
  opt.leave_one_app_out = false;
  opt.calibration.ranks = {3};
  opt.calibration.factor_lambdas = {0.1};
  opt.calibration.iterations = 15;
  const auto r = evaluate_accuracy(data, opt);
  REQUIRE(r.gpus.size() == 1);
  const auto& methods = r.gpus[0].methods;
  auto mape = [&](Method m) {
    for (const auto& x : methods)
      if (x.method == m) return x.kfold.mape;
    FAIL("method missing");
    return 0.0;
  };
  MESSAGE(format_report(r));
  CHECK(mape(Method::model) < 0.05);
  CHECK(mape(Method::model) < 0.8 * mape(Method::bias_only));
  CHECK(mape(Method::model) < mape(Method::global_mean));
}

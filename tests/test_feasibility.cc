// Feasibility of pairs nobody measured (issue 14): a latent memory demand learnt from pairs
// measured infeasible and feasible. Hand-made threshold graphs with a known answer, a new
// application known by features, the model file, the simulator under --memory enforce, and
// the held-out report on Gavel's data.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "colosim/accuracy.h"
#include "colosim/calibration.h"
#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/calibrated_model_io.h"
#include "colosim/traces/interference_import.h"
#include "shared_data.h"

using namespace colosim;

namespace {

// Applications app10..app19 with demands 1..10 units on a GPU of 11 units: a pair is
// infeasible exactly when the demands sum to more than 11 (a threshold graph). `units` is also
// a solo feature, for the new-application case.
constexpr int kApps = 10;
std::string app(int units) { return "app" + std::to_string(9 + units); }  // sorted = demand order

bool truly_infeasible(int a, int b) { return a + b > 11; }

InterferenceData threshold_graph(const std::vector<std::pair<int, int>>& withheld, bool with_features) {
  InterferenceData d;
  d.source = "threshold graph";
  if (with_features)
    for (int a = 1; a <= kApps; ++a) d.apps.push_back({app(a), "", {{"units", static_cast<double>(a)}}});
  for (int a = 1; a <= kApps; ++a)
    for (int b = a; b <= kApps; ++b) {
      if (std::find(withheld.begin(), withheld.end(), std::pair{a, b}) != withheld.end()) continue;
      PairMeasurement m;
      m.gpu_type = "small";
      m.app_a = app(a);
      m.app_b = app(b);
      m.feasible = !truly_infeasible(a, b);
      if (m.feasible) m.slowdown_a = m.slowdown_b = 1.0 + 0.02 * (a + b);
      m.source = "hand-made";
      d.pairs.push_back(m);
    }
  return d;
}

CalibrationOptions quick() {
  CalibrationOptions o;
  o.ranks = {0};
  o.iterations = 5;
  return o;
}

const GpuType small_gpu{"small", 0, 1.0};  // memory unknown: feasibility from the classifier alone

JobSpec job(const std::string& name) {
  JobSpec j;
  j.id = "j";
  j.app = name;
  return j;
}

}  // namespace

TEST_CASE("feasibility: unmeasured pairs of a threshold graph are called as the demands say") {
  // Withheld: deep inside the infeasible side (8+9), deep inside the feasible side (2+3), and
  // two pairs next to the boundary whose side the measured pairs decide: 5+8 > 11 as 5+7 is
  // measured infeasible, 3+7 <= 11 as 3+8 is measured feasible.
  const std::vector<std::pair<int, int>> withheld{{8, 9}, {2, 3}, {5, 8}, {3, 7}};
  const auto data = threshold_graph(withheld, false);
  const CalibratedModel model(calibrate(data, quick()));
  const auto& f = model.params().feasibility;
  REQUIRE(f.fitted);
  // The learnt demand orders the applications as their true demand does.
  for (int a = 1; a < kApps; ++a) CHECK(f.demand[a - 1] <= f.demand[a]);
  CHECK(f.demand[0] < f.demand[kApps - 1]);
  // Measured pairs answer from the measurement.
  const auto measured = model.feasibility({app(10)}, {app(10)}, small_gpu);
  CHECK(measured.source == FeasibilitySource::measured);
  CHECK_FALSE(measured.feasible);
  CHECK(model.feasibility({app(1)}, {app(10)}, small_gpu).feasible);
  auto p = [&](int a, int b) {
    const auto x = model.feasibility({app(a)}, {app(b)}, small_gpu);
    CHECK(x.source == FeasibilitySource::predicted);
    return x.probability;
  };
  CHECK(p(8, 9) > 0.95);
  CHECK(p(5, 8) > 0.5);
  CHECK(p(3, 7) < 0.5);
  CHECK(p(2, 3) < 0.01);
  CHECK(p(2, 3) < p(3, 7));
  CHECK(p(3, 7) < p(5, 8));
  CHECK(p(5, 8) < p(8, 9));
  // At the default, conservative threshold (0.02) the infeasible ones are called infeasible;
  // the simulator asks through JobSpecs.
  CHECK_FALSE(model.feasible(job(app(8)), job(app(9)), small_gpu));
  CHECK_FALSE(model.feasible(job(app(5)), job(app(8)), small_gpu));
  CHECK(model.feasible(job(app(2)), job(app(3)), small_gpu));
  // An unknown GPU type takes the data's one type here; with several it takes the worst.
  CHECK_FALSE(model.feasible(job(app(5)), job(app(8)), GpuType{"other", 0, 1.0}));
}

TEST_CASE("feasibility: the threshold trades missed infeasible pairs for forgone co-locations") {
  const std::vector<std::pair<int, int>> withheld{{5, 8}};
  auto opt = quick();
  opt.infeasible_threshold = 0.999999;  // almost nothing is called infeasible
  const CalibratedModel lax(calibrate(threshold_graph(withheld, false), opt));
  const auto p = lax.feasibility({app(5)}, {app(8)}, small_gpu);
  CHECK(p.probability < 0.999999);
  CHECK(p.feasible);
  opt.infeasible_threshold = 0.0;
  CHECK_THROWS_AS(calibrate(threshold_graph(withheld, false), opt), Error);
}

TEST_CASE("feasibility: the simulator keeps a pair predicted infeasible apart under --memory enforce") {
  // One GPU; app17 (8 units) runs 100 s from 0; app18 (9 units) arrives at 1 s. 8 + 9 was never
  // measured: predicted infeasible, so binpack cannot stack it and it waits for the GPU. app10
  // (1 unit, arriving at 2 s) is predicted feasible beside app17 and stacks at once.
  const CalibratedModel model(calibrate(threshold_graph({{8, 9}, {1, 8}}, false), quick()));
  CHECK(model.feasibility({app(1)}, {app(8)}, small_gpu).source == FeasibilitySource::predicted);
  auto make = [](std::string id, int units, double submit_s) {
    JobSpec j = job(app(units));
    j.id = std::move(id);
    j.solo_duration = seconds_to_ticks(100);
    j.submit = seconds_to_ticks(submit_s);
    j.gpu_milli = 250;
    return j;
  };
  const PolicyRegistry registry = builtin_policies();
  auto policy = registry.make("binpack");
  SimConfig config;
  config.memory = MemoryMode::enforce;
  const auto result = simulate(ClusterSpec::uniform(1, 1, {"small", 16384, 1.0}), {make("big", 8, 0), make("bigger", 9, 1),
                                                                       make("small", 1, 2)},
                               model, *policy, config);
  std::map<std::string, JobRecord> by_id;
  for (const auto& r : result.jobs) by_id[r.id] = r;
  REQUIRE(by_id.size() == 3);
  CHECK(by_id["small"].start == seconds_to_ticks(2));
  CHECK(by_id["bigger"].start >= by_id["big"].end);
  CHECK(by_id["bigger"].outcome == JobOutcome::finished);
}

TEST_CASE("feasibility: a new application is placed by its features") {
  // app19 (10 units) is never measured; its feature says how big it is.
  InterferenceData data = threshold_graph({}, true);
  std::erase_if(data.pairs, [](const PairMeasurement& m) { return m.app_a == app(10) || m.app_b == app(10); });
  std::erase_if(data.apps, [](const AppProfile& p) { return p.name == app(10); });
  const CalibratedModel model(calibrate(data, quick()));
  REQUIRE(model.params().feasibility.fitted);
  const AppQuery big{"new", {{"units", 10.0}}, 0};
  const AppQuery tiny{"new", {{"units", 1.0}}, 0};
  CHECK_FALSE(model.feasibility(big, {app(9)}, small_gpu).feasible);  // 10 + 9 > 11
  CHECK(model.feasibility(tiny, {app(2)}, small_gpu).feasible);       // 1 + 2 <= 11
  CHECK(model.feasibility(big, {app(9)}, small_gpu).probability >
        model.feasibility(tiny, {app(9)}, small_gpu).probability);
}

TEST_CASE("feasibility: no infeasible pair measured means no classifier, and memory still rules") {
  InterferenceData data = threshold_graph({}, false);
  std::erase_if(data.pairs, [](const PairMeasurement& m) { return !m.feasible; });
  const CalibratedModel model(calibrate(data, quick()));
  CHECK_FALSE(model.params().feasibility.fitted);
  const auto p = model.feasibility({app(9)}, {app(10)}, small_gpu);
  CHECK(p.source == FeasibilitySource::not_modelled);
  CHECK(p.feasible);
  CHECK(std::isnan(p.probability));
  const AppQuery big{app(9), {}, 9000}, other{app(10), {}, 9000};
  const auto oom = model.feasibility(big, other, GpuType{"small", 16000, 1.0});
  CHECK(oom.out_of_memory);
  CHECK_FALSE(oom.feasible);
}

TEST_CASE("feasibility: the model file keeps the classifier, and rejects a corrupt threshold") {
  const auto params = calibrate(threshold_graph({{5, 8}}, false), quick());
  const auto dir = test_temp_dir("feasibility");
  const auto path = (dir / "model.pb").string();
  traces::save_calibrated_model(params, path);
  const auto back = traces::load_calibrated_model(path);
  REQUIRE(back.feasibility.fitted);
  CHECK(back.feasibility.threshold == params.feasibility.threshold);
  CHECK(back.feasibility.demand == params.feasibility.demand);
  CHECK(back.feasibility.gpu_offset == params.feasibility.gpu_offset);
  const CalibratedModel a(params), b(back);
  CHECK(a.feasibility({app(5)}, {app(8)}, small_gpu).probability ==
        b.feasibility({app(5)}, {app(8)}, small_gpu).probability);
  auto bad = params;
  bad.feasibility.demand[0] = std::nan("");
  CHECK_THROWS_AS(CalibratedModel{bad}, Error);
}

TEST_CASE("feasibility report on Gavel: held-out infeasible pairs are caught") {
  auto file = shared_data_file("gavel-colocation/simulation_throughputs.json");
  if (!file) return;
  const auto data = traces::import_interference_data({file->string()});
  AccuracyOptions opt;
  opt.leave_one_app_out = false;
  opt.single_type_models = false;
  opt.calibration.ranks = {0};
  opt.calibration.iterations = 2;
  const auto r = evaluate_accuracy(data, opt);
  MESSAGE(format_report(r));
  REQUIRE(r.feasibility.size() == 3);
  CHECK(r.infeasible_pairs == 38 + 9 + 16);
  std::size_t infeasible = 0, missed = 0, feasible = 0, false_alarms = 0;
  for (const auto& g : r.feasibility) {
    const auto c = confusion(g.kfold, opt.calibration.infeasible_threshold);
    infeasible += c.caught + c.missed;
    missed += c.missed;
    feasible += c.cleared + c.false_alarm;
    false_alarms += c.false_alarm;
  }
  CHECK(infeasible == 63);
  CHECK(feasible == 265 + 294 + 287);
  // Before the classifier all 63 were missed. The goal: (almost) none missed, at the cost of a
  // bounded share of feasible pairs forgone.
  CHECK(missed <= 2);
  CHECK(false_alarms < feasible / 5);
}

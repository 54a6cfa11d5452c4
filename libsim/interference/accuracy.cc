#include "colosim/accuracy.h"
#include "colosim/rank_correlation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

#include "colosim/errors.h"

namespace colosim {

const char* to_string(Method m) {
  switch (m) {
    case Method::model: return "model (all GPU types)";
    case Method::model_single: return "model (this GPU type only)";
    case Method::global_mean: return "baseline: global mean";
    case Method::bias_only: return "baseline: victim+aggressor bias";
    case Method::features_only: return "baseline: features only";
    case Method::util_sum: return "baseline: utilisation sum";
  }
  return "?";
}

namespace {

// Predicts the log slowdown of held-out observations from a training set.
using Predictor = std::function<std::vector<double>(const PreparedData&, const std::vector<Observation>& train,
                                                    const std::vector<Observation>& test)>;

std::vector<double> predict_with(const CalibratedParams& params, const std::vector<Observation>& test) {
  CalibratedModel model(params);
  std::vector<double> out;
  for (const auto& o : test)
    out.push_back(model.log_fit({params.apps[o.victim], {}, 0}, {params.apps[o.aggressor], {}, 0}, o.gpu));
  return out;
}

Predictor model_predictor(const CalibrationOptions& options) {
  return [options](const PreparedData& d, const std::vector<Observation>& train, const std::vector<Observation>& test) {
    return predict_with(calibrate(d, train, options), test);
  };
}

Predictor fixed_predictor(CalibrationHyper hyper) {
  return [hyper](const PreparedData& d, const std::vector<Observation>& train, const std::vector<Observation>& test) {
    return predict_with(fit(d, train, hyper, 0), test);
  };
}

std::vector<double> global_mean(const PreparedData&, const std::vector<Observation>& train,
                                const std::vector<Observation>& test) {
  std::map<int, std::pair<double, int>> by_gpu;
  double all = 0;
  for (const auto& o : train) {
    by_gpu[o.gpu].first += o.log_slowdown;
    by_gpu[o.gpu].second += 1;
    all += o.log_slowdown;
  }
  all /= static_cast<double>(std::max<std::size_t>(train.size(), 1));
  std::vector<double> out;
  for (const auto& o : test) {
    auto it = by_gpu.find(o.gpu);
    out.push_back(it == by_gpu.end() ? all : it->second.first / it->second.second);
  }
  return out;
}

// Raw solo SM utilisation of each application (mean over its profiles), NaN when unknown.
std::vector<double> sm_util(const InterferenceData& data, const std::vector<std::string>& apps) {
  std::map<std::string, std::pair<double, int>> sums;
  for (const auto& p : data.apps) {
    auto it = p.features.find(feature::sm_util);
    if (it == p.features.end()) continue;
    sums[p.name].first += it->second;
    sums[p.name].second += 1;
  }
  std::vector<double> out;
  for (const auto& a : apps) {
    auto it = sums.find(a);
    out.push_back(it == sums.end() ? std::numeric_limits<double>::quiet_NaN() : it->second.first / it->second.second);
  }
  return out;
}

struct Run {
  Method method;
  const PreparedData* data;
  Predictor predictor;
  int only_gpu = -1;  // index, in `data`, of the GPU type this run reports; -1: all
  std::vector<std::string> gpu_names;
};

}  // namespace

ErrorStats error_stats(const std::vector<HeldOut>& h) {
  ErrorStats s;
  s.n = h.size();
  if (h.empty()) return s;
  std::vector<double> rel;
  double mae = 0;
  for (const auto& x : h) {
    rel.push_back(std::abs(x.predicted - x.measured) / x.measured);
    mae += std::abs(x.predicted - x.measured);
  }
  s.mape = std::accumulate(rel.begin(), rel.end(), 0.0) / static_cast<double>(rel.size());
  s.mae = mae / static_cast<double>(h.size());
  std::sort(rel.begin(), rel.end());
  s.max = rel.back();
  const auto rank = static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(rel.size())));
  s.p90 = rel[std::max<std::size_t>(rank, 1) - 1];
  std::map<std::pair<int, int>, std::pair<std::vector<double>, std::vector<double>>> groups;
  for (const auto& x : h) {
    groups[{x.gpu, x.victim}].first.push_back(x.measured);
    groups[{x.gpu, x.victim}].second.push_back(x.predicted);
  }
  double sum = 0;
  for (const auto& [key, g] : groups) {
    if (g.first.size() < 3) continue;
    const auto rho = spearman_correlation(g.first, g.second);
    if (!rho) continue;
    sum += *rho;
    ++s.victims;
  }
  s.rank_corr = s.victims ? sum / static_cast<double>(s.victims) : std::numeric_limits<double>::quiet_NaN();
  return s;
}

double Confusion::recall() const {
  const auto n = caught + missed;
  return n ? static_cast<double>(caught) / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

double Confusion::precision() const {
  const auto n = caught + false_alarm;
  return n ? static_cast<double>(caught) / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

double Confusion::false_alarm_rate() const {
  const auto n = false_alarm + cleared;
  return n ? static_cast<double>(false_alarm) / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

Confusion confusion(const std::vector<FeasibilityHeldOut>& held_out, double threshold) {
  Confusion c;
  for (const auto& h : held_out) {
    const bool called_infeasible = h.probability >= threshold;
    if (h.infeasible) (called_infeasible ? c.caught : c.missed) += 1;
    else (called_infeasible ? c.false_alarm : c.cleared) += 1;
  }
  return c;
}

namespace {

// Held-out feasibility per GPU type: the classifier fitted without the held-out pairs.
std::vector<FeasibilityAccuracy> evaluate_feasibility(const PreparedData& all, const AccuracyOptions& options) {
  const auto& b = all.base;
  std::vector<FeasibilityAccuracy> out;
  for (const auto& g : b.gpu_types) out.push_back({g, {}, {}});
  auto held_out = [&](const std::vector<PairOutcome>& train, const std::vector<PairOutcome>& test,
                      std::vector<FeasibilityHeldOut> FeasibilityAccuracy::*sink) {
    if (test.empty() || train.empty()) return;
    const auto f = fit_feasibility(all, train, options.calibration);
    for (const auto& o : test) {
      double p = 0;  // not fitted (no infeasible pair in training): memory alone, unknown here
      if (f.fitted) p = pair_infeasible_probability(f, b.app_features, o.a, o.b, o.gpu);
      (out[static_cast<std::size_t>(o.gpu)].*sink).push_back({o.infeasible, p});
    }
  };
  for (auto seed : options.seeds)
    for (int k = 0; k < options.folds; ++k) {
      std::vector<PairOutcome> train, test;
      for (const auto& o : all.outcomes)
        (pair_fold(b.apps[o.a], b.apps[o.b], options.folds, seed) == k ? test : train).push_back(o);
      held_out(train, test, &FeasibilityAccuracy::kfold);
    }
  if (options.leave_one_app_out)
    for (int a = 0; a < static_cast<int>(b.apps.size()); ++a) {
      std::vector<PairOutcome> train, test;
      for (const auto& o : all.outcomes) (o.a == a || o.b == a ? test : train).push_back(o);
      held_out(train, test, &FeasibilityAccuracy::leave_app_out);
    }
  return out;
}

}  // namespace

AccuracyReport evaluate_accuracy(const InterferenceData& data, const AccuracyOptions& options) {
  const auto& copt = options.calibration;
  const PreparedData all = prepare(data, copt);
  AccuracyReport report;
  report.source = data.source;
  report.options = options;
  report.applications = all.base.apps.size();
  report.observations = all.observations.size();
  for (const auto& m : data.pairs) report.pairs += m.feasible ? 1 : 0;
  for (const auto& o : all.outcomes) report.infeasible_pairs += o.infeasible ? 1 : 0;
  if (report.infeasible_pairs > 0) report.feasibility = evaluate_feasibility(all, options);
  const auto& gpus = all.base.gpu_types;
  const int G = static_cast<int>(gpus.size());

  CalibrationHyper bias;
  bias.rank = 0;
  bias.use_features = false;
  CalibrationHyper feats;
  feats.rank = 0;
  feats.use_biases = false;

  std::vector<Run> runs;
  runs.push_back({Method::model, &all, model_predictor(copt), -1, gpus});
  std::vector<PreparedData> singles;
  singles.reserve(static_cast<std::size_t>(G));
  if (G > 1 && options.single_type_models) {
    for (int g = 0; g < G; ++g) {
      InterferenceData sub = data;
      std::erase_if(sub.pairs, [&](const PairMeasurement& m) { return m.gpu_type != gpus[g]; });
      singles.push_back(prepare(sub, copt));
      runs.push_back({Method::model_single, &singles.back(), model_predictor(copt), 0, {gpus[g]}});
    }
  }
  runs.push_back({Method::global_mean, &all, global_mean, -1, gpus});
  runs.push_back({Method::bias_only, &all, fixed_predictor(bias), -1, gpus});
  runs.push_back({Method::features_only, &all, fixed_predictor(feats), -1, gpus});
  const auto util = sm_util(data, all.base.apps);
  const bool util_known = std::none_of(all.observations.begin(), all.observations.end(), [&](const Observation& o) {
    return std::isnan(util[o.victim]) || std::isnan(util[o.aggressor]);
  });
  if (util_known)
    runs.push_back({Method::util_sum, &all,
                    [util](const PreparedData&, const std::vector<Observation>&, const std::vector<Observation>& test) {
                      std::vector<double> out;
                      for (const auto& o : test) out.push_back(std::log(std::max(1.0, (util[o.victim] + util[o.aggressor]) / 100.0)));
                      return out;
                    },
                    -1, gpus});

  // (method, gpu name) -> held-out predictions
  std::map<std::pair<Method, std::string>, std::vector<HeldOut>> kfold, loao;
  const double floor = all.base.min_slowdown;
  auto evaluate = [&](const Run& run, const std::vector<Observation>& train, const std::vector<Observation>& test,
                      std::map<std::pair<Method, std::string>, std::vector<HeldOut>>& sink) {
    if (test.empty() || train.empty()) return;
    const auto pred = run.predictor(*run.data, train, test);
    for (std::size_t i = 0; i < test.size(); ++i) {
      const auto& o = test[i];
      sink[{run.method, run.gpu_names[static_cast<std::size_t>(o.gpu)]}].push_back(
          {o.gpu, o.victim, o.aggressor, std::exp(o.log_slowdown), std::max(std::exp(pred[i]), floor)});
    }
  };
  for (const auto& run : runs) {
    const auto& obs = run.data->observations;
    const auto& apps = run.data->base.apps;
    for (auto seed : options.seeds)
      for (int f = 0; f < options.folds; ++f) {
        std::vector<Observation> train, test;
        for (const auto& o : obs)
          (pair_fold(apps[o.victim], apps[o.aggressor], options.folds, seed) == f ? test : train).push_back(o);
        evaluate(run, train, test, kfold);
      }
    if (!options.leave_one_app_out) continue;
    for (int a = 0; a < static_cast<int>(apps.size()); ++a) {
      std::vector<Observation> train, test;
      for (const auto& o : obs) (o.victim == a || o.aggressor == a ? test : train).push_back(o);
      evaluate(run, train, test, loao);
    }
  }
  for (int g = 0; g < G; ++g) {
    GpuAccuracy ga{gpus[g], {}};
    for (Method m : {Method::model, Method::model_single, Method::global_mean, Method::bias_only, Method::features_only,
                     Method::util_sum}) {
      MethodAccuracy ma{m, true, "", {}, {}};
      auto k = kfold.find({m, gpus[g]});
      if (k == kfold.end()) {
        if (m == Method::model_single) continue;
        ma.available = false;
        ma.note = m == Method::util_sum ? "no solo SM utilisation in the data" : "no prediction";
      } else {
        ma.kfold = error_stats(k->second);
        auto l = loao.find({m, gpus[g]});
        if (l != loao.end()) ma.leave_app_out = error_stats(l->second);
      }
      ga.methods.push_back(ma);
    }
    report.gpus.push_back(std::move(ga));
  }
  const auto chosen = calibrate(all, all.observations, copt);
  std::ostringstream os;
  os << "rank " << chosen.hyper.rank << ", factor lambda " << chosen.hyper.factor_lambda << ", shared factor lambda "
     << chosen.hyper.shared_factor_lambda << ", loss " << (chosen.hyper.robust ? "huber" : "squared")
     << ", inner-CV MAPE " << 100 * chosen.cv_mape << "%";
  report.chosen = os.str();
  return report;
}

namespace {

std::string percent(double x) {
  if (std::isnan(x)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100 * x);
  return b;
}

void format_feasibility(std::ostringstream& os, const AccuracyReport& r) {
  os << "\nFeasibility of pairs measured neither way: ";
  if (r.feasibility.empty()) {
    os << "no pair was measured infeasible, so no classifier is fitted; memory alone decides (memory of both "
          "applications plus their context overhead against the GPU's memory).\n";
    return;
  }
  const double threshold = r.options.calibration.infeasible_threshold;
  os << r.infeasible_pairs << " unordered pairs measured infeasible. A held-out pair is called infeasible when "
     << "P(infeasible) >= " << threshold << ". missed: infeasible called feasible (a co-location that would run out "
     << "of memory); false alarm: feasible called infeasible (a co-location forgone). Before the classifier every "
     << "unmeasured pair without memory data was called feasible: every infeasible pair was missed.\n";
  os << "| GPU | held out | infeasible | missed | recall | feasible | false alarms | precision |\n";
  os << "|---|---|---|---|---|---|---|---|\n";
  auto row = [&](const std::string& gpu, const char* how, const std::vector<FeasibilityHeldOut>& h) {
    if (h.empty()) return;
    const auto c = confusion(h, threshold);
    os << "| " << (gpu.empty() ? "(not recorded)" : gpu) << " | " << how << " | " << c.caught + c.missed << " | "
       << c.missed << " | " << percent(c.recall()) << " | " << c.false_alarm + c.cleared << " | " << c.false_alarm
       << " (" << percent(c.false_alarm_rate()) << ") | " << percent(c.precision()) << " |\n";
  };
  for (const auto& g : r.feasibility) {
    row(g.gpu_type, "k-fold", g.kfold);
    row(g.gpu_type, "leave-one-app-out", g.leave_app_out);
  }
  // The trade-off the threshold sets, pooled over GPU types.
  std::vector<FeasibilityHeldOut> kfold, loao;
  for (const auto& g : r.feasibility) {
    kfold.insert(kfold.end(), g.kfold.begin(), g.kfold.end());
    loao.insert(loao.end(), g.leave_app_out.begin(), g.leave_app_out.end());
  }
  os << "\nThreshold sweep, all GPU types (missed / false alarms):\n| threshold | k-fold | leave-one-app-out |\n|---|---|---|\n";
  for (double t : {0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005}) {
    const auto k = confusion(kfold, t), l = confusion(loao, t);
    os << "| " << t << (t == threshold ? " (used)" : "") << " | " << k.missed << " / " << k.false_alarm << " | ";
    if (loao.empty()) os << "- |\n";
    else os << l.missed << " / " << l.false_alarm << " |\n";
  }
}

}  // namespace

std::string format_report(const AccuracyReport& r) {
  std::ostringstream os;
  auto pct = [](double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f%%", 100 * x);
    return std::string(b);
  };
  auto num = [](double x, const char* fmt) {
    char b[32];
    std::snprintf(b, sizeof b, fmt, x);
    return std::string(b);
  };
  os << "Accuracy of " << r.source << "\n";
  os << r.applications << " applications, " << r.pairs << " feasible pairs, " << r.observations
     << " slowdowns; " << r.options.folds << "-fold over unordered pairs, seeds";
  for (auto s : r.options.seeds) os << " " << s;
  os << (r.options.leave_one_app_out ? "; leave-one-application-out" : "") << "\n";
  os << "Chosen on all data: " << r.chosen << "\n";
  for (const auto& g : r.gpus) {
    os << "\nGPU type: " << (g.gpu_type.empty() ? "(not recorded)" : g.gpu_type) << "\n";
    os << "| method | k-fold MAPE | p90 | max | MAE | rank corr. | LOAO MAPE | p90 | max | MAE | rank corr. |\n";
    os << "|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& m : g.methods) {
      os << "| " << to_string(m.method) << " | ";
      if (!m.available) {
        os << "n/a (" << m.note << ") | | | | | | | | | |\n";
        continue;
      }
      for (const ErrorStats* s : {&m.kfold, &m.leave_app_out}) {
        if (s->n == 0) {
          os << "- | - | - | - | - | ";
          continue;
        }
        os << pct(s->mape) << " | " << pct(s->p90) << " | " << pct(s->max) << " | " << num(s->mae, "%.3f") << " | "
           << num(s->rank_corr, "%.3f") << " | ";
      }
      os << "\n";
    }
  }
  format_feasibility(os, r);
  return os.str();
}

}  // namespace colosim

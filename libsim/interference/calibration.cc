#include "colosim/calibration.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "colosim/errors.h"
#include "colosim/stable_hash.h"

namespace colosim {
namespace {

bool is_log_feature(const std::string& name) {
  return name == feature::memory_mib || name == feature::batch_size || name == feature::solo_throughput;
}

// Column layout of the linear (bias) part of the model.
struct Layout {
  int A, G, F;
  bool gpu_bias;  // per-GPU deviations e, f exist (more than one GPU type)
  int off() const { return 0; }
  int beta_v() const { return G; }
  int d() const { return beta_v() + F; }
  int e() const { return d() + A; }
  int beta_a() const { return e() + (gpu_bias ? A * G : 0); }
  int c() const { return beta_a() + F; }
  int f() const { return c() + A; }
  int size() const { return f() + (gpu_bias ? A * G : 0); }
};

struct Entry {
  int col;
  double value;
};

}  // namespace

int pair_fold(const std::string& a, const std::string& b, int folds, std::uint64_t seed) {
  const std::string& lo = std::min(a, b);
  const std::string& hi = std::max(a, b);
  const std::uint64_t h = hash_text(hash_text(kFnvOffset, lo), hi);
  return static_cast<int>(splitmix64(h ^ splitmix64(seed)) % static_cast<std::uint64_t>(folds));
}

PreparedData prepare(const InterferenceData& data, const CalibrationOptions& options) {
  data.validate();
  PreparedData out;
  CalibratedParams& p = out.base;
  p.source = data.source;
  p.apps = data.app_names();
  p.gpu_types = data.gpu_types();
  if (p.gpu_types.empty()) throw InputError(data.source, 0, "pairs", "no pair measurement to calibrate from");
  const int A = static_cast<int>(p.apps.size());
  std::map<std::string, int> app;
  for (int i = 0; i < A; ++i) app[p.apps[i]] = i;
  std::map<std::string, int> gpu;
  for (std::size_t g = 0; g < p.gpu_types.size(); ++g) gpu[p.gpu_types[g]] = static_cast<int>(g);

  // Features: the mean over an application's profiles (all GPU types) of the transformed value.
  std::map<std::string, std::vector<std::pair<double, int>>> sums;  // name -> per app (sum, count)
  p.app_memory_mib.assign(A, std::numeric_limits<double>::quiet_NaN());
  for (const auto& prof : data.apps) {
    const int a = app.at(prof.name);
    for (const auto& [name, raw] : prof.features) {
      double v = raw;
      if (is_log_feature(name)) {
        if (!(v > 0)) continue;
        v = std::log(v);
      }
      auto& s = sums[name];
      if (s.empty()) s.assign(A, {0.0, 0});
      s[a].first += v;
      s[a].second += 1;
      if (name == feature::memory_mib && raw > 0)
        p.app_memory_mib[a] = std::isnan(p.app_memory_mib[a]) ? raw : std::max(p.app_memory_mib[a], raw);
    }
  }
  std::vector<Eigen::VectorXd> columns;
  for (const auto& [name, s] : sums) {
    const bool family = name.rfind("family:", 0) == 0;
    Eigen::VectorXd v(A);
    std::vector<bool> known(A);
    double sum = 0;
    int n = 0;
    for (int a = 0; a < A; ++a) {
      known[a] = s[a].second > 0 || family;
      v[a] = s[a].second > 0 ? s[a].first / s[a].second : 0.0;
      if (known[a]) {
        sum += v[a];
        ++n;
      }
    }
    if (n < 2) continue;
    const double mean = sum / n;
    double var = 0;
    for (int a = 0; a < A; ++a)
      if (known[a]) var += (v[a] - mean) * (v[a] - mean);
    const double sd = std::sqrt(var / n);
    if (!(sd > 1e-9)) continue;
    for (int a = 0; a < A; ++a) v[a] = known[a] ? (v[a] - mean) / sd : 0.0;
    p.features.push_back({name, is_log_feature(name), mean, sd});
    columns.push_back(v);
  }
  p.app_features = Eigen::MatrixXd::Zero(A, static_cast<Eigen::Index>(columns.size()));
  for (std::size_t f = 0; f < columns.size(); ++f) p.app_features.col(static_cast<Eigen::Index>(f)) = columns[f];

  std::map<std::tuple<int, int, int>, bool> outcome;  // (gpu, a, b), a <= b -> infeasible
  for (const auto& m : data.pairs) {
    const int g = gpu.at(m.gpu_type), a = app.at(m.app_a), b = app.at(m.app_b);
    auto& infeasible = outcome[{g, std::min(a, b), std::max(a, b)}];
    infeasible = infeasible || !m.feasible;  // conflicting records: it failed at least once
    if (!m.feasible) {
      p.infeasible.push_back({g, std::min(a, b), std::max(a, b)});
      continue;
    }
    if (a == b) {  // two instances of one application: one observation, their mean
      double sum = 0;
      int n = 0;
      for (double s : {m.slowdown_a, m.slowdown_b})
        if (!std::isnan(s)) {
          sum += std::log(s);
          ++n;
        }
      out.observations.push_back({g, a, a, sum / n});
      continue;
    }
    if (!std::isnan(m.slowdown_a)) out.observations.push_back({g, a, b, std::log(m.slowdown_a)});
    if (!std::isnan(m.slowdown_b)) out.observations.push_back({g, b, a, std::log(m.slowdown_b)});
  }
  if (out.observations.empty()) throw InputError(data.source, 0, "pairs", "no feasible pair measurement to calibrate from");
  std::sort(out.observations.begin(), out.observations.end(), [](const Observation& x, const Observation& y) {
    return std::tie(x.gpu, x.victim, x.aggressor) < std::tie(y.gpu, y.victim, y.aggressor);
  });
  for (const auto& o : out.observations) p.measured.push_back({o.gpu, o.victim, o.aggressor, std::exp(o.log_slowdown)});
  for (const auto& [key, infeasible] : outcome) {
    const auto [g, a, b] = key;
    out.outcomes.push_back({g, a, b, infeasible});
  }
  p.feasibility.threshold = options.infeasible_threshold;
  p.use_measured = options.use_measured;
  p.context_overhead_mib = options.context_overhead_mib;
  p.composition_exponent = options.composition_exponent;
  return out;
}

CalibratedParams fit(const PreparedData& data, std::span<const Observation> train, const CalibrationHyper& hyper,
                     int iterations) {
  CalibratedParams p = data.base;
  p.hyper = hyper;
  const int A = static_cast<int>(p.apps.size()), G = static_cast<int>(p.gpu_types.size());
  const int F = static_cast<int>(p.features.size());
  const bool shared = G > 1 && std::isfinite(hyper.shared_factor_lambda);
  if (G == 1) p.hyper.shared_factor_lambda = std::numeric_limits<double>::infinity();
  const int r = std::clamp(hyper.rank, 0, A);
  p.hyper.rank = r;
  const Layout L{A, G, F, G > 1};
  const int P = L.size();

  // Which columns are estimated; the others stay 0.
  std::vector<double> penalty(P, 0.0);
  std::vector<bool> active(P, true);
  for (int g = 0; g < G; ++g) penalty[L.off() + g] = 1e-9;
  for (int f = 0; f < F; ++f) {
    penalty[L.beta_v() + f] = penalty[L.beta_a() + f] = hyper.feature_lambda;
    active[L.beta_v() + f] = active[L.beta_a() + f] = hyper.use_features;
  }
  for (int a = 0; a < A; ++a) {
    penalty[L.d() + a] = penalty[L.c() + a] = hyper.bias_lambda;
    active[L.d() + a] = active[L.c() + a] = hyper.use_biases;
    if (L.gpu_bias)
      for (int g = 0; g < G; ++g) {
        penalty[L.e() + a * G + g] = penalty[L.f() + a * G + g] = hyper.gpu_bias_lambda;
        active[L.e() + a * G + g] = active[L.f() + a * G + g] = hyper.use_biases;
      }
  }
  std::vector<int> compact(P, -1);
  int Q = 0;
  for (int c = 0; c < P; ++c)
    if (active[c]) compact[c] = Q++;

  const auto n = train.size();
  std::vector<std::vector<Entry>> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& o = train[i];
    auto& row = rows[i];
    auto add = [&](int col, double v) {
      if (compact[col] >= 0 && v != 0.0) row.push_back({compact[col], v});
    };
    add(L.off() + o.gpu, 1.0);
    for (int f = 0; f < F; ++f) add(L.beta_v() + f, p.app_features(o.victim, f));
    add(L.d() + o.victim, 1.0);
    if (L.gpu_bias) add(L.e() + o.victim * G + o.gpu, 1.0);
    for (int f = 0; f < F; ++f) add(L.beta_a() + f, p.app_features(o.aggressor, f));
    add(L.c() + o.aggressor, 1.0);
    if (L.gpu_bias) add(L.f() + o.aggressor * G + o.gpu, 1.0);
  }
  // Observation weights: 1, or Huber's under hyper.robust (reweight() below).
  std::vector<double> weight(n, 1.0);
  Eigen::LDLT<Eigen::MatrixXd> solver;
  auto factor = [&] {
    Eigen::MatrixXd N = Eigen::MatrixXd::Zero(Q, Q);
    for (int c = 0; c < P; ++c)
      if (compact[c] >= 0) N(compact[c], compact[c]) += penalty[c];
    for (std::size_t i = 0; i < n; ++i)
      for (const auto& x : rows[i])
        for (const auto& z : rows[i]) N(x.col, z.col) += weight[i] * x.value * z.value;
    solver.compute(N);
  };
  factor();

  Eigen::VectorXd y(static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) y[static_cast<Eigen::Index>(i)] = train[i].log_slowdown;

  Eigen::MatrixXd U = Eigen::MatrixXd::Zero(A, r), W = Eigen::MatrixXd::Zero(A, r);
  std::vector<Eigen::MatrixXd> E(G, Eigen::MatrixXd::Zero(A, r)), Fm(G, Eigen::MatrixXd::Zero(A, r));
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(Q), lin(static_cast<Eigen::Index>(n)),
                  inter = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));

  auto solve_linear = [&]() {
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(Q);
    for (std::size_t i = 0; i < n; ++i)
      for (const auto& x : rows[i])
        rhs[x.col] += weight[i] * x.value * (y[static_cast<Eigen::Index>(i)] - inter[static_cast<Eigen::Index>(i)]);
    theta = solver.solve(rhs);
    for (std::size_t i = 0; i < n; ++i) {
      double s = 0;
      for (const auto& x : rows[i]) s += x.value * theta[x.col];
      lin[static_cast<Eigen::Index>(i)] = s;
    }
  };
  auto update_interaction = [&]() {
    for (std::size_t i = 0; i < n; ++i) {
      const auto& o = train[i];
      inter[static_cast<Eigen::Index>(i)] =
          (U.row(o.victim) + E[o.gpu].row(o.victim)).dot(W.row(o.aggressor) + Fm[o.gpu].row(o.aggressor));
    }
  };
  // Huber weights from the current residuals: 1 within 1.345 robust standard deviations (1.4826
  // x the median absolute residual), c / |residual| beyond.
  auto reweight = [&] {
    std::vector<double> abs_res(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      abs_res[i] = std::abs(y[k] - lin[k] - inter[k]);
    }
    std::vector<double> sorted = abs_res;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n / 2), sorted.end());
    const double c = 1.345 * 1.4826 * sorted[n / 2];
    if (!(c > 0)) return;
    for (std::size_t i = 0; i < n; ++i) weight[i] = abs_res[i] <= c ? 1.0 : c / abs_res[i];
    factor();
  };
  solve_linear();
  if (hyper.robust && r == 0)
    for (int it = 0; it < iterations; ++it) {
      reweight();
      solve_linear();
    }

  if (r > 0) {
    // Deterministic start: the leading singular vectors of the mean residual matrix.
    Eigen::MatrixXd R = Eigen::MatrixXd::Zero(A, A), C = Eigen::MatrixXd::Zero(A, A);
    for (std::size_t i = 0; i < n; ++i) {
      R(train[i].victim, train[i].aggressor) += y[static_cast<Eigen::Index>(i)] - lin[static_cast<Eigen::Index>(i)];
      C(train[i].victim, train[i].aggressor) += 1;
    }
    for (int a = 0; a < A; ++a)
      for (int b = 0; b < A; ++b)
        if (C(a, b) > 0) R(a, b) /= C(a, b);
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(R, Eigen::ComputeThinU | Eigen::ComputeThinV);
    Eigen::VectorXd sq = svd.singularValues().head(r).cwiseSqrt();
    Eigen::MatrixXd U0 = svd.matrixU().leftCols(r) * sq.asDiagonal();
    Eigen::MatrixXd W0 = svd.matrixV().leftCols(r) * sq.asDiagonal();
    if (shared) {
      U = U0;
      W = W0;
    } else {
      for (int g = 0; g < G; ++g) {
        E[g] = U0;
        Fm[g] = W0;
      }
    }
    // Observations by victim and by aggressor.
    std::vector<std::vector<std::size_t>> by_victim(A), by_aggressor(A);
    for (std::size_t i = 0; i < n; ++i) {
      by_victim[train[i].victim].push_back(i);
      by_aggressor[train[i].aggressor].push_back(i);
    }
    const int B = shared ? r * (1 + G) : r * G;  // unknowns of one application
    auto sweep = [&](bool victims) {
      auto& own_shared = victims ? U : W;
      auto& own_gpu = victims ? E : Fm;
      const auto& other_shared = victims ? W : U;
      const auto& other_gpu = victims ? Fm : E;
      const auto& lists = victims ? by_victim : by_aggressor;
      for (int a = 0; a < A; ++a) {
        Eigen::MatrixXd M = Eigen::MatrixXd::Zero(B, B);
        Eigen::VectorXd b = Eigen::VectorXd::Zero(B);
        for (std::size_t i : lists[a]) {
          const auto& o = train[i];
          const int other = victims ? o.aggressor : o.victim;
          const Eigen::VectorXd q = (other_shared.row(other) + other_gpu[o.gpu].row(other)).transpose();
          const double res = y[static_cast<Eigen::Index>(i)] - lin[static_cast<Eigen::Index>(i)];
          const int gb = shared ? r * (1 + o.gpu) : r * o.gpu;
          const Eigen::MatrixXd qq = weight[i] * q * q.transpose();
          M.block(gb, gb, r, r) += qq;
          b.segment(gb, r) += weight[i] * res * q;
          if (shared) {
            M.block(0, 0, r, r) += qq;
            M.block(0, gb, r, r) += qq;
            M.block(gb, 0, r, r) += qq;
            b.head(r) += weight[i] * res * q;
          }
        }
        for (int k = 0; k < B; ++k) M(k, k) += (shared && k < r) ? hyper.shared_factor_lambda : hyper.factor_lambda;
        const Eigen::VectorXd z = M.ldlt().solve(b);
        if (shared) own_shared.row(a) = z.head(r).transpose();
        for (int g = 0; g < G; ++g) own_gpu[g].row(a) = z.segment(shared ? r * (1 + g) : r * g, r).transpose();
      }
    };
    for (int it = 0; it < iterations; ++it) {
      sweep(true);
      sweep(false);
      update_interaction();
      solve_linear();
      if (hyper.robust) {
        reweight();
        solve_linear();
      }
    }
  }

  auto value = [&](int col) { return compact[col] >= 0 ? theta[compact[col]] : 0.0; };
  p.gpu_offset.resize(G);
  for (int g = 0; g < G; ++g) p.gpu_offset[g] = value(L.off() + g);
  p.victim_beta.resize(F);
  p.aggressor_beta.resize(F);
  for (int f = 0; f < F; ++f) {
    p.victim_beta[f] = value(L.beta_v() + f);
    p.aggressor_beta[f] = value(L.beta_a() + f);
  }
  p.victim_bias.resize(A);
  p.aggressor_bias.resize(A);
  p.victim_gpu_bias = Eigen::MatrixXd::Zero(A, L.gpu_bias ? G : 0);
  p.aggressor_gpu_bias = Eigen::MatrixXd::Zero(A, L.gpu_bias ? G : 0);
  for (int a = 0; a < A; ++a) {
    p.victim_bias[a] = value(L.d() + a);
    p.aggressor_bias[a] = value(L.c() + a);
    if (L.gpu_bias)
      for (int g = 0; g < G; ++g) {
        p.victim_gpu_bias(a, g) = value(L.e() + a * G + g);
        p.aggressor_gpu_bias(a, g) = value(L.f() + a * G + g);
      }
  }
  p.victim_factor = U;
  p.aggressor_factor = W;
  p.victim_gpu_factor = E;
  p.aggressor_gpu_factor = Fm;
  // Only what was trained on counts as measured.
  p.measured.clear();
  for (const auto& o : train) p.measured.push_back({o.gpu, o.victim, o.aggressor, std::exp(o.log_slowdown)});
  std::sort(p.measured.begin(), p.measured.end(), [](const MeasuredSlowdown& x, const MeasuredSlowdown& y) {
    return std::tie(x.gpu, x.victim, x.aggressor) < std::tie(y.gpu, y.victim, y.aggressor);
  });
  return p;
}

double cross_validate(const PreparedData& data, std::span<const Observation> train, const CalibrationHyper& hyper,
                      const CalibrationOptions& options) {
  const int k = std::max(2, options.inner_folds);
  const std::uint64_t seed = splitmix64(options.seed) + 0x5eed;
  const auto& apps = data.base.apps;
  std::vector<int> fold(train.size());
  for (std::size_t i = 0; i < train.size(); ++i)
    fold[i] = pair_fold(apps[train[i].victim], apps[train[i].aggressor], k, seed);
  double err = 0;
  std::size_t count = 0;
  for (int f = 0; f < k; ++f) {
    std::vector<Observation> tr, te;
    for (std::size_t i = 0; i < train.size(); ++i) (fold[i] == f ? te : tr).push_back(train[i]);
    if (te.empty() || tr.empty()) continue;
    CalibratedModel model(fit(data, tr, hyper, options.iterations));
    for (const auto& o : te) {
      const double pred = std::max(std::exp(model.log_fit({apps[o.victim], {}, 0}, {apps[o.aggressor], {}, 0}, o.gpu)),
                                   data.base.min_slowdown);
      const double truth = std::exp(o.log_slowdown);
      err += std::abs(pred - truth) / truth;
      ++count;
    }
  }
  return count ? err / static_cast<double>(count) : std::numeric_limits<double>::infinity();
}

std::vector<CalibrationHyper> hyper_grid(const CalibrationOptions& options, int gpu_types) {
  std::vector<CalibrationHyper> grid;
  CalibrationHyper base;
  base.bias_lambda = options.bias_lambda;
  base.gpu_bias_lambda = options.gpu_bias_lambda;
  base.feature_lambda = options.feature_lambda;
  std::vector<double> shared{std::numeric_limits<double>::infinity()};
  if (gpu_types > 1) shared = options.shared_factor_lambdas;
  for (int rank : options.ranks) {
    if (rank == 0) {
      CalibrationHyper h = base;
      h.rank = 0;
      grid.push_back(h);
      continue;
    }
    for (double s : shared)
      for (double l : options.factor_lambdas) {
        CalibrationHyper h = base;
        h.rank = rank;
        h.factor_lambda = l;
        h.shared_factor_lambda = s;
        grid.push_back(h);
      }
  }
  if (grid.empty()) throw Error("calibration: empty hyper-parameter grid");
  if (options.losses.empty()) throw Error("calibration: no loss to try");
  std::vector<CalibrationHyper> out;
  for (bool robust : options.losses)
    for (CalibrationHyper h : grid) {
      h.robust = robust;
      out.push_back(h);
    }
  return out;
}

CalibratedParams calibrate(const PreparedData& data, std::span<const Observation> train,
                           const CalibrationOptions& options) {
  const auto grid = hyper_grid(options, static_cast<int>(data.base.gpu_types.size()));
  std::size_t best = 0;
  double best_err = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const double e = grid.size() == 1 ? 0.0 : cross_validate(data, train, grid[i], options);
    if (e < best_err) {  // strict: ties keep the simpler, earlier candidate
      best_err = e;
      best = i;
    }
  }
  CalibratedParams p = fit(data, train, grid[best], options.iterations);
  p.cv_mape = best_err;
  return p;
}

FeasibilityParams fit_feasibility(const PreparedData& data, const std::vector<PairOutcome>& train,
                                  const CalibrationOptions& options) {
  const auto& b = data.base;
  const int G = static_cast<int>(b.gpu_types.size());
  auto fit_with = [&](const std::vector<PairOutcome>& outcomes, const FeasibilityHyper& h) {
    return fit_feasibility(b.app_features, G, outcomes, h, options.infeasible_threshold);
  };
  // Prior variances by inner cross-validation over pairs, on held-out log-loss: a clean
  // threshold graph earns sharp demands, noisy measurements (a pair that failed once for another
  // reason) are smoothed.
  const int k = std::max(2, options.inner_folds);
  const std::uint64_t seed = splitmix64(options.seed) + 0xfea5;
  FeasibilityHyper best = options.feasibility;
  double best_loss = std::numeric_limits<double>::infinity();
  for (double demand : options.feasibility_demand_variances)
    for (double gpu_demand : options.feasibility_gpu_demand_variances) {
      FeasibilityHyper h = options.feasibility;
      h.demand_variance = demand;
      h.gpu_demand_variance = gpu_demand;
      double loss = 0;
      for (int f = 0; f < k; ++f) {
        std::vector<PairOutcome> tr, te;
        for (const auto& o : train) (pair_fold(b.apps[o.a], b.apps[o.b], k, seed) == f ? te : tr).push_back(o);
        if (te.empty()) continue;
        const auto fitted = fit_with(tr, h);
        for (const auto& o : te) {
          const double p =
              fitted.fitted ? std::clamp(pair_infeasible_probability(fitted, b.app_features, o.a, o.b, o.gpu), 1e-12, 1 - 1e-12)
                            : 0.5;
          loss -= std::log(o.infeasible ? p : 1 - p);
        }
      }
      if (loss < best_loss) {  // strict: ties keep the earlier, smoother candidate
        best_loss = loss;
        best = h;
      }
    }
  return fit_with(train, best);
}

void add_prediction_residuals(const PreparedData& data, CalibratedParams& p, const CalibrationOptions& options) {
  const auto& apps = data.base.apps;
  const auto G = p.gpu_types.size();
  p.pair_residuals.assign(G, {});
  p.new_app_residuals.assign(G, {});
  const auto& obs = data.observations;
  auto residuals = [&](const std::vector<Observation>& train, const std::vector<Observation>& test,
                       std::vector<std::vector<double>>& sink) {
    if (train.empty() || test.empty()) return;
    const CalibratedModel model(fit(data, train, p.hyper, options.iterations));
    for (const auto& o : test)
      sink[static_cast<std::size_t>(o.gpu)].push_back(
          o.log_slowdown - model.log_fit({apps[o.victim], {}, 0}, {apps[o.aggressor], {}, 0}, o.gpu));
  };
  // Unmeasured pairs of known applications: k-fold over pairs, with the chosen hyper-parameters.
  const int k = std::max(2, options.inner_folds);
  const std::uint64_t seed = splitmix64(options.seed) + 0x1e5;
  for (int f = 0; f < k; ++f) {
    std::vector<Observation> train, test;
    for (const auto& o : obs) (pair_fold(apps[o.victim], apps[o.aggressor], k, seed) == f ? test : train).push_back(o);
    residuals(train, test, p.pair_residuals);
  }
  // Applications never measured: each application left out in turn (at most
  // options.max_left_out_apps of them, evenly spread, to bound the cost on large data).
  const auto A = apps.size();
  const std::size_t step = std::max<std::size_t>(1, (A + options.max_left_out_apps - 1) / options.max_left_out_apps);
  for (std::size_t a = 0; a < A; a += step) {
    std::vector<Observation> train, test;
    for (const auto& o : obs)
      (static_cast<std::size_t>(o.victim) == a || static_cast<std::size_t>(o.aggressor) == a ? test : train).push_back(o);
    residuals(train, test, p.new_app_residuals);
  }
  for (auto* sets : {&p.pair_residuals, &p.new_app_residuals})
    for (auto& r : *sets) std::sort(r.begin(), r.end());
}

CalibratedParams calibrate(const InterferenceData& data, const CalibrationOptions& options) {
  const PreparedData prepared = prepare(data, options);
  CalibratedParams p = calibrate(prepared, prepared.observations, options);
  p.feasibility = fit_feasibility(prepared, prepared.outcomes, options);
  add_prediction_residuals(prepared, p, options);
  return p;
}

}  // namespace colosim

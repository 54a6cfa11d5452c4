#include "colosim/feasibility.h"

#include <Eigen/Sparse>
#include <Eigen/SparseCholesky>
#include <algorithm>

#include "colosim/errors.h"

namespace colosim {
namespace {

// Column layout: t (G), m (A), n (A x G, only with several types: with one it would equal m), gamma (F).
struct Columns {
  int A, G, F;
  bool per_gpu;
  int t(int g) const { return g; }
  int m(int a) const { return G + a; }
  int n(int a, int g) const { return G + A + a * G + g; }
  int gamma(int f) const { return G + A + (per_gpu ? A * G : 0) + f; }
  int size() const { return gamma(F); }
};

// Penalised negative log-likelihood of logistic regression.
double objective(const Eigen::VectorXd& eta, const Eigen::VectorXd& y, const Eigen::VectorXd& w,
                 const Eigen::VectorXd& ridge) {
  double loss = 0;
  for (Eigen::Index i = 0; i < eta.size(); ++i) {
    // log(1 + e^eta) - y eta, stable for large |eta|
    const double e = eta[i];
    loss += (e > 0 ? e + std::log1p(std::exp(-e)) : std::log1p(std::exp(e))) - y[i] * e;
  }
  return loss + 0.5 * w.dot(ridge.cwiseProduct(w));
}

}  // namespace

FeasibilityParams fit_feasibility(const Eigen::MatrixXd& app_features, int gpu_types,
                                  const std::vector<PairOutcome>& outcomes, const FeasibilityHyper& hyper,
                                  double threshold) {
  if (!(threshold > 0 && threshold < 1)) throw Error("feasibility: the threshold must be in (0, 1)");
  const int A = static_cast<int>(app_features.rows()), F = static_cast<int>(app_features.cols()), G = gpu_types;
  FeasibilityParams p;
  p.threshold = threshold;
  p.gpu_offset = Eigen::VectorXd::Zero(G);
  p.demand = Eigen::VectorXd::Zero(A);
  p.gpu_demand = Eigen::MatrixXd::Zero(A, G);
  p.feature_coef = Eigen::VectorXd::Zero(F);
  const bool any_infeasible =
      std::any_of(outcomes.begin(), outcomes.end(), [](const PairOutcome& o) { return o.infeasible; });
  if (!any_infeasible) return p;

  const Columns col{A, G, F, G > 1};
  const auto n = static_cast<Eigen::Index>(outcomes.size());
  std::vector<Eigen::Triplet<double>> cells;
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& o = outcomes[static_cast<std::size_t>(i)];
    if (o.gpu < 0 || o.gpu >= G || o.a < 0 || o.a >= A || o.b < 0 || o.b >= A)
      throw Error("feasibility: outcome index out of range");
    y[i] = o.infeasible ? 1.0 : 0.0;
    const auto row = static_cast<int>(i);
    cells.emplace_back(row, col.t(o.gpu), 1.0);
    for (int app : {o.a, o.b}) {  // a self-pair counts its application twice
      cells.emplace_back(row, col.m(app), 1.0);
      if (col.per_gpu) cells.emplace_back(row, col.n(app, o.gpu), 1.0);
    }
    for (int f = 0; f < F; ++f) cells.emplace_back(row, col.gamma(f), app_features(o.a, f) + app_features(o.b, f));
  }
  Eigen::SparseMatrix<double> X(n, col.size());
  X.setFromTriplets(cells.begin(), cells.end());  // sums duplicates
  Eigen::VectorXd ridge(col.size());
  for (int g = 0; g < G; ++g) ridge[col.t(g)] = 1.0 / hyper.offset_variance;
  for (int a = 0; a < A; ++a) {
    ridge[col.m(a)] = 1.0 / hyper.demand_variance;
    if (col.per_gpu)
      for (int g = 0; g < G; ++g) ridge[col.n(a, g)] = 1.0 / hyper.gpu_demand_variance;
  }
  for (int f = 0; f < F; ++f) ridge[col.gamma(f)] = 1.0 / hyper.feature_variance;

  Eigen::VectorXd w = Eigen::VectorXd::Zero(col.size());
  Eigen::VectorXd eta = X * w;
  double current = objective(eta, y, w, ridge);
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> solver;
  for (int it = 0; it < hyper.max_iterations; ++it) {
    Eigen::VectorXd prob(n), weight(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      prob[i] = infeasible_probability(eta[i]);
      weight[i] = std::max(prob[i] * (1 - prob[i]), 1e-12);
    }
    const Eigen::VectorXd gradient = X.transpose() * (prob - y) + ridge.cwiseProduct(w);
    Eigen::SparseMatrix<double> H = X.transpose() * weight.asDiagonal() * X;
    for (Eigen::Index c = 0; c < col.size(); ++c) H.coeffRef(c, c) += ridge[c];
    solver.compute(H);
    if (solver.info() != Eigen::Success) throw Error("feasibility: the Newton system could not be factored");
    const Eigen::VectorXd step = solver.solve(gradient);
    // Halve the step until the objective does not increase: Newton's method on a convex
    // objective, kept monotone.
    double scale = 1.0;
    Eigen::VectorXd next = w - step;
    Eigen::VectorXd next_eta = X * next;
    double value = objective(next_eta, y, next, ridge);
    while (value > current && scale > 1e-6) {
      scale *= 0.5;
      next = w - scale * step;
      next_eta = X * next;
      value = objective(next_eta, y, next, ridge);
    }
    if (value > current) break;
    w = std::move(next);
    eta = std::move(next_eta);
    const bool converged = current - value < 1e-12 * (1 + current) || scale * step.cwiseAbs().maxCoeff() < 1e-10;
    current = value;
    if (converged) break;
  }
  for (int g = 0; g < G; ++g) p.gpu_offset[g] = w[col.t(g)];
  for (int a = 0; a < A; ++a) {
    p.demand[a] = w[col.m(a)];
    if (col.per_gpu)
      for (int g = 0; g < G; ++g) p.gpu_demand(a, g) = w[col.n(a, g)];
  }
  for (int f = 0; f < F; ++f) p.feature_coef[f] = w[col.gamma(f)];
  p.fitted = true;
  return p;
}

double feasibility_term(const FeasibilityParams& f, int app, const Eigen::VectorXd& features, int gpu) {
  double term = features.dot(f.feature_coef);
  if (app >= 0) term += f.demand[app] + f.gpu_demand(app, gpu);
  return term;
}

double feasibility_term(const FeasibilityParams& f, int app, const Eigen::MatrixXd& app_features, int gpu) {
  double term = f.demand[app] + f.gpu_demand(app, gpu);
  for (Eigen::Index k = 0; k < app_features.cols(); ++k) term += app_features(app, k) * f.feature_coef[k];
  return term;
}

double pair_infeasible_probability(const FeasibilityParams& f, const Eigen::MatrixXd& app_features, int a, int b, int gpu) {
  return infeasible_probability(f.gpu_offset[gpu] + feasibility_term(f, a, app_features, gpu) +
                                feasibility_term(f, b, app_features, gpu));
}

}  // namespace colosim

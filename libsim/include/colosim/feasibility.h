#pragma once
// Whether two applications can share a GPU, for pairs nobody measured. Gavel's data marks a pair
// that failed together (out of GPU memory) but records no memory, so the model learns a latent
// memory demand per application from the measured outcomes (docs/interference.md):
//
//   logit P(infeasible | a, b, g) = t_g + m_a + m_b + n_ag + n_bg + (x_a + x_b) . gamma
//
// t_g: how tight GPU type g is; m: demand shared by all GPU types, n: its per-type deviation;
// x: the application's standardised solo features, so that a new application (m = n = 0) is
// predicted from them. Each unordered pair is one observation; ridge penalties are Gaussian
// priors, fitted by Newton's method (penalised logistic regression). The pairs infeasible on a
// type form a threshold graph exactly when a latent demand separates them, the case it learns.
#include <Eigen/Dense>
#include <cmath>
#include <vector>

namespace colosim {

// An unordered pair measured on one GPU type: it ran together or it failed.
struct PairOutcome {
  int gpu;
  int a;  // a <= b
  int b;
  bool infeasible;
};

struct FeasibilityHyper {
  // Prior variances (ridge = 1 / variance) of the terms. The calibration chooses the first two
  // by cross-validation (CalibrationOptions).
  double demand_variance = 3.0;      // m
  double gpu_demand_variance = 1.0;  // n
  double feature_variance = 1.0;     // gamma
  double offset_variance = 1e4;      // t: nearly free
  int max_iterations = 100;
};

// The fitted classifier as a plain value: what the model file holds.
struct FeasibilityParams {
  bool fitted = false;  // false: no pair was measured infeasible; memory alone decides
  Eigen::VectorXd gpu_offset;     // t: gpu types
  Eigen::VectorXd demand;         // m: apps
  Eigen::MatrixXd gpu_demand;     // n: apps x gpu types
  Eigen::VectorXd feature_coef;   // gamma: features
  // An unmeasured pair is infeasible when P(infeasible) >= threshold. Small is conservative:
  // calling a feasible pair infeasible costs a missed co-location, the reverse a crash.
  double threshold = 0.02;
};

// Fits on `outcomes` for `gpu_types` types; `app_features` is apps x features. Not fitted (and
// no error) when no outcome is infeasible: nothing to learn a demand from.
FeasibilityParams fit_feasibility(const Eigen::MatrixXd& app_features, int gpu_types,
                                  const std::vector<PairOutcome>& outcomes, const FeasibilityHyper& hyper = {},
                                  double threshold = 0.02);

// P(infeasible) from its logit: t_g plus both applications' feasibility_term().
inline double infeasible_probability(double logit) { return 1.0 / (1.0 + std::exp(-logit)); }

// The part of the logit one application contributes on type g: m_a + n_ag + x_a . gamma, with
// `app` < 0 for an application the fit does not know (features only). `features` has one entry
// per feature of the fit (standardised, 0 = unknown).
double feasibility_term(const FeasibilityParams& f, int app, const Eigen::VectorXd& features, int gpu);
// The same for application `app` of the fit, its features row `app` of `app_features` (read
// element by element: a matrix with no columns has no row to take).
double feasibility_term(const FeasibilityParams& f, int app, const Eigen::MatrixXd& app_features, int gpu);
// P(infeasible) of two applications of the fit on type g.
double pair_infeasible_probability(const FeasibilityParams& f, const Eigen::MatrixXd& app_features, int a, int b, int gpu);

}  // namespace colosim

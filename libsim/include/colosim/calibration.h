#pragma once
// Fitting a CalibratedModel to measured interference data: deterministic alternating ridge
// solves, hyper-parameters chosen by k-fold cross-validation over unordered pairs.
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "colosim/calibrated_model.h"
#include "colosim/interference_data.h"

namespace colosim {

struct CalibrationOptions {
  // The cross-validation grid. Rank 0 ignores the factor lambdas.
  std::vector<int> ranks{0, 1, 2, 3, 4, 6};
  std::vector<double> factor_lambdas{0.03, 0.1, 0.3};
  // Ridge on the interaction shared across GPU types; inf = none (per-type interaction only).
  // Only tried when the data has several GPU types.
  std::vector<double> shared_factor_lambdas{std::numeric_limits<double>::infinity(), 0.3};
  // Losses tried: false = squares, true = Huber (CalibrationHyper::robust).
  std::vector<bool> losses{false, true};
  double bias_lambda = 0.3;
  double gpu_bias_lambda = 0.3;
  double feature_lambda = 1.0;
  int inner_folds = 4;      // folds of the hyper-parameter search
  std::uint64_t seed = 1;   // of the fold assignment
  int iterations = 40;      // alternating sweeps
  // Copied into the model.
  bool use_measured = true;
  double context_overhead_mib = 300;
  double composition_exponent = 1.0;
  // The feasibility classifier of pairs nobody measured (feasibility.h): prior variances of the
  // latent demand and of its per-GPU-type deviation chosen by cross-validated log-loss.
  std::vector<double> feasibility_demand_variances{1, 3, 10, 30};
  std::vector<double> feasibility_gpu_demand_variances{0.3, 1, 3};
  FeasibilityHyper feasibility;  // the other settings
  // Held-out residuals for prediction intervals and --interference-noise: applications left
  // out one at a time, at most this many (evenly spread over the sorted names).
  std::size_t max_left_out_apps = 60;
  double infeasible_threshold = 0.02;  // an unmeasured pair with P(infeasible) >= this is infeasible
};

// One observation: log slowdown of `victim` beside `aggressor` on GPU type `gpu`.
struct Observation {
  int gpu;
  int victim;
  int aggressor;
  double log_slowdown;
};

// Data in index form: what every fit and evaluation works on.
struct PreparedData {
  CalibratedParams base;  // names, features, memory, measured, infeasible; no fitted terms
  std::vector<Observation> observations;
  std::vector<PairOutcome> outcomes;  // every measured unordered pair per GPU type, sorted
};

// Throws InputError when there is nothing to fit.
PreparedData prepare(const InterferenceData& data, const CalibrationOptions& options);

// Fits with fixed hyper-parameters on `train` (a subset of data.observations).
CalibratedParams fit(const PreparedData& data, std::span<const Observation> train,
                     const CalibrationHyper& hyper, int iterations);

// Fold of an unordered application pair, the same whatever subset of the data is used:
// both directions of a pair, on every GPU type, fall in the same fold.
int pair_fold(const std::string& a, const std::string& b, int folds, std::uint64_t seed);

// Mean relative error of exp(fit) (clamped to `min_slowdown`) over the held-out pairs of a
// k-fold split of `train`.
double cross_validate(const PreparedData& data, std::span<const Observation> train, const CalibrationHyper& hyper,
                      const CalibrationOptions& options);

// The grid of CalibrationOptions, for a data set with `gpu_types` types.
std::vector<CalibrationHyper> hyper_grid(const CalibrationOptions& options, int gpu_types);

// Hyper-parameters by cross-validation on `train`, then the fit on all of `train`.
CalibratedParams calibrate(const PreparedData& data, std::span<const Observation> train,
                           const CalibrationOptions& options);
// The feasibility classifier on `train` (a subset of data.outcomes), its prior variances
// chosen by inner cross-validation on `train`.
FeasibilityParams fit_feasibility(const PreparedData& data, const std::vector<PairOutcome>& train,
                                  const CalibrationOptions& options);

// Held-out log residuals of `p` (its chosen hyper-parameters refitted without the held-out
// pairs): CalibratedParams::pair_residuals and new_app_residuals.
void add_prediction_residuals(const PreparedData& data, CalibratedParams& p, const CalibrationOptions& options);

// The whole data set: slowdowns, feasibility and prediction residuals.
CalibratedParams calibrate(const InterferenceData& data, const CalibrationOptions& options = {});

}  // namespace colosim

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
// The whole data set.
CalibratedParams calibrate(const InterferenceData& data, const CalibrationOptions& options = {});

}  // namespace colosim

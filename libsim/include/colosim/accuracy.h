#pragma once
// Held-out accuracy of the calibrated model and of four baselines, on the same folds:
// k-fold over unordered pairs (both directions, on every GPU type, held out together) and
// leave-one-application-out (every pair involving the application held out; it is then
// predicted from its features alone). The feasibility classifier is held out the same way.
#include <cstdint>
#include <string>
#include <vector>

#include "colosim/calibration.h"

namespace colosim {

struct ErrorStats {
  std::size_t n = 0;
  double mape = 0;          // mean |pred - meas| / meas, as a fraction
  double p90 = 0;           // 90th percentile (nearest rank) of the relative error
  double max = 0;
  double mae = 0;           // mean |pred - meas| in slowdown units
  double rank_corr = 0;     // mean over victims (>= 3 held-out aggressors) of Spearman's rho
  std::size_t victims = 0;  // victims in rank_corr
};

// One held-out prediction.
struct HeldOut {
  int gpu;
  int victim;
  int aggressor;
  double measured;
  double predicted;
};

ErrorStats error_stats(const std::vector<HeldOut>& predictions);

enum class Method {
  model,          // calibrated on every GPU type's data
  model_single,   // calibrated on this GPU type's data only
  global_mean,    // exp(mean log slowdown) of the training data, per GPU type
  bias_only,      // offset + victim and aggressor biases, no features, no interaction
  features_only,  // offset + feature regression, no per-application terms
  util_sum,       // max(1, (sm_util_v + sm_util_a) / 100): time-slicing when over 100%
};
const char* to_string(Method m);

struct AccuracyOptions {
  int folds = 5;
  std::vector<std::uint64_t> seeds{1};
  bool leave_one_app_out = true;
  bool single_type_models = true;  // also fit per GPU type alone (only with several types)
  CalibrationOptions calibration;
};

struct MethodAccuracy {
  Method method;
  bool available = true;   // util_sum needs sm_util for both applications
  std::string note;
  ErrorStats kfold;
  ErrorStats leave_app_out;
};

struct GpuAccuracy {
  std::string gpu_type;
  std::vector<MethodAccuracy> methods;
};

// One held-out unordered pair of the feasibility classifier.
struct FeasibilityHeldOut {
  bool infeasible;     // measured
  double probability;  // predicted P(infeasible)
};

// Counts at one threshold: a pair is called infeasible when P(infeasible) >= threshold.
struct Confusion {
  std::size_t caught = 0;       // infeasible called infeasible
  std::size_t missed = 0;       // infeasible called feasible: a co-location that would crash
  std::size_t false_alarm = 0;  // feasible called infeasible: a co-location forgone
  std::size_t cleared = 0;      // feasible called feasible
  double recall() const;        // of infeasible pairs; NaN without any
  double precision() const;     // of pairs called infeasible; NaN without any
  double false_alarm_rate() const;
};
Confusion confusion(const std::vector<FeasibilityHeldOut>& held_out, double threshold);

struct FeasibilityAccuracy {
  std::string gpu_type;
  std::vector<FeasibilityHeldOut> kfold, leave_app_out;
};

struct AccuracyReport {
  std::string source;
  std::size_t applications = 0, observations = 0, pairs = 0;
  std::size_t infeasible_pairs = 0;  // unordered pairs measured infeasible, all GPU types
  AccuracyOptions options;
  std::vector<GpuAccuracy> gpus;
  std::vector<FeasibilityAccuracy> feasibility;  // empty when no pair was measured infeasible
  std::string chosen;  // hyper-parameters chosen on the whole data, for the record
};

AccuracyReport evaluate_accuracy(const InterferenceData& data, const AccuracyOptions& options = {});
std::string format_report(const AccuracyReport& report);

}  // namespace colosim

#pragma once
// An interference model calibrated from measured pairs (docs/interference.md has the equations):
//
//   log s_g(v | a) = o_g + x_v.beta_v + d_v + e_vg + x_a.beta_a + c_a + f_ag
//                    + (U_v + E_vg) . (W_a + F_ag)
//
// v: victim, a: aggressor (co-runner), g: GPU type; x: standardised solo features of an
// application; d, c: per-application biases (victim sensitivity, aggressor intensity) shrunk
// towards the feature regression x.beta; e, f: per-GPU-type deviations; U, W: low-rank
// interaction shared by all GPU types; E, F: per-GPU-type interaction. An application never
// measured has d = c = e = f = U = E = W = F = 0, so it is predicted from its features alone.
#include <Eigen/Dense>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <tuple>
#include <string>
#include <vector>

#include "colosim/feasibility.h"
#include "colosim/interference.h"

namespace colosim {

// Hyper-parameters of one fit. Chosen by cross-validation in calibrate().
struct CalibrationHyper {
  int rank = 2;
  double factor_lambda = 0.1;   // ridge on the per-GPU-type interaction E, F
  double shared_factor_lambda = std::numeric_limits<double>::infinity();  // on U, W; inf: none
  double bias_lambda = 0.3;     // on d, c
  double gpu_bias_lambda = 0.3; // on e, f
  double feature_lambda = 1.0;  // on beta
  bool use_features = true;     // false: beta = 0
  bool use_biases = true;       // false: d = c = e = f = 0 (features-only baseline)
  // Huber loss (iteratively reweighted, threshold 1.345 robust standard deviations of the
  // residuals) instead of squares: a few pairs far from the rest pull the fit less. Fitting
  // only: a model file does not record it (serving does not depend on it).
  bool robust = false;
};

// How a feature is transformed before standardisation.
struct FeatureTransform {
  std::string name;
  bool log = false;   // log of the value (scale-like features: memory, batch size, throughput)
  double mean = 0.0;  // of the transformed value over applications
  double scale = 1.0; // standard deviation
};

struct MeasuredSlowdown {
  int gpu;
  int victim;
  int aggressor;
  double slowdown;
};

struct InfeasiblePair {
  int gpu;
  int a;  // a <= b
  int b;
};

// The fitted model as a plain value: what the .pb model file holds.
struct CalibratedParams {
  std::string source;                  // data it was fitted on
  std::vector<std::string> apps;       // sorted
  std::vector<std::string> gpu_types;  // sorted; a single "" when not recorded
  std::vector<FeatureTransform> features;
  Eigen::MatrixXd app_features;        // apps x features, standardised, 0 = unknown
  std::vector<double> app_memory_mib;  // solo memory per application, NaN when unknown

  CalibrationHyper hyper;
  Eigen::VectorXd gpu_offset;                            // o_g
  Eigen::VectorXd victim_beta, aggressor_beta;           // beta_v, beta_a
  Eigen::VectorXd victim_bias, aggressor_bias;           // d, c
  Eigen::MatrixXd victim_gpu_bias, aggressor_gpu_bias;   // e, f: apps x gpu types (may be 0 wide)
  Eigen::MatrixXd victim_factor, aggressor_factor;       // U, W: apps x rank
  std::vector<Eigen::MatrixXd> victim_gpu_factor, aggressor_gpu_factor;  // E, F: per type, apps x rank

  std::vector<MeasuredSlowdown> measured;  // every feasible measurement (self-pairs averaged)
  std::vector<InfeasiblePair> infeasible;
  FeasibilityParams feasibility;           // for pairs measured neither way (feasibility.h)
  // Held-out log residuals, log(measured) - log_fit, per GPU type, sorted: of unmeasured pairs
  // of known applications (k-fold over pairs) and of applications never measured (each left
  // out in turn). They make prediction intervals and the samples of --interference-noise.
  std::vector<std::vector<double>> pair_residuals, new_app_residuals;  // [gpu type][i]

  // Options of the served model.
  bool use_measured = true;          // a measured pair returns its measurement, not the fit
  double min_slowdown = 1.0;         // predictions are clamped to at least this
  double context_overhead_mib = 300; // per co-located process, added to its memory
  double composition_exponent = 1.0; // p in 1 + (sum excess^p)^(1/p), see compose_excess()
  double cv_mape = std::numeric_limits<double>::quiet_NaN();  // inner CV error of `hyper`
};

// An application as the model sees it: a known name, or features only.
struct AppQuery {
  std::string name;
  std::map<std::string, double> features = {};  // used when the name is unknown
  std::int64_t memory_mib = 0;             // 0: take the profile's, if any

  static AppQuery from_job(const JobSpec& job);
};

enum class PredictionSource { measured, fitted, features_only, infeasible };
const char* to_string(PredictionSource s);

struct PairPrediction {
  double slowdown = 1.0;
  PredictionSource source = PredictionSource::fitted;
  // A measured pair: the measurement as it was, before the floor (min_slowdown) that
  // `slowdown` applies; NaN otherwise.
  double measured = std::numeric_limits<double>::quiet_NaN();
};

// A central prediction interval: the held-out residuals' quantiles added to the fit (log
// scale), floored like the prediction. A measured pair has a zero-width interval: no data set
// repeats a measurement, so its noise is unknown.
struct SlowdownInterval {
  double low = 1.0;
  double high = 1.0;
  std::size_t residuals = 0;  // held-out residuals it rests on; 0: none, the point prediction
};

// Where a pair's feasibility comes from, in the order feasible_pair() applies them: a
// measurement on this GPU type (on any type when the type is not in the data), else the
// feasibility classifier when one was fitted; then, in every case, the memory rule.
enum class FeasibilitySource { measured, predicted, not_modelled };
const char* to_string(FeasibilitySource s);

struct FeasibilityPrediction {
  bool feasible = true;
  FeasibilitySource source = FeasibilitySource::not_modelled;
  // P(infeasible) of the classifier (NaN unless source is predicted). For a GPU type not in the
  // data, the largest over the data's types.
  double probability = std::numeric_limits<double>::quiet_NaN();
  bool out_of_memory = false;  // the memory rule alone rules the pair out
};

// Slowdown of a victim with several co-runners from its pair slowdowns s_i:
//   s = min(1 + (sum_i max(s_i - 1, 0)^p)^(1/p), max(k + 1, max_i s_i))   (k co-runners)
// i.e. excess slowdowns add up (p = 1), and never beyond what time-slicing k + 1 jobs would
// give unless a single pair is already worse than that. k = 1 returns s_1 unchanged.
double compose_excess(std::span<const double> pair_slowdowns, double exponent);

class CalibratedModel final : public InterferenceModel {
 public:
  explicit CalibratedModel(CalibratedParams params);

  const CalibratedParams& params() const { return p_; }
  std::optional<int> app_index(const std::string& name) const;
  // Index of a GPU type: exact or case-insensitive name; with one type in the data (or none
  // recorded) that type; nullopt otherwise (predictions then average over the data's types).
  std::optional<int> gpu_index(const std::string& name) const;

  // Raw log-slowdown of the fit (no measurement lookup, no clamping). gpu nullopt: mean over
  // types.
  double log_fit(const AppQuery& victim, const AppQuery& aggressor, std::optional<int> gpu) const;
  PairPrediction predict_pair(const AppQuery& victim, const AppQuery& aggressor, const std::string& gpu_type) const;
  // Measured or predicted feasibility (FeasibilitySource), and memory (profile or query) plus
  // the context overhead of both against the GPU's memory.
  FeasibilityPrediction feasibility(const AppQuery& a, const AppQuery& b, const GpuType& gpu) const;
  bool feasible_pair(const AppQuery& a, const AppQuery& b, const GpuType& gpu) const {
    return feasibility(a, b, gpu).feasible;
  }
  PairPrediction predict(const AppQuery& victim, std::span<const AppQuery> corunners, const GpuType& gpu) const;
  // The central `level` (e.g. 0.9) interval of predict_pair().
  SlowdownInterval interval(const AppQuery& victim, const AppQuery& aggressor, const std::string& gpu_type,
                            double level = 0.9) const;
  // predict_pair() with its error sampled: the fit plus one held-out residual drawn by a hash of
  // `seed`, the two applications and the GPU type, so one run sees one consistent realisation
  // of the model's error. Measured pairs are not perturbed.
  double sampled_pair(const AppQuery& victim, const AppQuery& aggressor, const std::string& gpu_type,
                      std::uint64_t seed) const;

  double slowdown(const JobSpec& victim, std::span<const JobSpec* const> corunners,
                  const GpuType& gpu) const override;
  bool feasible(const JobSpec& a, const JobSpec& b, const GpuType& gpu) const override;
  bool can_sample() const override;
  bool app_needs_fallback(const JobSpec& job) const override { return !app_index(job.app); }
  bool gpu_type_needs_fallback(const GpuType& gpu) const override { return !gpu_index(gpu.name); }
  double sampled_slowdown(const JobSpec& victim, std::span<const JobSpec* const> corunners, const GpuType& gpu,
                          std::uint64_t seed) const override;
  std::string describe() const override;

 private:
  Eigen::VectorXd features_of(const AppQuery& q) const;
  // The job as the model asks about it. A known application is predicted from its fitted
  // terms, so its features are not copied: this runs at every rate update and fit check.
  AppQuery query_of(const JobSpec& job) const;
  double memory_of(const AppQuery& q) const;
  // The classifier's logit term of an application on GPU type g (feasibility_term()).
  double feasibility_term_of(const AppQuery& q, std::optional<int> app, int g) const;
  // The held-out residuals that describe the error of a prediction from `source` on type g
  // (every type's, pooled, when g is not in the data).
  const std::vector<double>& residuals_for(PredictionSource source, std::optional<int> g) const;

  CalibratedParams p_;
  std::map<std::string, int> app_index_;
  std::map<std::tuple<int, int, int>, double> measured_;   // (gpu, victim, aggressor)
  std::set<std::tuple<int, int, int>> infeasible_;         // (gpu, a, b), a <= b
  std::set<std::tuple<int, int, int>> measured_feasible_;  // (gpu, a, b), a <= b
  Eigen::MatrixXd feasibility_terms_;                      // apps x gpu types, when fitted
  std::vector<double> pooled_pair_residuals_, pooled_new_app_residuals_;  // over GPU types, sorted
};

}  // namespace colosim

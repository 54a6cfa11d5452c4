#include "colosim/calibrated_model.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "colosim/errors.h"
#include "colosim/interference_data.h"
#include "colosim/stable_hash.h"

namespace colosim {

const char* to_string(PredictionSource s) {
  switch (s) {
    case PredictionSource::measured: return "measured";
    case PredictionSource::fitted: return "fitted";
    case PredictionSource::features_only: return "features-only";
    case PredictionSource::infeasible: return "infeasible";
  }
  return "?";
}

const char* to_string(FeasibilitySource s) {
  switch (s) {
    case FeasibilitySource::measured: return "measured";
    case FeasibilitySource::predicted: return "predicted";
    case FeasibilitySource::not_modelled: return "not modelled";
  }
  return "?";
}

AppQuery AppQuery::from_job(const JobSpec& job) {
  AppQuery q{job.app, job.features, job.memory_mib};
  if (!q.features.count(feature::memory_mib) && job.memory_mib > 0)
    q.features[feature::memory_mib] = static_cast<double>(job.memory_mib);
  if (!q.features.count(feature::sm_util) && job.gpu_util > 0) q.features[feature::sm_util] = job.gpu_util;
  return q;
}

double compose_excess(std::span<const double> s, double exponent) {
  if (s.empty()) return 1.0;
  if (s.size() == 1) return s[0];
  double sum = 0, worst = 0;
  for (double x : s) {
    sum += std::pow(std::max(x - 1.0, 0.0), exponent);
    worst = std::max(worst, x);
  }
  const double composed = 1.0 + std::pow(sum, 1.0 / exponent);
  const double bound = std::max(static_cast<double>(s.size() + 1), worst);
  return std::min(composed, bound);
}

CalibratedModel::CalibratedModel(CalibratedParams params) : p_(std::move(params)) {
  const auto A = static_cast<Eigen::Index>(p_.apps.size());
  const auto G = static_cast<int>(p_.gpu_types.size());
  const auto F = static_cast<Eigen::Index>(p_.features.size());
  auto bad = [](const std::string& what) { throw Error("calibrated model: " + what); };
  if (G == 0) bad("no GPU type");
  if (p_.app_features.rows() != A || p_.app_features.cols() != F) bad("app feature matrix has the wrong shape");
  if (p_.gpu_offset.size() != G) bad("gpu offsets have the wrong size");
  if (p_.victim_beta.size() != F || p_.aggressor_beta.size() != F) bad("feature coefficients have the wrong size");
  if (p_.victim_bias.size() != A || p_.aggressor_bias.size() != A) bad("biases have the wrong size");
  if (p_.victim_gpu_bias.rows() != A || p_.aggressor_gpu_bias.rows() != A ||
      p_.victim_gpu_bias.cols() != p_.aggressor_gpu_bias.cols() ||
      (p_.victim_gpu_bias.cols() != 0 && p_.victim_gpu_bias.cols() != G))
    bad("per-GPU biases have the wrong shape");
  const auto r = p_.victim_factor.cols();
  if (p_.victim_factor.rows() != A || p_.aggressor_factor.rows() != A || p_.aggressor_factor.cols() != r)
    bad("factors have the wrong shape");
  if (static_cast<int>(p_.victim_gpu_factor.size()) != G || static_cast<int>(p_.aggressor_gpu_factor.size()) != G)
    bad("per-GPU factors have the wrong count");
  for (int g = 0; g < G; ++g)
    if (p_.victim_gpu_factor[g].rows() != A || p_.victim_gpu_factor[g].cols() != r ||
        p_.aggressor_gpu_factor[g].rows() != A || p_.aggressor_gpu_factor[g].cols() != r)
      bad("per-GPU factors have the wrong shape");
  if (static_cast<Eigen::Index>(p_.app_memory_mib.size()) != A) bad("app memory has the wrong size");
  if (!(p_.composition_exponent > 0) || !std::isfinite(p_.composition_exponent))
    bad("composition exponent must be finite and > 0");
  // Predictions are clamped to at least this; below 1, co-location would speed jobs up.
  if (!(p_.min_slowdown >= 1.0) || !std::isfinite(p_.min_slowdown))
    bad("min_slowdown must be finite and >= 1, got " + std::to_string(p_.min_slowdown));
  for (Eigen::Index a = 0; a < A; ++a) app_index_.emplace(p_.apps[a], static_cast<int>(a));
  auto check = [&](int g, int a, int b) {
    if (g < 0 || g >= G || a < 0 || a >= A || b < 0 || b >= A) bad("measurement index out of range");
  };
  for (const auto& m : p_.measured) {
    check(m.gpu, m.victim, m.aggressor);
    if (!(m.slowdown > 0) || !std::isfinite(m.slowdown)) bad("a measured slowdown must be finite and positive");
    measured_[{m.gpu, m.victim, m.aggressor}] = m.slowdown;
    measured_feasible_.insert({m.gpu, std::min(m.victim, m.aggressor), std::max(m.victim, m.aggressor)});
  }
  for (const auto& m : p_.infeasible) {
    check(m.gpu, m.a, m.b);
    infeasible_.insert({m.gpu, std::min(m.a, m.b), std::max(m.a, m.b)});
  }
  for (auto* sets : {&p_.pair_residuals, &p_.new_app_residuals}) {
    if (!sets->empty() && static_cast<int>(sets->size()) != G) bad("residuals must be given per GPU type");
    for (auto& r : *sets) {
      if (!std::all_of(r.begin(), r.end(), [](double x) { return std::isfinite(x); })) bad("residuals must be finite");
      std::sort(r.begin(), r.end());
    }
  }
  for (const auto& r : p_.pair_residuals) pooled_pair_residuals_.insert(pooled_pair_residuals_.end(), r.begin(), r.end());
  for (const auto& r : p_.new_app_residuals)
    pooled_new_app_residuals_.insert(pooled_new_app_residuals_.end(), r.begin(), r.end());
  std::sort(pooled_pair_residuals_.begin(), pooled_pair_residuals_.end());
  std::sort(pooled_new_app_residuals_.begin(), pooled_new_app_residuals_.end());
  const auto& f = p_.feasibility;
  if (f.fitted) {
    if (f.gpu_offset.size() != G || f.demand.size() != A || f.gpu_demand.rows() != A || f.gpu_demand.cols() != G ||
        f.feature_coef.size() != F)
      bad("feasibility terms have the wrong shape");
    if (!(f.threshold > 0 && f.threshold < 1)) bad("the feasibility threshold must be in (0, 1)");
    if (!f.gpu_offset.allFinite() || !f.demand.allFinite() || !f.gpu_demand.allFinite() || !f.feature_coef.allFinite())
      bad("feasibility terms must be finite");
    feasibility_terms_.resize(A, G);
    for (Eigen::Index a = 0; a < A; ++a)
      for (int g = 0; g < G; ++g)
        feasibility_terms_(a, g) = feasibility_term(f, static_cast<int>(a), p_.app_features, g);
  }
}

std::optional<int> CalibratedModel::app_index(const std::string& name) const {
  auto it = app_index_.find(name);
  if (it == app_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<int> CalibratedModel::gpu_index(const std::string& name) const {
  const auto& types = p_.gpu_types;
  if (types.size() == 1) return 0;
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (std::size_t g = 0; g < types.size(); ++g)
    if (types[g] == name) return static_cast<int>(g);
  for (std::size_t g = 0; g < types.size(); ++g)
    if (lower(types[g]) == lower(name)) return static_cast<int>(g);
  return std::nullopt;
}

Eigen::VectorXd CalibratedModel::features_of(const AppQuery& q) const {
  Eigen::VectorXd x = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(p_.features.size()));
  for (std::size_t f = 0; f < p_.features.size(); ++f) {
    const auto& t = p_.features[f];
    auto it = q.features.find(t.name);
    if (it == q.features.end()) {
      // A one-hot family the query does not name is 0, not unknown.
      if (t.name.rfind("family:", 0) == 0) x[static_cast<Eigen::Index>(f)] = (0.0 - t.mean) / t.scale;
      continue;
    }
    double v = it->second;
    if (t.log) {
      if (!(v > 0)) continue;
      v = std::log(v);
    }
    x[static_cast<Eigen::Index>(f)] = (v - t.mean) / t.scale;
  }
  return x;
}

namespace {
// Row i of m as a vector. A matrix with no columns has no data (a null pointer): taking a row
// of it would offset that pointer, which is undefined behaviour.
Eigen::VectorXd row_of(const Eigen::MatrixXd& m, Eigen::Index i) {
  if (m.cols() == 0) return Eigen::VectorXd(0);
  return m.row(i).transpose();
}
}  // namespace

double CalibratedModel::log_fit(const AppQuery& victim, const AppQuery& aggressor, std::optional<int> gpu) const {
  if (!gpu) {
    double sum = 0;
    for (std::size_t g = 0; g < p_.gpu_types.size(); ++g) sum += log_fit(victim, aggressor, static_cast<int>(g));
    return sum / static_cast<double>(p_.gpu_types.size());
  }
  const int g = *gpu;
  const auto vi = app_index(victim.name), ai = app_index(aggressor.name);
  const Eigen::VectorXd xv = vi ? row_of(p_.app_features, *vi) : features_of(victim);
  const Eigen::VectorXd xa = ai ? row_of(p_.app_features, *ai) : features_of(aggressor);
  double y = p_.gpu_offset[g] + xv.dot(p_.victim_beta) + xa.dot(p_.aggressor_beta);
  const bool per_gpu_bias = p_.victim_gpu_bias.cols() > 0;
  const auto r = p_.victim_factor.cols();
  Eigen::VectorXd u = Eigen::VectorXd::Zero(r), w = Eigen::VectorXd::Zero(r);
  if (vi) {
    y += p_.victim_bias[*vi] + (per_gpu_bias ? p_.victim_gpu_bias(*vi, g) : 0.0);
    u = row_of(p_.victim_factor, *vi) + row_of(p_.victim_gpu_factor[g], *vi);
  }
  if (ai) {
    y += p_.aggressor_bias[*ai] + (per_gpu_bias ? p_.aggressor_gpu_bias(*ai, g) : 0.0);
    w = row_of(p_.aggressor_factor, *ai) + row_of(p_.aggressor_gpu_factor[g], *ai);
  }
  return y + u.dot(w);
}

PairPrediction CalibratedModel::predict_pair(const AppQuery& victim, const AppQuery& aggressor,
                                             const std::string& gpu_type) const {
  const auto g = gpu_index(gpu_type);
  const auto vi = app_index(victim.name), ai = app_index(aggressor.name);
  if (p_.use_measured && g && vi && ai) {
    auto it = measured_.find({*g, *vi, *ai});
    if (it != measured_.end()) return {std::max(it->second, p_.min_slowdown), PredictionSource::measured, it->second};
  }
  const double s = std::max(std::exp(log_fit(victim, aggressor, g)), p_.min_slowdown);
  return {s, vi && ai ? PredictionSource::fitted : PredictionSource::features_only};
}

const std::vector<double>& CalibratedModel::residuals_for(PredictionSource source, std::optional<int> g) const {
  const bool new_app = source == PredictionSource::features_only;
  const auto& per_type = new_app ? p_.new_app_residuals : p_.pair_residuals;
  if (g && static_cast<std::size_t>(*g) < per_type.size()) return per_type[static_cast<std::size_t>(*g)];
  return new_app ? pooled_new_app_residuals_ : pooled_pair_residuals_;
}

namespace {
// Quantile q of sorted values, linear between order statistics.
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (pos - static_cast<double>(i)) * (sorted[i + 1] - sorted[i]);
}

}  // namespace

SlowdownInterval CalibratedModel::interval(const AppQuery& victim, const AppQuery& aggressor,
                                           const std::string& gpu_type, double level) const {
  if (!(level > 0 && level < 1)) throw Error("the interval level must be in (0, 1)");
  const auto p = predict_pair(victim, aggressor, gpu_type);
  if (p.source == PredictionSource::measured) return {p.slowdown, p.slowdown, 0};
  const auto g = gpu_index(gpu_type);
  const auto& r = residuals_for(p.source, g);
  if (r.empty()) return {p.slowdown, p.slowdown, 0};
  const double fit = log_fit(victim, aggressor, g);
  const double tail = (1 - level) / 2;
  return {std::max(std::exp(fit + quantile(r, tail)), p_.min_slowdown),
          std::max(std::exp(fit + quantile(r, 1 - tail)), p_.min_slowdown), r.size()};
}

double CalibratedModel::sampled_pair(const AppQuery& victim, const AppQuery& aggressor, const std::string& gpu_type,
                                     std::uint64_t seed) const {
  const auto p = predict_pair(victim, aggressor, gpu_type);
  if (p.source == PredictionSource::measured) return p.slowdown;
  const auto g = gpu_index(gpu_type);
  const auto& r = residuals_for(p.source, g);
  if (r.empty()) return p.slowdown;
  const std::uint64_t h = hash_text(hash_text(hash_text(kFnvOffset, victim.name), aggressor.name), gpu_type);
  const double residual = r[splitmix64(h ^ splitmix64(seed)) % r.size()];
  return std::max(std::exp(log_fit(victim, aggressor, g) + residual), p_.min_slowdown);
}

bool CalibratedModel::can_sample() const { return !pooled_pair_residuals_.empty() || !pooled_new_app_residuals_.empty(); }

double CalibratedModel::sampled_slowdown(const JobSpec& victim, std::span<const JobSpec* const> corunners,
                                         const GpuType& gpu, std::uint64_t seed) const {
  if (corunners.empty()) return 1.0;
  const AppQuery v = query_of(victim);
  std::vector<double> pair;
  pair.reserve(corunners.size());
  for (const JobSpec* c : corunners) pair.push_back(sampled_pair(v, query_of(*c), gpu.name, seed));
  return compose_excess(pair, p_.composition_exponent);
}

double CalibratedModel::memory_of(const AppQuery& q) const {
  if (q.memory_mib > 0) return static_cast<double>(q.memory_mib);
  if (auto i = app_index(q.name)) return p_.app_memory_mib[*i];
  auto it = q.features.find(feature::memory_mib);
  if (it != q.features.end() && it->second > 0) return it->second;
  return std::numeric_limits<double>::quiet_NaN();
}

double CalibratedModel::feasibility_term_of(const AppQuery& q, std::optional<int> app, int g) const {
  if (app) return feasibility_terms_(*app, g);
  return feasibility_term(p_.feasibility, -1, features_of(q), g);
}

FeasibilityPrediction CalibratedModel::feasibility(const AppQuery& a, const AppQuery& b, const GpuType& gpu) const {
  FeasibilityPrediction out;
  const auto ai = app_index(a.name), bi = app_index(b.name);
  const auto g = gpu_index(gpu.name);
  const int G = static_cast<int>(p_.gpu_types.size());
  if (ai && bi) {
    const int lo = std::min(*ai, *bi), hi = std::max(*ai, *bi);
    bool infeasible = false, feasible = false;
    for (int t = g ? *g : 0; t < (g ? *g + 1 : G); ++t) {
      infeasible = infeasible || infeasible_.count({t, lo, hi}) > 0;
      feasible = feasible || measured_feasible_.count({t, lo, hi}) > 0;
    }
    if (infeasible || feasible) {
      out.source = FeasibilitySource::measured;
      out.feasible = !infeasible;
    }
  }
  if (out.source != FeasibilitySource::measured && p_.feasibility.fitted) {
    out.source = FeasibilitySource::predicted;
    out.probability = 0;
    for (int t = g ? *g : 0; t < (g ? *g + 1 : G); ++t)
      out.probability = std::max(out.probability, infeasible_probability(p_.feasibility.gpu_offset[t] +
                                                                         feasibility_term_of(a, ai, t) +
                                                                         feasibility_term_of(b, bi, t)));
    out.feasible = out.probability < p_.feasibility.threshold;
  }
  const double ma = memory_of(a), mb = memory_of(b);
  if (gpu.memory_mib > 0 && !std::isnan(ma) && !std::isnan(mb) &&
      ma + mb + 2 * p_.context_overhead_mib > static_cast<double>(gpu.memory_mib)) {
    out.out_of_memory = true;
    out.feasible = false;
  }
  return out;
}

PairPrediction CalibratedModel::predict(const AppQuery& victim, std::span<const AppQuery> corunners,
                                        const GpuType& gpu) const {
  if (corunners.empty()) return {1.0, PredictionSource::measured};
  std::vector<double> pair;
  PredictionSource source = PredictionSource::measured;
  double memory = memory_of(victim);
  for (std::size_t i = 0; i < corunners.size(); ++i) {
    const auto& c = corunners[i];
    bool ok = feasible_pair(victim, c, gpu);
    for (std::size_t j = i + 1; ok && j < corunners.size(); ++j) ok = feasible_pair(c, corunners[j], gpu);
    if (!ok) return {std::numeric_limits<double>::infinity(), PredictionSource::infeasible};
    memory += memory_of(c);
    auto p = predict_pair(victim, c, gpu.name);
    pair.push_back(p.slowdown);
    if (static_cast<int>(p.source) > static_cast<int>(source)) source = p.source;
  }
  const double jobs = static_cast<double>(corunners.size() + 1);
  if (gpu.memory_mib > 0 && !std::isnan(memory) && memory + jobs * p_.context_overhead_mib > static_cast<double>(gpu.memory_mib))
    return {std::numeric_limits<double>::infinity(), PredictionSource::infeasible};
  return {compose_excess(pair, p_.composition_exponent), source};
}

double CalibratedModel::slowdown(const JobSpec& victim, std::span<const JobSpec* const> corunners,
                                 const GpuType& gpu) const {
  if (corunners.empty()) return 1.0;
  const AppQuery v = query_of(victim);
  std::vector<double> pair;
  pair.reserve(corunners.size());
  for (const JobSpec* c : corunners) pair.push_back(predict_pair(v, query_of(*c), gpu.name).slowdown);
  return compose_excess(pair, p_.composition_exponent);
}

bool CalibratedModel::feasible(const JobSpec& a, const JobSpec& b, const GpuType& gpu) const {
  return feasible_pair(query_of(a), query_of(b), gpu);
}

AppQuery CalibratedModel::query_of(const JobSpec& job) const {
  if (app_index(job.app)) return AppQuery{job.app, {}, job.memory_mib};
  return AppQuery::from_job(job);
}

std::string CalibratedModel::describe() const {
  std::ostringstream os;
  os << "calibrated (" << p_.apps.size() << " applications, " << p_.gpu_types.size() << " GPU type(s), "
     << p_.features.size() << " features, rank " << p_.victim_factor.cols() << ", "
     << (std::isinf(p_.hyper.shared_factor_lambda) ? "per-GPU-type interaction" : "interaction shared across GPU types")
     << ", " << p_.measured.size() << " measured slowdowns " << (p_.use_measured ? "served as measured" : "smoothed by the fit")
     << ", composition exponent " << p_.composition_exponent << ", context overhead " << p_.context_overhead_mib
     << " MiB; from " << p_.source << ")";
  return os.str();
}

}  // namespace colosim

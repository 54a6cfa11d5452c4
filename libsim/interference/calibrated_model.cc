#include "colosim/calibrated_model.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "colosim/errors.h"
#include "colosim/interference_data.h"

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
  }
  for (const auto& m : p_.infeasible) {
    check(m.gpu, m.a, m.b);
    infeasible_.insert({m.gpu, std::min(m.a, m.b), std::max(m.a, m.b)});
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
    if (it != measured_.end()) return {std::max(it->second, p_.min_slowdown), PredictionSource::measured};
  }
  const double s = std::max(std::exp(log_fit(victim, aggressor, g)), p_.min_slowdown);
  return {s, vi && ai ? PredictionSource::fitted : PredictionSource::features_only};
}

double CalibratedModel::memory_of(const AppQuery& q) const {
  if (q.memory_mib > 0) return static_cast<double>(q.memory_mib);
  if (auto i = app_index(q.name)) return p_.app_memory_mib[*i];
  auto it = q.features.find(feature::memory_mib);
  if (it != q.features.end() && it->second > 0) return it->second;
  return std::numeric_limits<double>::quiet_NaN();
}

bool CalibratedModel::feasible_pair(const AppQuery& a, const AppQuery& b, const GpuType& gpu) const {
  const auto ai = app_index(a.name), bi = app_index(b.name);
  if (ai && bi) {
    const int lo = std::min(*ai, *bi), hi = std::max(*ai, *bi);
    if (auto g = gpu_index(gpu.name)) {
      if (infeasible_.count({*g, lo, hi})) return false;
    } else {
      for (std::size_t g = 0; g < p_.gpu_types.size(); ++g)
        if (infeasible_.count({static_cast<int>(g), lo, hi})) return false;
    }
  }
  const double ma = memory_of(a), mb = memory_of(b);
  if (gpu.memory_mib > 0 && !std::isnan(ma) && !std::isnan(mb) &&
      ma + mb + 2 * p_.context_overhead_mib > static_cast<double>(gpu.memory_mib))
    return false;
  return true;
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

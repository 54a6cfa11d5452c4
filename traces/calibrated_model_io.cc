#include "colosim/traces/calibrated_model_io.h"

#include <cmath>
#include <fstream>

#include "colosim.pb.h"
#include "colosim/traces/atomic_file.h"
#include "colosim/errors.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {
namespace {

template <class Field>
void put(Field* out, const Eigen::MatrixXd& m) {  // row-major
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) out->Add(m(i, j));
}
template <class Field>
void put(Field* out, const Eigen::VectorXd& v) {
  for (Eigen::Index i = 0; i < v.size(); ++i) out->Add(v[i]);
}

struct Reader {
  const std::string& path;
  Eigen::MatrixXd matrix(const google::protobuf::RepeatedField<double>& f, Eigen::Index rows, Eigen::Index cols,
                         const char* field, int offset = 0, bool exact = true) const {
    if (f.size() < offset + rows * cols || (exact && f.size() != rows * cols))
      throw InputError(path, 0, field, "expected " + std::to_string(rows * cols) + " values, got " + std::to_string(f.size()));
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
      for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = f.Get(static_cast<int>(offset + i * cols + j));
    return m;
  }
  Eigen::VectorXd vector(const google::protobuf::RepeatedField<double>& f, Eigen::Index n, const char* field) const {
    return matrix(f, n, 1, field).col(0);
  }
};

}  // namespace

void save_calibrated_model(const CalibratedParams& p, const std::string& path) {
  v1::CalibratedInterferenceModel m;
  m.set_schema_version(kSchemaVersion);
  m.set_source(p.source);
  for (const auto& a : p.apps) m.add_apps(a);
  for (const auto& g : p.gpu_types) m.add_gpu_types(g);
  for (const auto& f : p.features) {
    auto* x = m.add_features();
    x->set_name(f.name);
    x->set_log(f.log);
    x->set_mean(f.mean);
    x->set_scale(f.scale);
  }
  put(m.mutable_app_features(), p.app_features);
  for (double v : p.app_memory_mib) m.add_app_memory_mib(v);
  m.set_rank(static_cast<int>(p.victim_factor.cols()));
  m.set_factor_lambda(p.hyper.factor_lambda);
  m.set_shared_factor_lambda(p.hyper.shared_factor_lambda);
  m.set_bias_lambda(p.hyper.bias_lambda);
  m.set_gpu_bias_lambda(p.hyper.gpu_bias_lambda);
  m.set_feature_lambda(p.hyper.feature_lambda);
  m.set_use_features(p.hyper.use_features);
  m.set_use_biases(p.hyper.use_biases);
  put(m.mutable_gpu_offset(), p.gpu_offset);
  put(m.mutable_victim_beta(), p.victim_beta);
  put(m.mutable_aggressor_beta(), p.aggressor_beta);
  put(m.mutable_victim_bias(), p.victim_bias);
  put(m.mutable_aggressor_bias(), p.aggressor_bias);
  m.set_gpu_bias_columns(static_cast<int>(p.victim_gpu_bias.cols()));
  put(m.mutable_victim_gpu_bias(), p.victim_gpu_bias);
  put(m.mutable_aggressor_gpu_bias(), p.aggressor_gpu_bias);
  put(m.mutable_victim_factor(), p.victim_factor);
  put(m.mutable_aggressor_factor(), p.aggressor_factor);
  for (const auto& e : p.victim_gpu_factor) put(m.mutable_victim_gpu_factor(), e);
  for (const auto& f : p.aggressor_gpu_factor) put(m.mutable_aggressor_gpu_factor(), f);
  for (const auto& x : p.measured) {
    auto* y = m.add_measured();
    y->set_gpu(x.gpu);
    y->set_victim(x.victim);
    y->set_aggressor(x.aggressor);
    y->set_slowdown(x.slowdown);
  }
  for (const auto& x : p.infeasible) {
    auto* y = m.add_infeasible();
    y->set_gpu(x.gpu);
    y->set_a(x.a);
    y->set_b(x.b);
  }
  m.set_use_measured(p.use_measured);
  m.set_min_slowdown(p.min_slowdown);
  m.set_context_overhead_mib(p.context_overhead_mib);
  m.set_composition_exponent(p.composition_exponent);
  m.set_cv_mape(p.cv_mape);
  const auto& f = p.feasibility;
  m.set_feasibility_fitted(f.fitted);
  m.set_infeasible_threshold(f.threshold);
  if (f.fitted) {
    put(m.mutable_feasibility_gpu_offset(), f.gpu_offset);
    put(m.mutable_feasibility_demand(), f.demand);
    put(m.mutable_feasibility_gpu_demand(), f.gpu_demand);
    put(m.mutable_feasibility_coef(), f.feature_coef);
  }
  for (const auto& r : p.pair_residuals) {
    m.add_pair_residual_counts(static_cast<std::uint32_t>(r.size()));
    for (double x : r) m.add_pair_residuals(x);
  }
  for (const auto& r : p.new_app_residuals) {
    m.add_new_app_residual_counts(static_cast<std::uint32_t>(r.size()));
    for (double x : r) m.add_new_app_residuals(x);
  }
  std::string data;
  if (!m.SerializeToString(&data)) throw InputError(path, 0, "", "cannot serialise the model");
  write_file_atomically(path, data);
}

CalibratedParams load_calibrated_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", "cannot open the model file");
  v1::CalibratedInterferenceModel m;
  if (!m.ParseFromIstream(&in)) throw InputError(path, 0, "", "not a calibrated interference model (Protobuf parse failed)");
  if (m.schema_version() == 0 || m.schema_version() > kSchemaVersion)
    throw InputError(path, 0, "schema_version", "unsupported schema version " + std::to_string(m.schema_version()));
  const Reader rd{path};
  CalibratedParams p;
  p.source = m.source();
  p.apps.assign(m.apps().begin(), m.apps().end());
  p.gpu_types.assign(m.gpu_types().begin(), m.gpu_types().end());
  for (const auto& f : m.features()) p.features.push_back({f.name(), f.log(), f.mean(), f.scale()});
  const auto A = static_cast<Eigen::Index>(p.apps.size()), G = static_cast<Eigen::Index>(p.gpu_types.size());
  const auto F = static_cast<Eigen::Index>(p.features.size()), R = static_cast<Eigen::Index>(m.rank());
  if (R < 0) throw InputError(path, 0, "rank", "must be >= 0");
  if (m.gpu_bias_columns() != 0 && m.gpu_bias_columns() != G)
    throw InputError(path, 0, "gpu_bias_columns", "must be 0 or the number of GPU types");
  p.app_features = rd.matrix(m.app_features(), A, F, "app_features");
  const auto mem = rd.vector(m.app_memory_mib(), A, "app_memory_mib");
  p.app_memory_mib.assign(mem.data(), mem.data() + mem.size());
  p.hyper.rank = m.rank();
  p.hyper.factor_lambda = m.factor_lambda();
  p.hyper.shared_factor_lambda = m.shared_factor_lambda();
  p.hyper.bias_lambda = m.bias_lambda();
  p.hyper.gpu_bias_lambda = m.gpu_bias_lambda();
  p.hyper.feature_lambda = m.feature_lambda();
  p.hyper.use_features = m.use_features();
  p.hyper.use_biases = m.use_biases();
  p.gpu_offset = rd.vector(m.gpu_offset(), G, "gpu_offset");
  p.victim_beta = rd.vector(m.victim_beta(), F, "victim_beta");
  p.aggressor_beta = rd.vector(m.aggressor_beta(), F, "aggressor_beta");
  p.victim_bias = rd.vector(m.victim_bias(), A, "victim_bias");
  p.aggressor_bias = rd.vector(m.aggressor_bias(), A, "aggressor_bias");
  p.victim_gpu_bias = rd.matrix(m.victim_gpu_bias(), A, m.gpu_bias_columns(), "victim_gpu_bias");
  p.aggressor_gpu_bias = rd.matrix(m.aggressor_gpu_bias(), A, m.gpu_bias_columns(), "aggressor_gpu_bias");
  p.victim_factor = rd.matrix(m.victim_factor(), A, R, "victim_factor");
  p.aggressor_factor = rd.matrix(m.aggressor_factor(), A, R, "aggressor_factor");
  if (m.victim_gpu_factor_size() != G * A * R) throw InputError(path, 0, "victim_gpu_factor", "wrong number of values");
  if (m.aggressor_gpu_factor_size() != G * A * R) throw InputError(path, 0, "aggressor_gpu_factor", "wrong number of values");
  for (Eigen::Index g = 0; g < G; ++g) {
    p.victim_gpu_factor.push_back(rd.matrix(m.victim_gpu_factor(), A, R, "victim_gpu_factor", static_cast<int>(g * A * R), false));
    p.aggressor_gpu_factor.push_back(
        rd.matrix(m.aggressor_gpu_factor(), A, R, "aggressor_gpu_factor", static_cast<int>(g * A * R), false));
  }
  for (int i = 0; i < m.measured_size(); ++i) {
    const auto& x = m.measured(i);
    // A slowdown is a ratio of times: a zero or negative one is corrupt, not a value to clamp.
    if (!(std::isfinite(x.slowdown()) && x.slowdown() > 0))
      throw InputError(path, i + 1, "measured.slowdown", "must be finite and > 0, got " + std::to_string(x.slowdown()));
    p.measured.push_back({x.gpu(), x.victim(), x.aggressor(), x.slowdown()});
  }
  for (const auto& x : m.infeasible()) p.infeasible.push_back({x.gpu(), x.a(), x.b()});
  p.use_measured = m.use_measured();
  p.min_slowdown = m.min_slowdown();
  if (!(std::isfinite(p.min_slowdown) && p.min_slowdown > 0))
    throw InputError(path, 0, "min_slowdown", "must be finite and > 0, got " + std::to_string(p.min_slowdown));
  p.context_overhead_mib = m.context_overhead_mib();
  p.composition_exponent = m.composition_exponent();
  p.cv_mape = m.cv_mape();
  auto& f = p.feasibility;
  f.fitted = m.feasibility_fitted();
  if (f.fitted) {
    f.threshold = m.infeasible_threshold();
    if (!(f.threshold > 0 && f.threshold < 1))
      throw InputError(path, 0, "infeasible_threshold", "must be in (0, 1), got " + std::to_string(f.threshold));
    f.gpu_offset = rd.vector(m.feasibility_gpu_offset(), G, "feasibility_gpu_offset");
    f.demand = rd.vector(m.feasibility_demand(), A, "feasibility_demand");
    f.gpu_demand = rd.matrix(m.feasibility_gpu_demand(), A, G, "feasibility_gpu_demand");
    f.feature_coef = rd.vector(m.feasibility_coef(), F, "feasibility_coef");
  }
  auto residuals = [&](const auto& values, const auto& counts, const char* field) {
    std::vector<std::vector<double>> out;
    if (counts.empty() && values.empty()) return out;
    if (counts.size() != G) throw InputError(path, 0, field, "needs one count per GPU type");
    std::int64_t at = 0;
    for (const auto count : counts) {
      if (at + count > values.size()) throw InputError(path, 0, field, "fewer values than the counts say");
      out.emplace_back(values.begin() + at, values.begin() + at + count);
      at += count;
    }
    if (at != values.size()) throw InputError(path, 0, field, "more values than the counts say");
    return out;
  };
  p.pair_residuals = residuals(m.pair_residuals(), m.pair_residual_counts(), "pair_residuals");
  p.new_app_residuals = residuals(m.new_app_residuals(), m.new_app_residual_counts(), "new_app_residuals");
  try {
    CalibratedModel check(p);  // validates shapes and indices
  } catch (const Error& e) {
    throw InputError(path, 0, "", e.what());
  }
  return p;
}

}  // namespace colosim::traces

#include "colosim/pair_table.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "colosim/errors.h"

namespace colosim {
namespace {
constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfeasible = std::numeric_limits<double>::infinity();
}  // namespace

PairTable::PairTable(PairTableOptions options, std::string source)
    : options_(options), source_(std::move(source)) {
  if (options_.unknown_pair_slowdown &&
      (!std::isfinite(*options_.unknown_pair_slowdown) || *options_.unknown_pair_slowdown <= 0.0))
    throw Error("the default slowdown for unknown pairs must be a positive finite number");
}

std::optional<int> PairTable::find(const std::string& app) const {
  auto it = apps_.find(app);
  if (it == apps_.end()) return std::nullopt;
  return it->second;
}

int PairTable::index_of(const std::string& app) {
  if (auto i = find(app)) return *i;
  const int index = static_cast<int>(names_.size());
  apps_.emplace(app, index);
  names_.push_back(app);
  // Grow the square matrix, keeping existing cells.
  const std::size_t n = names_.size();
  std::vector<double> grown(n * n, kNotMeasured);
  for (std::size_t v = 0; v < stride_; ++v)
    for (std::size_t a = 0; a < stride_; ++a) grown[v * n + a] = matrix_[v * stride_ + a];
  matrix_ = std::move(grown);
  stride_ = n;
  return index;
}

void PairTable::set(const std::string& victim, const std::string& aggressor, double slowdown) {
  if (!std::isfinite(slowdown) || slowdown <= 0.0)
    throw Error("slowdown of '" + victim + "' beside '" + aggressor + "' must be positive and finite");
  const int v = index_of(victim), a = index_of(aggressor);
  if (std::isnan(cell(v, a))) ++entries_;
  cell(v, a) = slowdown;
}

void PairTable::set_infeasible(const std::string& first, const std::string& second) {
  const int x = index_of(first), y = index_of(second);
  if (std::isnan(cell(x, y))) ++entries_;
  cell(x, y) = kInfeasible;
  if (std::isnan(cell(y, x))) ++entries_;
  cell(y, x) = kInfeasible;
}

std::optional<double> PairTable::measured(const std::string& victim, const std::string& aggressor) const {
  auto v = find(victim), a = find(aggressor);
  if (!v || !a) return std::nullopt;
  const double s = cell(*v, *a);
  if (std::isnan(s) || std::isinf(s)) return std::nullopt;
  return s;
}

double PairTable::pair(const std::string& victim, const std::string& aggressor) const {
  if (auto s = measured(victim, aggressor)) return *s;
  auto v = find(victim), a = find(aggressor);
  if (v && a && std::isinf(cell(*v, *a)))
    throw SimulationError(source_ + ": '" + victim + "' and '" + aggressor +
                          "' cannot share a GPU (measured infeasible), yet they were co-located");
  if (options_.unknown_pair_slowdown) return *options_.unknown_pair_slowdown;
  throw SimulationError(source_ + ": no slowdown for victim '" + victim + "' beside aggressor '" + aggressor +
                        "'; add the pair or set a default for unknown pairs");
}

double PairTable::slowdown(const JobSpec& victim, std::span<const JobSpec* const> corunners,
                           const GpuType&) const {
  if (corunners.size() == 1) return std::max(pair(victim.app, corunners[0]->app), 1.0);  // as compose()
  double pairs[8];
  std::vector<double> many;
  double* out = pairs;
  if (corunners.size() > 8) {
    many.resize(corunners.size());
    out = many.data();
  }
  for (std::size_t i = 0; i < corunners.size(); ++i) out[i] = pair(victim.app, corunners[i]->app);
  return compose({out, corunners.size()}, options_.composition);
}

bool PairTable::feasible(const JobSpec& a, const JobSpec& b, const GpuType&) const {
  auto x = find(a.app), y = find(b.app);
  return !(x && y && std::isinf(cell(*x, *y)));
}

std::string PairTable::describe() const {
  std::string d = "measured pair table (" + source_ + ", " + std::to_string(entries_) + " pairs, " +
                  to_string(options_.composition) + " composition, unknown pairs: ";
  d += options_.unknown_pair_slowdown ? "slowdown " + std::to_string(*options_.unknown_pair_slowdown) : "error";
  const auto below_one = std::count_if(matrix_.begin(), matrix_.end(), [](double s) { return s < 1.0; });
  if (below_one > 0) d += ", " + std::to_string(below_one) + " pair slowdowns below 1 taken as 1";
  return d + ")";
}

}  // namespace colosim

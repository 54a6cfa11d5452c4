#include "colosim/rank_correlation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "colosim/errors.h"

namespace colosim {

std::vector<double> mid_ranks(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> rank(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = 0.5 * static_cast<double>(i + j);
    i = j + 1;
  }
  return rank;
}

std::optional<double> pearson_correlation(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) throw Error("correlation: the two samples differ in length");
  if (x.size() < 2) return std::nullopt;
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return std::nullopt;
  return sxy / std::sqrt(sxx * syy);
}

std::optional<double> spearman_correlation(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) throw Error("correlation: the two samples differ in length");
  return pearson_correlation(mid_ranks(x), mid_ranks(y));
}

}  // namespace colosim

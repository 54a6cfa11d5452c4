#include "colosim/experiments/stats.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <vector>

#include "colosim/errors.h"

namespace colosim::experiments {

double student_t_critical(double level, std::size_t df) {
  if (!(level > 0 && level < 1)) throw Error("confidence level must be in (0, 1)");
  if (df < 1) throw Error("a t interval needs at least one degree of freedom");
  const boost::math::students_t dist(static_cast<double>(df));
  return boost::math::quantile(dist, (1 + level) / 2);
}

MeanInterval mean_interval(std::span<const double> values, double level) {
  MeanInterval m;
  m.n = values.size();
  if (m.n == 0) return m;
  // Summed in index order, so the result does not depend on how the runs were scheduled.
  double sum = 0;
  for (double v : values) sum += v;
  m.mean = sum / static_cast<double>(m.n);
  if (m.n < 2) return m;
  if (std::all_of(values.begin(), values.end(), [&](double v) { return v == values[0]; })) {
    // A deterministic result: exactly that value, with a zero-width interval (the rounding of
    // sum / n would otherwise make a tiny spread out of nothing).
    m.mean = values[0];
    m.half_width = 0.0;
    return m;
  }
  double ss = 0;
  for (double v : values) ss += (v - m.mean) * (v - m.mean);
  m.sd = std::sqrt(ss / static_cast<double>(m.n - 1));
  m.half_width = student_t_critical(level, m.n - 1) * m.sd / std::sqrt(static_cast<double>(m.n));
  return m;
}

PairedComparison paired_comparison(std::span<const double> policy, std::span<const double> baseline, double level) {
  if (policy.size() != baseline.size())
    throw Error("paired comparison: " + std::to_string(policy.size()) + " policy values but " +
                std::to_string(baseline.size()) + " baseline values");
  std::vector<double> diff(policy.size());
  for (std::size_t i = 0; i < policy.size(); ++i) diff[i] = policy[i] - baseline[i];
  PairedComparison c;
  c.difference = mean_interval(diff, level);
  c.baseline_mean = mean_interval(baseline, level).mean;
  if (c.baseline_mean != 0) c.relative_change = c.difference.mean / c.baseline_mean;
  if (c.difference.half_width) c.excludes_zero = c.difference.low() > 0 || c.difference.high() < 0;
  return c;
}

}  // namespace colosim::experiments

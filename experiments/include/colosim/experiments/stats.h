#pragma once
// Statistics over seeds: the mean with a Student-t confidence interval, and the paired
// comparison of a policy against a baseline on the same seeds (same workload realisation).
#include <cstddef>
#include <optional>
#include <span>

namespace colosim::experiments {

// Two-sided Student-t critical value: the (1 + level) / 2 quantile with `df` degrees of freedom.
double student_t_critical(double level, std::size_t df);

struct MeanInterval {
  std::size_t n = 0;
  double mean = 0;
  double sd = 0;           // sample standard deviation (n - 1 in the denominator); 0 for n < 2
  // Half-width of the `level` confidence interval of the mean; unset for n < 2 (no interval).
  std::optional<double> half_width;
  double low() const { return half_width ? mean - *half_width : mean; }
  double high() const { return half_width ? mean + *half_width : mean; }
};

// Mean of `values` with its t interval: mean +- t_{(1+level)/2, n-1} * sd / sqrt(n).
MeanInterval mean_interval(std::span<const double> values, double level = 0.95);

struct PairedComparison {
  MeanInterval difference;       // of policy - baseline, seed by seed
  double baseline_mean = 0;
  // difference.mean / baseline_mean; unset when the baseline mean is 0.
  std::optional<double> relative_change;
  // The interval of the difference lies entirely above or below zero. False without an
  // interval (one seed). With sd = 0 and a non-zero difference the interval is a point off zero.
  bool excludes_zero = false;
};

// `policy` and `baseline` hold one value per seed, in the same seed order. Throws Error if the
// lengths differ.
PairedComparison paired_comparison(std::span<const double> policy, std::span<const double> baseline,
                                   double level = 0.95);

}  // namespace colosim::experiments

#pragma once
// Spearman's rank correlation, one definition for the interference model's accuracy report and
// `colosim validate`.
#include <optional>
#include <span>
#include <vector>

namespace colosim {

// Mid-ranks from 0: tied values share the mean of their positions.
std::vector<double> mid_ranks(std::span<const double> values);

// Pearson's correlation of `x` and `y` (same length); none when fewer than 2 values or either
// side is constant. Throws Error when the lengths differ.
std::optional<double> pearson_correlation(std::span<const double> x, std::span<const double> y);

// Spearman's rho: Pearson's correlation of the mid-ranks.
std::optional<double> spearman_correlation(std::span<const double> x, std::span<const double> y);

}  // namespace colosim

#pragma once
// Measured pair slowdowns: slowdown(victim app | aggressor app), asymmetric.
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "colosim/interference.h"

namespace colosim {

struct PairTableOptions {
  Composition composition = Composition::multiplicative;
  // Slowdown used for a pair with no measurement. Unset: such a pair is an error.
  std::optional<double> unknown_pair_slowdown;
};

class PairTable final : public InterferenceModel {
 public:
  explicit PairTable(PairTableOptions options = {}, std::string source = "pair table");

  // Throws Error if slowdown is not finite or not positive.
  void set(const std::string& victim, const std::string& aggressor, double slowdown);
  // Records that the two applications cannot share a GPU (both directions).
  void set_infeasible(const std::string& a, const std::string& b);

  std::optional<double> measured(const std::string& victim, const std::string& aggressor) const;
  // The measured value, the configured default, or SimulationError naming the pair.
  double pair(const std::string& victim, const std::string& aggressor) const;
  std::size_t size() const { return entries_; }
  const PairTableOptions& options() const { return options_; }

  double slowdown(const JobSpec& victim, std::span<const JobSpec* const> corunners,
                  const GpuType& gpu) const override;
  bool feasible(const JobSpec& a, const JobSpec& b, const GpuType& gpu) const override;
  std::string describe() const override;

 private:
  int index_of(const std::string& app);
  std::optional<int> find(const std::string& app) const;
  double& cell(int victim, int aggressor) { return matrix_[static_cast<std::size_t>(victim) * stride_ + aggressor]; }
  double cell(int victim, int aggressor) const { return matrix_[static_cast<std::size_t>(victim) * stride_ + aggressor]; }

  PairTableOptions options_;
  std::string source_;
  std::unordered_map<std::string, int> apps_;
  std::vector<std::string> names_;
  std::vector<double> matrix_;  // NaN: not measured; +inf: infeasible
  std::size_t stride_ = 0;
  std::size_t entries_ = 0;
};

}  // namespace colosim

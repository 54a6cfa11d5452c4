#pragma once
// The interference model: how much a job slows down when other jobs share its GPU.
#include <cstdint>
#include <span>
#include <string>

#include "colosim/cluster_spec.h"
#include "colosim/job.h"

namespace colosim {

// How pair slowdowns combine when a job shares its GPU with two or more others. There is no
// public measurement of triples; both rules are assumptions, documented in docs/interference.md.
// Either way a pair below 1 counts as 1 and the result saturates at max(k + 1, worst pair) for
// k co-runners (time-slicing the GPU), so it is always within [1, that bound].
enum class Composition {
  multiplicative,  // s(v | a, b) = s(v|a) * s(v|b)
  additive,        // s(v | a, b) = 1 + (s(v|a) - 1) + (s(v|b) - 1)
};

const char* to_string(Composition c);
Composition parse_composition(const std::string& text);  // throws Error on unknown names
// Throws SimulationError on a pair slowdown that is not finite and positive.
double compose(std::span<const double> pair_slowdowns, Composition rule);

class InterferenceModel {
 public:
  virtual ~InterferenceModel() = default;

  // Contract: called by the core whenever the set of jobs on a GPU changes, for each job on it.
  // Returns the victim's slowdown (>= some positive floor; 1.0 means no interference) while the
  // `corunners` share the GPU of type `gpu`. `corunners` never contains the victim and is empty
  // for a job alone (the answer must then be 1.0). Must be a pure function of its arguments and
  // safe to call from several simulations at once. Throws SimulationError when it cannot answer.
  virtual double slowdown(const JobSpec& victim, std::span<const JobSpec* const> corunners,
                          const GpuType& gpu) const = 0;

  // False when the two jobs are known not to run together on this GPU type (e.g. measured out
  // of memory). The core treats such a co-location like one that exceeds GPU memory.
  virtual bool feasible(const JobSpec& /*a*/, const JobSpec& /*b*/, const GpuType& /*gpu*/) const {
    return true;
  }

  // Whether the model would answer for this application, or this GPU type, only by a fallback:
  // from the job's features (an application it has no data on) or from the mean over the types
  // it has data on. A run allows either only when asked (SimConfig::fallback) and counts the
  // predictions that used one (RunStats).
  virtual bool app_needs_fallback(const JobSpec& /*job*/) const { return false; }
  virtual bool gpu_type_needs_fallback(const GpuType& /*gpu*/) const { return false; }

  // Whether the model knows its own error well enough to sample it (--interference-noise):
  // calibrated models, from held-out residuals.
  virtual bool can_sample() const { return false; }
  // The slowdown one run realises with the model's error sampled under `seed`: like slowdown(),
  // a pure function of its arguments. Only asked when can_sample().
  virtual double sampled_slowdown(const JobSpec& victim, std::span<const JobSpec* const> corunners,
                                  const GpuType& gpu, std::uint64_t /*seed*/) const {
    return slowdown(victim, corunners, gpu);
  }

  virtual std::string describe() const = 0;
};

// The slowdown the core runs a job at: the model's prediction, or with `noise` one sample of its
// error under the run's seed. The simulator and ContractChecker both use it.
inline double realised_slowdown(const InterferenceModel& model, bool noise, std::uint64_t seed, const JobSpec& victim,
                                std::span<const JobSpec* const> corunners, const GpuType& gpu) {
  return noise ? model.sampled_slowdown(victim, corunners, gpu, seed) : model.slowdown(victim, corunners, gpu);
}

// No interference at all: every job runs at full speed whatever shares its GPU.
class NoInterference final : public InterferenceModel {
 public:
  double slowdown(const JobSpec&, std::span<const JobSpec* const>, const GpuType&) const override {
    return 1.0;
  }
  std::string describe() const override { return "none (every slowdown is 1.0)"; }
};

}  // namespace colosim

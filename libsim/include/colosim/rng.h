#pragma once
// The one source of randomness in a run. std::mt19937_64's output is fixed by the standard;
// the helpers below avoid std::*_distribution, whose results differ between standard libraries.
#include <cstdint>
#include <random>

namespace colosim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }
  // Uniform in [0, n), n > 0, without modulo bias.
  std::uint64_t below(std::uint64_t n);
  // Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace colosim

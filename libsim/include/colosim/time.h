#pragma once
// Simulated time is an exact integer count of microseconds, so event order and every
// printed time are reproducible bit for bit.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace colosim {

using Tick = std::int64_t;
inline constexpr Tick kTicksPerSecond = 1'000'000;

// Rounds to the nearest tick; the caller validates that `seconds` is finite and non-negative.
inline Tick seconds_to_ticks(double seconds) {
  return static_cast<Tick>(std::llround(seconds * static_cast<double>(kTicksPerSecond)));
}

inline double ticks_to_seconds(Tick t) { return static_cast<double>(t) / static_cast<double>(kTicksPerSecond); }

}  // namespace colosim

#pragma once
// Simulated time is an exact integer count of microseconds, so event order and every
// printed time are reproducible bit for bit.
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace colosim {

using Tick = std::int64_t;
inline constexpr Tick kTicksPerSecond = 1'000'000;
// The end of simulated time, 2^61 us (about 73,000 years), far enough below the largest Tick
// that time arithmetic never overflows. A job still running there is reported `unfinished`,
// one waiting or arriving later `never-started`, each with the reason (docs/ARCHITECTURE.md).
inline constexpr Tick kHorizon = std::numeric_limits<Tick>::max() / 4;

// Rounds to the nearest tick. Throws colosim::Error when `seconds` is not finite or its tick count
// does not fit a Tick (readers use checked_ticks, checked.h, to name the file and field).
Tick seconds_to_ticks(double seconds);

inline double ticks_to_seconds(Tick t) { return static_cast<double>(t) / static_cast<double>(kTicksPerSecond); }

}  // namespace colosim

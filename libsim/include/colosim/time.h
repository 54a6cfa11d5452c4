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

// Rounds to the nearest tick. Throws colosim::Error when `seconds` is not finite or its tick count
// does not fit a Tick (readers use checked_ticks, checked.h, to name the file and field).
Tick seconds_to_ticks(double seconds);

inline double ticks_to_seconds(Tick t) { return static_cast<double>(t) / static_cast<double>(kTicksPerSecond); }

}  // namespace colosim

#pragma once
// Checked conversions of numbers and text read from files: each says "no" (nullopt or false)
// instead of wrapping, rounding to a different value, throwing a nameless std::invalid_argument
// (as std::stoi does) or recursing (as std::regex does on long input). Callers turn the "no"
// into an InputError that names the file, line and field.
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "colosim/time.h"

namespace colosim {

// All of `text` as a decimal integer; nullopt when empty, not an integer or out of int64 range.
std::optional<std::int64_t> parse_integer(std::string_view text);

// All of `text` as a finite number (decimal or exponent notation); nullopt otherwise, also when
// it overflows a double.
std::optional<double> parse_number(std::string_view text);

// "true", "1", "yes" or "false", "0", "no": the one spelling of a flag in options and parameters.
std::optional<bool> parse_flag(std::string_view text);
// `value` as To when To holds exactly that value, nullopt otherwise. From a double: only whole
// numbers within To's range (a double is exact up to 2^53; larger values are rejected, since
// they may already have been rounded when read).
template <class To, class From>
std::optional<To> narrow(From value) {
  if constexpr (std::floating_point<From>) {
    static_assert(std::integral<To>);
    constexpr double kExact = 9007199254740992.0;  // 2^53
    if (!std::isfinite(value) || value != std::floor(value) || std::fabs(value) > kExact) return std::nullopt;
    const auto whole = static_cast<std::int64_t>(value);
    return narrow<To>(whole);
  } else {
    static_assert(std::integral<From> && std::integral<To>);
    if (!std::in_range<To>(value)) return std::nullopt;
    return static_cast<To>(value);
  }
}

// Largest time accepted, in ticks: 2^51 us (71 years) keeps double <-> tick conversion exact.
inline constexpr Tick kMaxTicks = Tick{1} << 51;

// `value` units (of `ticks_per_unit` ticks each) as ticks, rounded to the nearest tick; nullopt
// when it is not finite, negative, or more than kMaxTicks.
std::optional<Tick> checked_ticks(double value, double ticks_per_unit = static_cast<double>(kTicksPerSecond));

// Why checked_ticks said no, for an error message: "not a finite number", "negative (-1)", "too
// large (over 71 years)".
std::string ticks_problem(double value, double ticks_per_unit = static_cast<double>(kTicksPerSecond));

// True when `text` is well-formed UTF-8 (Protobuf strings must be; ids are written to .pb files).
bool is_valid_utf8(std::string_view text);

}  // namespace colosim

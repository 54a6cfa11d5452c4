#include "colosim/checked.h"

#include "colosim/errors.h"

namespace colosim {

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<double> parse_number(std::string_view text) {
  // from_chars takes no leading '+'; files written by other tools sometimes have one.
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<Tick> checked_ticks(double value, double ticks_per_unit) {
  if (!std::isfinite(value) || value < 0) return std::nullopt;
  const double ticks = value * ticks_per_unit;
  if (!(ticks <= static_cast<double>(kMaxTicks))) return std::nullopt;
  return static_cast<Tick>(std::llround(ticks));
}

Tick seconds_to_ticks(double seconds) {
  // A time of either sign may be converted (differences are times too); only the size is checked.
  const double ticks = seconds * static_cast<double>(kTicksPerSecond);
  if (!(std::fabs(ticks) <= static_cast<double>(kMaxTicks)))
    throw Error("time " + std::to_string(seconds) + " s is not finite or too large for the simulator (over 71 years)");
  return static_cast<Tick>(std::llround(ticks));
}

std::string ticks_problem(double value, double ticks_per_unit) {
  if (!std::isfinite(value)) return "not a finite number";
  if (value < 0) return "negative (" + std::to_string(value) + ")";
  if (!(value * ticks_per_unit <= static_cast<double>(kMaxTicks))) return "too large (over 71 years)";
  return "valid";
}

std::optional<bool> parse_flag(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return std::nullopt;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) extra = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) extra = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) extra = 3, cp = c & 0x07;
    else return false;
    if (i + static_cast<std::size_t>(extra) >= n) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

}  // namespace colosim

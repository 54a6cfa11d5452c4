#include "colosim/number_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>

namespace colosim {

std::string shortest_text(double x) {
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

void append_fixed(std::string& out, double x, int decimals) {
  static constexpr std::int64_t kScale[] = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 100'000'000,
                                           1'000'000'000};
  const auto slow = [&] {
    char text[400];  // fixed notation of the largest double: 309 digits and the decimals
    out.append(text, std::to_chars(std::begin(text), std::end(text), x, std::chars_format::fixed, decimals).ptr);
  };
  if (decimals < 0 || decimals > 9 || !std::isfinite(x)) return slow();
  const std::int64_t scale = kScale[decimals];
  // p is x * scale rounded once: below 2^43 it is within 2^-11 of the exact product, so unless
  // its fraction is within 2^-9 of a half, it rounds to the same whole number as the exact one.
  const double p = x * static_cast<double>(scale);
  if (!(std::fabs(p) < 0x1p43)) return slow();
  const double fraction = std::fabs(p) - std::floor(std::fabs(p));
  if (std::fabs(fraction - 0.5) < 0x1p-9) return slow();
  const auto units = static_cast<std::int64_t>(std::fabs(p) + 0.5);  // exact below 2^43
  if (std::signbit(x)) out += '-';  // as to_chars: also for -0.0 and what rounds to 0
  char digits[24];
  out.append(digits, std::to_chars(std::begin(digits), std::end(digits), units / scale).ptr);
  if (decimals == 0) return;
  out += '.';
  const std::size_t at = out.size();
  out.append(static_cast<std::size_t>(decimals), '0');
  std::size_t i = at + static_cast<std::size_t>(decimals);
  for (std::int64_t rest = units % scale; rest > 0; rest /= 10) out[--i] = static_cast<char>('0' + rest % 10);
}

}  // namespace colosim

#pragma once
#include <string>

namespace colosim {

// The shortest decimal text that reads back to the same double: "0.1", "712.2", "1e+20".
// Non-finite values give "nan", "inf" or "-inf"; writers of JSON map them to null.
std::string shortest_text(double x);

// x in fixed notation with `decimals` decimals (0..9), appended to `out`: the same text as
// std::to_chars(fixed, decimals) and fmt's "{:.Nf}" (the exact binary value, rounded half to
// even; "-0.000000" for -0.0; "nan", "inf"). Whole-number arithmetic where |x| * 10^decimals is
// below 2^43 and not near a rounding tie, which covers result times to the microsecond for
// years; to_chars for the rest.
void append_fixed(std::string& out, double x, int decimals);

}  // namespace colosim

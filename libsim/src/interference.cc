#include "colosim/interference.h"

#include "colosim/errors.h"

namespace colosim {

const char* to_string(Composition c) {
  return c == Composition::multiplicative ? "multiplicative" : "additive";
}

Composition parse_composition(const std::string& text) {
  if (text == "multiplicative") return Composition::multiplicative;
  if (text == "additive") return Composition::additive;
  throw Error("unknown composition rule '" + text + "' (expected multiplicative or additive)");
}

double compose(std::span<const double> pair_slowdowns, Composition rule) {
  if (rule == Composition::multiplicative) {
    double s = 1.0;
    for (double p : pair_slowdowns) s *= p;
    return s;
  }
  double s = 1.0;
  for (double p : pair_slowdowns) s += p - 1.0;
  return s;
}

}  // namespace colosim

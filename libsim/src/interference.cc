#include "colosim/interference.h"

#include <algorithm>
#include <cmath>
#include <string>

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
  double product = 1.0, sum = 1.0, worst = 1.0;
  for (double p : pair_slowdowns) {
    if (!std::isfinite(p) || p <= 0.0)
      throw SimulationError("pair slowdown " + std::to_string(p) + " cannot be composed: it must be finite and positive");
    p = std::max(p, 1.0);  // a measured speed-up is noise: sharing never makes a job faster
    product *= p;
    sum += p - 1.0;
    worst = std::max(worst, p);
  }
  // Never worse than time-slicing the GPU among the k+1 jobs, unless one pair already is.
  const double bound = std::max(static_cast<double>(pair_slowdowns.size() + 1), worst);
  return std::min(rule == Composition::multiplicative ? product : sum, bound);
}

}  // namespace colosim

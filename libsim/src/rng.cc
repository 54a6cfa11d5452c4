#include "colosim/rng.h"

namespace colosim {

std::uint64_t Rng::below(std::uint64_t n) {
  // Rejection sampling: draw until the value falls in the largest multiple of n.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t x = engine_();
  while (x >= limit) x = engine_();
  return x % n;
}

}  // namespace colosim

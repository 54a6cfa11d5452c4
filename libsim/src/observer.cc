#include "colosim/observer.h"

namespace colosim {

double JobRecord::slowdown() const {
  if (outcome != JobOutcome::finished || solo_duration <= 0) return 0.0;
  return static_cast<double>(end - start) / static_cast<double>(solo_duration);
}

}  // namespace colosim

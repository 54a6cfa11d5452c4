#include "colosim/observer.h"

namespace colosim {

double JobRecord::alone_ticks() const { return static_cast<double>(solo_duration) / gpu_speed; }

double JobRecord::slowdown() const {
  if (outcome != JobOutcome::finished || solo_duration <= 0 || gpu_speed <= 0) return 0.0;
  return static_cast<double>(end - start) / alone_ticks();
}

double JobRecord::speedup() const {
  return outcome == JobOutcome::finished ? gpu_speed : 0.0;
}

}  // namespace colosim

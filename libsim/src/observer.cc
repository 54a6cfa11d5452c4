#include "colosim/observer.h"

namespace colosim {

double JobRecord::alone_ticks() const { return static_cast<double>(solo_duration) / gpu_speed; }

double JobRecord::slowdown() const {
  if (outcome != JobOutcome::finished || solo_duration <= 0 || gpu_speed <= 0) return 0.0;
  const double run = static_cast<double>(end - start - suspended) - redone_ticks;
  return run / alone_ticks();
}

double JobRecord::finish_time_fairness() const {
  if (outcome != JobOutcome::finished || solo_duration <= 0 || gpu_speed <= 0) return 0.0;
  return static_cast<double>(end - submit) / alone_ticks();
}

double JobRecord::speedup() const {
  return outcome == JobOutcome::finished ? gpu_speed : 0.0;
}

}  // namespace colosim

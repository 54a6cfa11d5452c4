#include "colosim/job.h"

namespace colosim {

const char* to_string(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::finished: return "finished";
    case JobOutcome::oom_failed: return "oom-failed";
    case JobOutcome::unschedulable: return "unschedulable";
    case JobOutcome::never_started: return "never-started";
    case JobOutcome::unfinished: return "unfinished";
  }
  return "?";
}

}  // namespace colosim

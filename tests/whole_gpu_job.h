#pragma once
// A job for hand-worked scheduling timelines: one application, 1,000 MiB, no interference
// features, so that with NoInterference it runs exactly its solo duration.
#include <string>

#include "colosim/job.h"
#include "colosim/time.h"

namespace colosim::testing {

inline JobSpec timeline_job(std::string id, int gpus, double solo_s, double submit_s, int priority = 0) {
  JobSpec j;
  j.id = std::move(id);
  j.app = "app";
  j.gpus = gpus;
  j.solo_duration = seconds_to_ticks(solo_s);
  j.submit = seconds_to_ticks(submit_s);
  j.memory_mib = 1000;
  j.priority = priority;
  return j;
}

}  // namespace colosim::testing

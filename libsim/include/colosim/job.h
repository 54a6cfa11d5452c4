#pragma once
// What a job asks for, as read from a trace. The simulator never changes a JobSpec.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "colosim/time.h"

namespace colosim {

struct JobSpec {
  std::string id;                  // unique within a trace
  std::string app;                 // application type, the key of the interference model
  Tick submit = 0;                 // arrival time
  Tick solo_duration = 0;          // work, in ticks at full speed with the GPU to itself
  int gpus = 1;                    // gang size: all GPUs at once or none
  std::int64_t memory_mib = 0;     // GPU memory used on each of its GPUs
  double gpu_util = 0.0;           // mean GPU (SM) utilisation when alone, percent 0..100
  int gpu_milli = 0;               // share of each GPU, thousandths (Alibaba gpu_milli); 0: not
                                   // stated, i.e. the whole GPU (see GpuSharing, gpu_share_milli)
  int priority = 0;                // larger is more important
  std::string user;                // user or tenant, free text
  std::vector<std::string> gpu_types;     // allowed GPU types; empty means any
  std::map<std::string, double> features; // free-form solo features (membw_util, batch_size, ...)

  bool allows_gpu_type(const std::string& type) const {
    if (gpu_types.empty()) return true;
    for (const auto& t : gpu_types)
      if (t == type) return true;
    return false;
  }
};

// Final state of a job, as reported in results.
enum class JobOutcome {
  finished,       // ran to completion
  oom_failed,     // ran out of GPU memory more often than the retry limit allows
  unschedulable,  // can never fit on any node of the cluster
  never_started,  // still pending when no further event could start it, or when simulated time
                  // ended (kHorizon), or submitted after that
  unfinished,     // started, still running when simulated time ended (kHorizon)
};

const char* to_string(JobOutcome outcome);

}  // namespace colosim

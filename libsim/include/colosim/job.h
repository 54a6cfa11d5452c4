#pragma once
// What a job asks for, as read from a trace. The simulator never changes a JobSpec.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "colosim/time.h"

namespace colosim {

// What a cluster's own log recorded of a job's real run (the kubernetes and slurm-sacct
// importers), kept beside the spec so that `colosim validate` can set a simulation against it.
// The simulator never reads it.
struct RecordedRun {
  std::optional<Tick> start;       // when it started running, same origin as JobSpec::submit
  std::optional<Tick> end;         // when it stopped (completed, failed, cancelled, evicted)
  std::vector<std::string> nodes;  // the nodes it ran on, as the log names them
  std::string state;               // the log's final state, verbatim ("COMPLETED", "Succeeded")

  bool operator==(const RecordedRun&) const = default;
};

struct JobSpec {
  std::string id;                  // unique within a trace
  std::string app;                 // application type, the key of the interference model
  Tick submit = 0;                 // arrival time
  Tick solo_duration = 0;          // work, in ticks at full speed with the GPU to itself
  int gpus = 1;                    // gang size: all GPUs at once or none; 0: a CPU-only job,
                                   // which takes node CPU and host memory (features) only
  std::int64_t memory_mib = 0;     // GPU memory used on each of its GPUs
  double gpu_util = 0.0;           // mean GPU (SM) utilisation when alone, percent 0..100
  int gpu_milli = 0;               // share of each GPU, thousandths (Alibaba gpu_milli); 0: not
                                   // stated, i.e. the whole GPU (see GpuSharing, gpu_share_milli)
  int priority = 0;                // larger is more important
  std::string user;                // user or tenant, free text
  std::vector<std::string> gpu_types;     // allowed GPU types; empty means any
  std::map<std::string, double> features; // free-form solo features (membw_util, batch_size, ...)
  std::optional<RecordedRun> recorded;    // the real run, when the trace is a cluster's log

  bool allows_gpu_type(const std::string& type) const {
    if (gpu_types.empty()) return true;
    for (const auto& t : gpu_types)
      if (t == type) return true;
    return false;
  }
};

// Features with a meaning beyond the interference model: whole quantities that the .pb format
// stores as integers (Job.cpu_milli, Job.host_memory_mib).
inline constexpr const char* kCpuMilliFeature = "cpu_milli";
inline constexpr const char* kHostMemoryFeature = "host_memory_mib";

// A job's requests of node CPU (milli-cores) and host memory (MiB): those features, 0 without.
inline std::int64_t cpu_request_milli(const JobSpec& job) {
  const auto it = job.features.find(kCpuMilliFeature);
  return it == job.features.end() ? 0 : static_cast<std::int64_t>(it->second);
}
inline std::int64_t host_memory_request_mib(const JobSpec& job) {
  const auto it = job.features.find(kHostMemoryFeature);
  return it == job.features.end() ? 0 : static_cast<std::int64_t>(it->second);
}

// What is wrong with a job: the JobSpec field ("id", "app", "submit", "duration", "gpus",
// "memory_mib", "gpu_util", "gpu_milli", "user", "gpu_types", "features.<name>",
// "recorded.start", "recorded.end", "recorded.nodes", "recorded.state") and why.
struct JobProblem {
  std::string field;
  std::string problem;
};

// The one definition of a valid JobSpec, used by every reader, importer, the Python bindings and
// the simulator: non-empty UTF-8 id and app, UTF-8 user and GPU type names, times within
// 0..kMaxTicks, gpus >= 0 (0: CPU-only, then no GPU memory, share or type), memory_mib >= 0,
// gpu_util within 0..100, gpu_milli within 0..1000, finite features with names, cpu_milli /
// host_memory_mib features whole and >= 0; a recorded run with times within 0..kMaxTicks, end
// not before start, non-empty UTF-8 node names and a UTF-8 state.
std::optional<JobProblem> find_problem(const JobSpec& job);

// Throws InputError(file, record, problem->field, problem->problem) when find_problem finds one.
void validate_job(const JobSpec& job, const std::string& file, std::int64_t record);

// Final state of a job, as reported in results.
enum class JobOutcome {
  finished,       // ran to completion
  oom_failed,     // ran out of GPU memory more often than the retry limit allows
  unschedulable,  // can never fit on any node of the cluster
  never_started,  // still pending when no further event could start it, or when simulated time
                  // ended (kHorizon), or submitted after that
  unfinished,     // started, still running (or preempted and waiting to resume) when the run ended:
                  // at the end of simulated time (kHorizon), or with no event left to resume it
};

const char* to_string(JobOutcome outcome);

}  // namespace colosim

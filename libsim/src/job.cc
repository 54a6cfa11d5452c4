#include "colosim/job.h"

#include <cmath>

#include "colosim/checked.h"
#include "colosim/errors.h"

namespace colosim {

std::optional<JobProblem> find_problem(const JobSpec& job) {
  auto text = [](const char* field, const std::string& value, bool required) -> std::optional<JobProblem> {
    if (required && value.empty()) return JobProblem{field, "empty"};
    if (!is_valid_utf8(value)) return JobProblem{field, "not valid UTF-8"};
    return std::nullopt;
  };
  if (auto p = text("id", job.id, true)) return p;
  if (auto p = text("app", job.app, true)) return p;
  if (auto p = text("user", job.user, false)) return p;
  if (job.submit < 0) return JobProblem{"submit", "negative"};
  if (job.submit > kMaxTicks) return JobProblem{"submit", "too large (over 71 years)"};
  if (job.solo_duration < 0) return JobProblem{"duration", "negative"};
  if (job.solo_duration > kMaxTicks) return JobProblem{"duration", "too large (over 71 years)"};
  if (job.gpus < 0) return JobProblem{"gpus", "must be at least 0 (0: a CPU-only job), got " + std::to_string(job.gpus)};
  if (job.memory_mib < 0) return JobProblem{"memory_mib", "negative (" + std::to_string(job.memory_mib) + ")"};
  if (job.gpus == 0) {
    // A CPU-only job asks for no GPU: GPU fields stated for it contradict that.
    if (job.memory_mib != 0)
      return JobProblem{"memory_mib", "a CPU-only job (gpus 0) uses no GPU memory, got " + std::to_string(job.memory_mib)};
    if (job.gpu_milli != 0)
      return JobProblem{"gpu_milli", "a CPU-only job (gpus 0) has no GPU share, got " + std::to_string(job.gpu_milli)};
    if (!job.gpu_types.empty()) return JobProblem{"gpu_types", "a CPU-only job (gpus 0) cannot constrain the GPU type"};
  }
  if (!(job.gpu_util >= 0.0 && job.gpu_util <= 100.0))
    return JobProblem{"gpu_util", "must be a percentage in 0..100, got " + std::to_string(job.gpu_util)};
  if (job.gpu_milli < 0 || job.gpu_milli > 1000)
    return JobProblem{"gpu_milli", "must be in 0..1000, got " + std::to_string(job.gpu_milli)};
  for (const auto& t : job.gpu_types) {
    if (t.empty()) return JobProblem{"gpu_types", "empty GPU type name"};
    if (!is_valid_utf8(t)) return JobProblem{"gpu_types", "not valid UTF-8"};
  }
  for (const auto& [key, value] : job.features) {
    if (key.empty()) return JobProblem{"features", "empty feature name"};
    if (!is_valid_utf8(key)) return JobProblem{"features", "feature name not valid UTF-8"};
    if (!std::isfinite(value)) return JobProblem{"features." + key, "not a finite number"};
  }
  for (const char* key : {kCpuMilliFeature, kHostMemoryFeature}) {
    auto it = job.features.find(key);
    if (it != job.features.end() && (it->second < 0 || !narrow<std::int64_t>(it->second)))
      return JobProblem{std::string("features.") + key, "must be a whole number >= 0 (below 2^53)"};
  }
  if (job.recorded) {
    const RecordedRun& run = *job.recorded;
    for (auto [field, time] : {std::pair{"recorded.start", run.start}, std::pair{"recorded.end", run.end}}) {
      if (time && *time < 0) return JobProblem{field, "negative"};
      if (time && *time > kMaxTicks) return JobProblem{field, "too large (over 71 years)"};
    }
    if (run.start && run.end && *run.end < *run.start) return JobProblem{"recorded.end", "before recorded.start"};
    for (const auto& node : run.nodes) {
      if (node.empty()) return JobProblem{"recorded.nodes", "empty node name"};
      if (!is_valid_utf8(node)) return JobProblem{"recorded.nodes", "not valid UTF-8"};
    }
    if (auto p = text("recorded.state", run.state, false)) return p;
  }
  return std::nullopt;
}

void validate_job(const JobSpec& job, const std::string& file, std::int64_t record) {
  if (auto p = find_problem(job)) throw InputError(file, record, std::move(p->field), std::move(p->problem));
}

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

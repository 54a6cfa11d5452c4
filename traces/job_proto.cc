#include "colosim/traces/job_proto.h"

#include <cmath>
#include <limits>

#include "colosim/checked.h"
#include "colosim/errors.h"

namespace colosim::traces {
namespace {

Tick to_ticks(double value, double per_unit, const std::string& file, std::int64_t record, const char* field) {
  if (auto ticks = checked_ticks(value, per_unit)) return *ticks;
  throw InputError(file, record, field, ticks_problem(value, per_unit));
}

// A JobSpec that passed validate_job has whole cpu_milli / host_memory_mib features; one built in
// code may not, and a silent truncation would write a different job.
std::int64_t whole_feature(const JobSpec& job, const std::string& key, double value) {
  if (auto whole = narrow<std::int64_t>(value); whole && *whole >= 0) return *whole;
  throw Error("job '" + job.id + "': feature " + key + " must be a whole number >= 0 to be written, got " +
              std::to_string(value));
}

double to_unit(Tick ticks, double per_unit) {
  return per_unit == 1.0 ? static_cast<double>(ticks) : static_cast<double>(ticks) / per_unit;
}

}  // namespace

double ticks_per_unit(v1::TimeUnit unit, const std::string& file, std::int64_t record) {
  switch (unit) {
    case v1::TIME_UNIT_UNSPECIFIED:
    case v1::SECONDS: return 1e6;
    case v1::MILLISECONDS: return 1e3;
    case v1::MICROSECONDS: return 1.0;
    default: break;
  }
  throw InputError(file, record, "header.time_unit", "unknown time unit " + std::to_string(static_cast<int>(unit)));
}

JobSpec job_from_proto(const v1::Job& job, v1::TimeUnit unit, const std::string& file, std::int64_t record) {
  const double per_unit = ticks_per_unit(unit, file, record);
  JobSpec spec;
  spec.id = job.id();
  spec.app = job.app();
  spec.submit = to_ticks(job.submit(), per_unit, file, record, "submit");
  spec.solo_duration = to_ticks(job.duration(), per_unit, file, record, "duration");
  spec.gpus = job.gpus();
  spec.gpu_milli = job.gpu_milli();
  spec.memory_mib = job.memory_mib();
  if (std::isnan(job.gpu_util())) throw InputError(file, record, "gpu_util", "not a number");
  spec.gpu_util = job.gpu_util();
  spec.priority = job.priority();
  spec.user = job.user();
  spec.gpu_types.assign(job.gpu_types().begin(), job.gpu_types().end());
  for (const auto& [key, value] : job.features()) {
    if (key == kCpuMilliFeature || key == kHostMemoryFeature)
      throw InputError(file, record, "features." + key, "reserved name: use the field of that name");
    spec.features.emplace(key, value);
  }
  if (job.cpu_milli() < 0) throw InputError(file, record, "cpu_milli", "negative");
  if (job.host_memory_mib() < 0) throw InputError(file, record, "host_memory_mib", "negative");
  // Stored as features (doubles): exact only below 2^53.
  for (auto [key, value] : {std::pair{kCpuMilliFeature, job.cpu_milli()}, std::pair{kHostMemoryFeature, job.host_memory_mib()}}) {
    if (value == 0) continue;
    if (!narrow<std::int64_t>(static_cast<double>(value)) || value > (std::int64_t{1} << 53))
      throw InputError(file, record, key, "too large (over 2^53)");
    spec.features[key] = static_cast<double>(value);
  }
  if (job.has_recorded()) {
    const v1::RecordedRun& in = job.recorded();
    RecordedRun& run = spec.recorded.emplace();
    if (in.has_start()) run.start = to_ticks(in.start(), per_unit, file, record, "recorded.start");
    if (in.has_end()) run.end = to_ticks(in.end(), per_unit, file, record, "recorded.end");
    run.nodes.assign(in.nodes().begin(), in.nodes().end());
    run.state = in.state();
  }
  validate_job(spec, file, record);
  return spec;
}

v1::Job job_to_proto(const JobSpec& job, v1::TimeUnit unit) {
  const double per_unit = ticks_per_unit(unit);
  v1::Job out;
  out.set_id(job.id);
  out.set_app(job.app);
  out.set_submit(to_unit(job.submit, per_unit));
  out.set_duration(to_unit(job.solo_duration, per_unit));
  out.set_gpus(job.gpus);
  out.set_gpu_milli(job.gpu_milli);
  out.set_memory_mib(job.memory_mib);
  out.set_gpu_util(job.gpu_util);
  out.set_priority(job.priority);
  out.set_user(job.user);
  for (const auto& t : job.gpu_types) out.add_gpu_types(t);
  auto& features = *out.mutable_features();
  for (const auto& [key, value] : job.features) {
    if (key == kCpuMilliFeature)
      out.set_cpu_milli(whole_feature(job, key, value));
    else if (key == kHostMemoryFeature)
      out.set_host_memory_mib(whole_feature(job, key, value));
    else
      features[key] = value;
  }
  if (job.recorded) {
    v1::RecordedRun& run = *out.mutable_recorded();
    if (job.recorded->start) run.set_start(to_unit(*job.recorded->start, per_unit));
    if (job.recorded->end) run.set_end(to_unit(*job.recorded->end, per_unit));
    for (const auto& node : job.recorded->nodes) run.add_nodes(node);
    run.set_state(job.recorded->state);
  }
  return out;
}

}  // namespace colosim::traces

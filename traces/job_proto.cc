#include "colosim/traces/job_proto.h"

#include <cmath>
#include <limits>

#include "colosim/errors.h"

namespace colosim::traces {
namespace {

// Largest time accepted, in ticks: 2^51 us (71 years) keeps double <-> tick conversion exact.
constexpr double kMaxTicks = 2251799813685248.0;

Tick to_ticks(double value, double per_unit, const std::string& file, std::int64_t record, const char* field) {
  if (!std::isfinite(value)) throw InputError(file, record, field, "not a finite number");
  if (value < 0) throw InputError(file, record, field, "negative (" + std::to_string(value) + ")");
  double ticks = value * per_unit;
  if (!(ticks <= kMaxTicks)) throw InputError(file, record, field, "too large (over 71 years)");
  return static_cast<Tick>(std::llround(ticks));
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

void validate_job(const JobSpec& job, const std::string& file, std::int64_t record) {
  if (job.id.empty()) throw InputError(file, record, "id", "empty");
  if (job.submit < 0) throw InputError(file, record, "submit", "negative");
  if (job.solo_duration < 0) throw InputError(file, record, "duration", "negative");
  if (job.gpus < 1) throw InputError(file, record, "gpus", "must be at least 1, got " + std::to_string(job.gpus));
  if (job.gpu_milli < 0 || job.gpu_milli > 1000)
    throw InputError(file, record, "gpu_milli", "must be in 0..1000, got " + std::to_string(job.gpu_milli));
  if (job.memory_mib < 0) throw InputError(file, record, "memory_mib", "negative");
  if (!(job.gpu_util >= 0.0 && job.gpu_util <= 100.0))
    throw InputError(file, record, "gpu_util", "must be a percentage in 0..100");
  for (const auto& t : job.gpu_types)
    if (t.empty()) throw InputError(file, record, "gpu_types", "empty GPU type name");
  for (const auto& [key, value] : job.features) {
    if (key.empty()) throw InputError(file, record, "features", "empty feature name");
    if (!std::isfinite(value)) throw InputError(file, record, "features." + key, "not a finite number");
  }
  for (const char* key : {kCpuMilliFeature, kHostMemoryFeature}) {
    auto it = job.features.find(key);
    if (it != job.features.end() && (it->second < 0 || it->second != std::floor(it->second) || it->second > 9.0e15))
      throw InputError(file, record, key, "must be a non-negative integer");
  }
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
  if (job.cpu_milli() != 0) spec.features[kCpuMilliFeature] = static_cast<double>(job.cpu_milli());
  if (job.host_memory_mib() != 0) spec.features[kHostMemoryFeature] = static_cast<double>(job.host_memory_mib());
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
      out.set_cpu_milli(static_cast<std::int64_t>(value));
    else if (key == kHostMemoryFeature)
      out.set_host_memory_mib(static_cast<std::int64_t>(value));
    else
      features[key] = value;
  }
  return out;
}

}  // namespace colosim::traces

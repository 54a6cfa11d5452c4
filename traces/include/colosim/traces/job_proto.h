#pragma once
// JobSpec <-> colosim.v1.Job. A Job stores times as doubles in the trace header's time unit;
// a JobSpec stores exact integer ticks. Conversion rounds to the nearest microsecond, so
// JobSpec -> Job -> JobSpec is exact for any time below 2^51 us (71 years).
//
// Job.cpu_milli and Job.host_memory_mib have no JobSpec field: they travel in
// JobSpec::features under the keys kCpuMilliFeature and kHostMemoryFeature, and are moved
// back into their own fields when written.
#include <cstdint>
#include <string>

#include "colosim.pb.h"
#include "colosim/job.h"
#include "colosim/time.h"

namespace colosim::traces {

// kCpuMilliFeature, kHostMemoryFeature: colosim/job.h.

// Microseconds per unit (TIME_UNIT_UNSPECIFIED reads as seconds). Throws InputError for a value
// outside the enum (possible in a binary file written by a newer schema).
double ticks_per_unit(v1::TimeUnit unit, const std::string& file = "", std::int64_t record = 0);

// Converts and validates (validate_job, colosim/job.h). `record` is the 1-based job index used in
// errors. Also rejects times that are not finite or too large for a Tick, negative cpu_milli /
// host_memory_mib, and features named as those fields.
JobSpec job_from_proto(const v1::Job& job, v1::TimeUnit unit, const std::string& file,
                       std::int64_t record);

v1::Job job_to_proto(const JobSpec& job, v1::TimeUnit unit);

// validate_job, the rules every reader applies: colosim/job.h.

}  // namespace colosim::traces

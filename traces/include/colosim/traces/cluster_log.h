#pragma once
// What the importers of a cluster's own logs (kubernetes: `kubectl get pods -o json`;
// slurm-sacct: `sacct --parsable2`) share: wall-clock timestamps, moving a log's absolute times
// to an origin, censoring jobs still running when the log was taken, and the cluster inferred
// from the nodes the log names. docs/validate.md states the rules.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colosim.pb.h"
#include "colosim/job.h"

namespace colosim::traces {

// A wall-clock time as microseconds since 1970-01-01T00:00:00Z. Accepts ISO 8601 / RFC 3339
// date-times: "2026-01-05T10:00:00Z", a fraction of a second (".25", up to microseconds; finer
// digits are truncated), a zone offset ("+01:00", "-0530") or none. A time without a zone (sacct
// prints local time) is read as UTC: only differences between the log's times matter, and they
// are right unless the log spans a daylight-saving change. nullopt when `text` is not one, or is
// before 1970 or after 9999.
std::optional<std::int64_t> parse_timestamp_us(std::string_view text);

// "2026-01-05T10:00:00Z" (with ".ffffff" when not whole seconds), for a trace's time origin.
std::string format_timestamp_us(std::int64_t us);

// A job read from a log: its spec with absolute times (microseconds since 1970, as
// parse_timestamp_us gives), and whether its run time is known.
struct LoggedJob {
  JobSpec spec;
  bool running = false;  // started, not ended when the log was taken: run time censored there
};

// When the log was taken: `stated` (an importer's option log-time) or, when empty, `latest` (the
// latest time the log shows). Error naming `importer` when `stated` is not a time or comes before
// a running job's start.
std::int64_t log_time_of(const std::vector<LoggedJob>& jobs, std::int64_t latest, const std::string& stated,
                         const std::string& importer);

// Turns absolute times into a trace: the origin is the earliest submit (0 in the trace); a job
// still running gets run time `log_time - start` and feature "censored" = 1 (its real run was
// longer); the others keep the run time the importer gave them. Sets the header's schema version,
// `source`, time unit and origin ("<ISO time> (earliest submit in the log)") and returns the jobs. `log_time` is when the
// log was taken: the latest time the log shows when the user does not say.
std::vector<JobSpec> jobs_from_log(std::vector<LoggedJob> logged, std::int64_t log_time, const std::string& source,
                                   v1::TraceHeader& header);

// The cluster a log ran on, as far as the log shows it: one node per name in the jobs' recorded
// runs, with the most GPUs its jobs held at one time (a lower bound of its size: a GPU that no
// job used is not seen). A job on k nodes holds ceil(gpus / k) on each. Nodes that held no GPU are
// left out. All nodes get GPU type `gpu_type` with `gpu_memory_mib`; CPU and host memory are not
// limited (the log shows requests, not capacity).
v1::Cluster infer_cluster(const std::vector<JobSpec>& jobs, const std::string& name, const std::string& gpu_type,
                          std::int64_t gpu_memory_mib);

// A log's GPUs when it does not name them: their type, and an 80 GB A100/H100's memory.
inline constexpr const char* kLogGpuType = "GPU";
inline constexpr std::int64_t kLogGpuMemoryMib = 81920;

// Feature set on jobs whose run time was cut at the log time (jobs_from_log).
inline constexpr const char* kCensoredFeature = "censored";

}  // namespace colosim::traces

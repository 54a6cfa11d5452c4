// open_trace, open_trace_reader: the reader of a file's format (traces/formats/); the header
// checks every format shares.
#include "colosim/traces/trace_reader.h"

#include "colosim/errors.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {

std::unique_ptr<JobSource> open_trace(const std::string& path, TraceReadOptions options) {
  return open_trace_reader(path, "", options);
}

std::unique_ptr<TraceReader> open_trace_reader(const std::string& path, const std::string& format, TraceReadOptions options) {
  return builtin_trace_formats().encoding_for(path, format).open_reader(path, options);
}

void validate_header(const v1::TraceHeader& header, const std::string& file, bool allow_unset_version) {
  if (header.schema_version() != kSchemaVersion && !(allow_unset_version && header.schema_version() == 0))
    throw InputError(file, 0, "header.schema_version",
                     "schema version " + std::to_string(header.schema_version()) + ", this build reads version " +
                         std::to_string(kSchemaVersion) + (header.schema_version() == 0 ? " (missing header?)" : ""));
  ticks_per_unit(header.time_unit(), file, 0);
  if (header.job_count() < -1)
    throw InputError(file, 0, "header.job_count", "must be -1 (unknown) or a count, got " +
                                                      std::to_string(header.job_count()));
  if (header.has_cluster() && header.cluster().schema_version() != 0 &&
      header.cluster().schema_version() != kSchemaVersion)
    throw InputError(file, 0, "header.cluster.schema_version",
                     "schema version " + std::to_string(header.cluster().schema_version()) +
                         ", this build reads version " + std::to_string(kSchemaVersion));
}

}  // namespace colosim::traces

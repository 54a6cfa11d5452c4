// open_trace_writer: the writer of a file's format (traces/formats/).
#include "colosim/traces/trace_writer.h"

#include "colosim/traces/job_proto.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {

std::unique_ptr<TraceWriter> open_trace_writer(const std::filesystem::path& path, v1::TraceHeader header,
                                               const std::string& format, std::set<std::string> csv_features) {
  header.set_schema_version(kSchemaVersion);
  ticks_per_unit(header.time_unit(), path.string(), 0);
  return builtin_trace_formats().encoding_for(path, format).open_writer(path, std::move(header), std::move(csv_features));
}

}  // namespace colosim::traces

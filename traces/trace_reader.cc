#include "colosim/traces/trace_reader.h"

namespace colosim::traces {

std::unique_ptr<JobSource> open_trace(const std::string& path, TraceReadOptions options) {
  return open_trace_reader(path, std::nullopt, options);
}

}  // namespace colosim::traces

#include "colosim/sim_config.h"

#include "colosim/errors.h"

namespace colosim {

const char* to_string(MemoryMode m) {
  switch (m) {
    case MemoryMode::enforce: return "enforce";
    case MemoryMode::overcommit: return "overcommit";
    case MemoryMode::ignore: return "ignore";
  }
  return "?";
}

const char* to_string(QueueDiscipline d) {
  switch (d) {
    case QueueDiscipline::fifo: return "fifo";
    case QueueDiscipline::backfill: return "backfill";
  }
  return "?";
}

const char* to_string(GpuSharing s) {
  switch (s) {
    case GpuSharing::by_share: return "by-share";
    case GpuSharing::stack: return "stack";
  }
  return "?";
}

MemoryMode parse_memory_mode(const std::string& text) {
  if (text == "enforce") return MemoryMode::enforce;
  if (text == "overcommit") return MemoryMode::overcommit;
  if (text == "ignore") return MemoryMode::ignore;
  throw Error("unknown memory mode '" + text + "' (expected enforce, overcommit or ignore)");
}

QueueDiscipline parse_discipline(const std::string& text) {
  if (text == "fifo") return QueueDiscipline::fifo;
  if (text == "backfill") return QueueDiscipline::backfill;
  throw Error("unknown queue discipline '" + text + "' (expected fifo or backfill)");
}

GpuSharing parse_gpu_sharing(const std::string& text) {
  if (text == "by-share") return GpuSharing::by_share;
  if (text == "stack") return GpuSharing::stack;
  throw Error("unknown GPU sharing '" + text + "' (expected by-share or stack)");
}

}  // namespace colosim

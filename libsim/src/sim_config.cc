#include "colosim/sim_config.h"

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/number_text.h"

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

const char* to_string(NodeResources r) {
  switch (r) {
    case NodeResources::enforce: return "enforce";
    case NodeResources::ignore: return "ignore";
  }
  return "?";
}

NodeResources parse_node_resources(const std::string& text) {
  if (text == "enforce") return NodeResources::enforce;
  if (text == "ignore") return NodeResources::ignore;
  throw Error("unknown node resources mode '" + text + "' (expected enforce or ignore)");
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

std::string to_string(ModelFallback f) {
  if (f.apps && f.gpu_types) return "all";
  if (f.apps) return "apps";
  if (f.gpu_types) return "gpu-types";
  return "none";
}

ModelFallback parse_model_fallback(const std::string& text) {
  if (text == "none") return {};
  if (text == "apps") return {true, false};
  if (text == "gpu-types") return {false, true};
  if (text == "all") return {true, true};
  throw Error("unknown interference fallback '" + text + "' (expected none, apps, gpu-types or all)");
}

std::map<std::string, PreemptionCost::Delays> PreemptionCost::parse_per_app(const std::string& text) {
  std::map<std::string, Delays> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(at, end - at);
    at = end + 1;
    const std::size_t eq = item.find('='), slash = item.find('/');
    auto bad = [&](const std::string& why) {
      throw Error("per-application preemption delays: '" + item + "': " + why + " (expected app=SUSPEND/RESUME in seconds)");
    };
    if (eq == std::string::npos || eq == 0 || slash == std::string::npos || slash < eq) bad("malformed");
    const std::string app = item.substr(0, eq);
    Delays d;
    const std::string parts[2] = {item.substr(eq + 1, slash - eq - 1), item.substr(slash + 1)};
    Tick* fields[2] = {&d.suspend, &d.resume};
    for (int i = 0; i < 2; ++i) {
      const auto x = parse_number(parts[i]);
      if (!x || !(*x >= 0) || *x > 9.0e12) bad("'" + parts[i] + "' is not seconds from 0 to 9e12");
      *fields[i] = seconds_to_ticks(*x);
    }
    if (!out.emplace(app, d).second) bad("application '" + app + "' given twice");
  }
  return out;
}

std::string PreemptionCost::per_app_text(const std::map<std::string, Delays>& per_app) {
  std::string text;
  for (const auto& [app, d] : per_app)
    text += (text.empty() ? "" : ",") + app + "=" + shortest_text(ticks_to_seconds(d.suspend)) + "/" +
            shortest_text(ticks_to_seconds(d.resume));
  return text;
}

}  // namespace colosim

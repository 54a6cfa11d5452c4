// colosim formats: the registered trace formats, their descriptions and file extensions.
#include <fmt/format.h>

#include "colosim/traces/trace_format.h"
#include "commands.h"

namespace colosim::cli {

void add_formats_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("formats", "List the trace formats, their file extensions and parameters");
  cmd->callback([] {
    const traces::TraceFormatRegistry registry = traces::builtin_trace_formats();
    for (const auto* info : registry.list()) {
      std::string extensions;
      for (const auto& ext : registry.extensions(info->name)) extensions += (extensions.empty() ? "" : " ") + ext;
      fmt::print("{:<12} {:<20} {}\n", info->name, extensions, info->description);
      for (const auto& p : info->params) fmt::print("{:<12}   {}={} : {}\n", "", p.name, p.default_value, p.help);
    }
  });
}

}  // namespace colosim::cli

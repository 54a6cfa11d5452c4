// colosim policies: the registered placement policies, their descriptions and parameters.
#include <fmt/format.h>

#include "colosim/policies/builtin.h"
#include "commands.h"

namespace colosim::cli {

void add_policies_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("policies", "List the registered placement policies and their parameters");
  cmd->callback([] {
    const PolicyRegistry registry = builtin_policies();
    for (const PolicyInfo* info : registry.list()) {
      fmt::print("{:<20} {}\n", info->name, info->description);
      for (const auto& p : info->params) fmt::print("{:<20}   {}={} : {}\n", "", p.name, p.default_value, p.help);
    }
  });
}

}  // namespace colosim::cli

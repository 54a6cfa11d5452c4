// colosim policies: the registered placement policies and queue orders, their descriptions and
// parameters.
#include <fmt/format.h>

#include "colosim/policies/builtin.h"
#include "colosim/queue_order.h"
#include "commands.h"

namespace colosim::cli {
namespace {

template <class Registry>
void print_entries(const Registry& registry) {
  for (const auto* info : registry.list()) {
    fmt::print("{:<20} {}\n", info->name, info->description);
    for (const auto& p : info->params) fmt::print("{:<20}   {}={} : {}\n", "", p.name, p.default_value, p.help);
  }
}

}  // namespace

void add_policies_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("policies", "List the registered placement policies and queue orders, with their parameters");
  cmd->callback([] {
    fmt::print("Placement policies (--policy):\n");
    print_entries(builtin_policies());
    fmt::print("\nQueue orders (--queue-order):\n");
    print_entries(builtin_queue_orders());
  });
}

}  // namespace colosim::cli

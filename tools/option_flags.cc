#include "option_flags.h"

namespace colosim::cli {

OptionFlags::OptionFlags(CLI::App* cmd) : cmd_(cmd), values_(std::make_shared<std::map<std::string, std::string>>()) {
  const RunOptions defaults;
  for (const OptionDef& def : run_option_table()) {
    std::string help = def.help;
    const std::string value = def.get(defaults);
    if (!value.empty()) help += " [default: " + value + "]";
    auto* option = cmd->add_option(def.cli_flag(), (*values_)[def.key], help);
    if (!def.choices.empty()) {
      std::string names;
      for (const auto& c : def.choices) names += (names.empty() ? "" : "|") + c;
      option->type_name(names);
    } else {
      option->type_name(def.type == OptionType::integer ? "INT" : def.type == OptionType::real ? "NUMBER" : "TEXT");
    }
  }
}

void OptionFlags::apply(RunOptions& options) const {
  for (const OptionDef& def : run_option_table())
    if (cmd_->count(def.cli_flag()) > 0) set_run_option(options, def.key, values_->at(def.key));
}

}  // namespace colosim::cli

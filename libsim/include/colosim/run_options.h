#pragma once
// Every setting of a run besides its inputs (cluster, trace, interference, policy, seed), defined
// once. The flags of `colosim run` and `colosim compare`, the fields of a sweep file and the
// keyword arguments of colosim.run() / colosim.compare() are all made from run_option_table(),
// so they share one name, one default, one help text and one validation rule.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "colosim/pair_table.h"
#include "colosim/sim_config.h"

namespace colosim {

struct RunOptions {
  SimConfig sim;           // its seed is not an option here: a run has one, a comparison an axis
  PairTableOptions pairs;  // how a pair table named as the interference input is read
  // Measure GPU fragmentation against the typical shapes of the run's whole trace, read once
  // before the run (SimConfig::target_workload, which fgd then uses too).
  bool fragmentation_from_trace = false;
  // A queue tree file (option `queues`), read into sim.queues by traces::load_queue_tree_option
  // before the run: the core library reads no files.
  std::string queues_file;
};

enum class OptionType { integer, real, text, boolean };

struct OptionDef {
  std::string key;                   // snake_case; the CLI flag is --key-with-dashes
  std::string help;                  // one line
  OptionType type = OptionType::text;
  std::vector<std::string> choices;  // the accepted values, when they are a closed set
  bool may_be_unset = false;         // the default is "not set" (shown as an empty value)
  // The value as text ("" when unset); set() parses text and throws Error naming the option.
  std::function<std::string(const RunOptions&)> get;
  std::function<void(RunOptions&, const std::string&)> set;

  std::string cli_flag() const;  // "--backfill-depth"
};

// In the order they are listed in help texts.
const std::vector<OptionDef>& run_option_table();

// Nullptr when unknown.
const OptionDef* find_run_option(std::string_view key);

// Sets one option from text; throws Error naming the option for an unknown key (listing the
// known ones) or a bad value. Keys may be given with dashes or underscores.
void set_run_option(RunOptions& options, std::string_view key, const std::string& value);

// Every option's value as text, in table order (unset ones as "").
std::vector<std::pair<std::string, std::string>> run_option_values(const RunOptions& options);

}  // namespace colosim

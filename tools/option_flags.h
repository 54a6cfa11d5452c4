#pragma once
// The run options of colosim/run_options.h as command-line flags: one flag per option, named,
// described and defaulted by the option table, so that `run` and `compare` cannot differ.
#include <CLI/CLI.hpp>

#include <map>
#include <memory>
#include <string>

#include "colosim/run_options.h"

namespace colosim::cli {

class OptionFlags {
 public:
  // Adds --key-with-dashes for every option of run_option_table() to `cmd`.
  explicit OptionFlags(CLI::App* cmd);
  // Applies the flags given on the command line on top of `options` (defaults, a sweep file).
  void apply(RunOptions& options) const;

 private:
  CLI::App* cmd_;
  std::shared_ptr<std::map<std::string, std::string>> values_;  // key -> text, owned with the command
};

}  // namespace colosim::cli

#pragma once
// Sweep files: a CompareSpec written down (colosim.v1.Sweep, as .json or .textproto).
#include <map>
#include <string>

#include "colosim/experiments/experiment.h"

namespace colosim::experiments {

// Throws InputError naming the file (and line, for text format). Relative paths in the file are
// taken relative to its directory; "none", "seed-paper", gen: and uniform: specs are kept.
CompareSpec read_sweep(const std::string& path);

// The options that differ from the defaults, as a sweep file's `options` holds them (text that
// set_run_option reads back to the same values): how a spec travels to another process.
std::map<std::string, std::string> changed_options(const RunOptions& options);

}  // namespace colosim::experiments

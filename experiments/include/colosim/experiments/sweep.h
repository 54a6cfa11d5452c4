#pragma once
// Sweep files: a CompareSpec written down (colosim.v1.Sweep, as .json or .textproto).
#include <string>

#include "colosim/experiments/experiment.h"

namespace colosim::experiments {

// Throws InputError naming the file (and line, for text format). Relative paths in the file are
// taken relative to its directory; "none", "seed-paper", gen: and uniform: specs are kept.
CompareSpec read_sweep(const std::string& path);

}  // namespace colosim::experiments

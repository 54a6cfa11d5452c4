#pragma once
// Interference models from files: a measured pair table (CSV) or, with the calibration work, a
// calibrated model file.
#include <memory>
#include <string>

#include "colosim/pair_table.h"

namespace colosim::traces {

// CSV with header victim,aggressor,slowdown and an optional `feasible` column (0: the pair
// cannot share a GPU). Throws InputError with file, line and field.
PairTable read_pair_table_csv(const std::string& path, PairTableOptions options = {});

}  // namespace colosim::traces

#pragma once
// The terminal tables of `colosim compare`: means with intervals per policy, and the paired
// changes against the baseline, with the columns the metric table marks in_compare_table.
#include "colosim/experiments/experiment.h"
#include "colosim/experiments/output.h"

namespace colosim::cli {

void print_tables(const experiments::Experiment& e, const experiments::Analysis& a);

}  // namespace colosim::cli

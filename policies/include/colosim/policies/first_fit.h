#pragma once
// The first-fit placement rule, shared by first-fit and the policies that place as it does
// (tiresias).
#include <vector>

#include "colosim/policy.h"

namespace colosim {

// The lowest-index node that holds the whole gang, on its lowest-index GPUs that fit; whole idle
// nodes for a gang larger than any node. Empty when nothing fits now.
std::vector<GpuIndex> first_fit_gang(const SchedulingPass& pass, const JobSpec& job);

}  // namespace colosim

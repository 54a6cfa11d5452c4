#pragma once
// The comparison grid: clusters x loads x policies x seeds, and the small languages used to
// write its axes on the command line (`--seeds 1-10`, `--load 0.5,1,1.5`).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace colosim::experiments {

// "7", "1-10", "1-3,7,9-10": ascending or not, but no seed twice. Throws Error quoting the
// text and the bad item.
std::vector<std::uint64_t> parse_seeds(std::string_view text);

// "1", "0.5,1.0,1.5": finite, positive, no factor twice. Throws Error.
std::vector<double> parse_loads(std::string_view text);
void check_loads(const std::vector<double>& loads);  // the same checks on already parsed values

struct GridShape {
  std::size_t clusters = 0, loads = 0, policies = 0, seeds = 0;
  std::size_t size() const { return clusters * loads * policies * seeds; }
};

// One run. The grid index orders everything written (runs.csv rows, statistics): cluster
// slowest, then load, then policy, then seed fastest, whatever order the runs finish in.
struct RunPoint {
  std::size_t index = 0;
  std::size_t cluster = 0, load = 0, policy = 0, seed = 0;  // indexes into the axes
};

std::vector<RunPoint> expand(const GridShape& shape);
RunPoint point_at(const GridShape& shape, std::size_t index);

}  // namespace colosim::experiments

#pragma once
// Maximum-weight matching on a general graph, for policies that pair jobs with jobs or GPUs.
#include <cstdint>
#include <vector>

namespace colosim {

struct WeightedEdge {
  int u = 0;
  int v = 0;
  std::int64_t weight = 0;
};

// Largest |weight| accepted: the blossom algorithm's dual values are multiples of the weights.
inline constexpr std::int64_t kMaxMatchingWeight = std::int64_t{1} << 40;

// A matching of greatest summed weight (not necessarily perfect, not necessarily of greatest
// cardinality): mate[v] is the vertex matched to v, or -1. Edges of weight <= 0 cannot raise
// the sum and are left out. Exact (Edmonds' blossom algorithm, LEMON's MaxWeightedMatching)
// and deterministic: the same edge list gives the same matching. Throws Error on a vertex out
// of range, a self-loop or a weight beyond kMaxMatchingWeight. (C++17, as LEMON needs.)
std::vector<int> max_weight_matching(int vertices, const std::vector<WeightedEdge>& edges);

}  // namespace colosim

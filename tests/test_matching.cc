// Maximum-weight matching (libsim/src/matching.cc) against brute force on small random graphs.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "colosim/errors.h"
#include "colosim/matching.h"
#include "colosim/rng.h"

using namespace colosim;

namespace {

constexpr std::int64_t kNoEdge = std::numeric_limits<std::int64_t>::min();

// Best summed weight over every matching: vertex v is either left out or matched to a later
// unmatched neighbour. Exponential, fine up to a dozen vertices.
std::int64_t brute_force(int v, std::vector<bool>& used, const std::vector<std::vector<std::int64_t>>& w) {
  const int n = static_cast<int>(w.size());
  while (v < n && used[v]) ++v;
  if (v >= n) return 0;
  used[v] = true;
  std::int64_t best = brute_force(v + 1, used, w);
  for (int u = v + 1; u < n; ++u) {
    if (used[u] || w[v][u] == kNoEdge) continue;
    used[u] = true;
    best = std::max(best, w[v][u] + brute_force(v + 1, used, w));
    used[u] = false;
  }
  used[v] = false;
  return best;
}

}  // namespace

TEST_CASE("issue 10 #2: maximum-weight matching equals brute force on random graphs") {
  // Ties (weights from a small set), zero and negative weights (never worth matching), isolated
  // vertices, empty graphs, odd and even sizes.
  Rng rng(2024);
  const std::int64_t weights[] = {0, 1, 1, 2, 3, 3, 5, 8, 1000000, -2};
  int graphs = 0, nonempty_matchings = 0;
  for (int round = 0; round < 600; ++round, ++graphs) {
    const int n = static_cast<int>(rng.below(12));
    const double density = 0.1 + 0.9 * static_cast<double>(rng.below(10)) / 9.0;
    std::vector<std::vector<std::int64_t>> w(n, std::vector<std::int64_t>(n, kNoEdge));
    std::vector<WeightedEdge> edges;
    for (int u = 0; u < n; ++u)
      for (int v = u + 1; v < n; ++v) {
        if (static_cast<double>(rng.below(1000)) >= density * 1000) continue;
        const std::int64_t weight = weights[rng.below(std::size(weights))];
        // Either orientation: the graph is undirected.
        edges.push_back(rng.below(2) ? WeightedEdge{u, v, weight} : WeightedEdge{v, u, weight});
        w[u][v] = w[v][u] = weight;
      }
    CAPTURE(round);
    CAPTURE(n);
    CAPTURE(edges.size());
    const std::vector<int> mate = max_weight_matching(n, edges);
    REQUIRE(static_cast<int>(mate.size()) == n);
    std::int64_t total = 0;
    for (int v = 0; v < n; ++v) {
      if (mate[v] < 0) continue;
      REQUIRE(mate[v] < n);
      REQUIRE(mate[mate[v]] == v);  // symmetric: a matching, not a relation
      REQUIRE(w[v][mate[v]] != kNoEdge);
      CHECK(w[v][mate[v]] > 0);  // an edge that cannot raise the sum is never used
      if (v < mate[v]) total += w[v][mate[v]];
    }
    std::vector<bool> used(n, false);
    CHECK(total == brute_force(0, used, w));
    if (total > 0) ++nonempty_matchings;
    // Deterministic: the same edges give the same matching.
    CHECK(max_weight_matching(n, edges) == mate);
  }
  CHECK(graphs == 600);
  CHECK(nonempty_matchings > 400);  // the sample is not dominated by trivial graphs
}

TEST_CASE("matching: exact answers that a greedy choice gets wrong, and bad input") {
  // Path a-b-c-d with weights 3, 4, 3: greedy takes b-c (4), the optimum a-b + c-d (6).
  const std::vector<WeightedEdge> path = {{0, 1, 3}, {1, 2, 4}, {2, 3, 3}};
  CHECK(max_weight_matching(4, path) == std::vector<int>{1, 0, 3, 2});
  // A triangle (odd cycle, a blossom) with a pendant vertex: 0-1 5, 1-2 5, 0-2 5, 2-3 6 ->
  // 0-1 and 2-3 (11).
  const std::vector<WeightedEdge> blossom = {{0, 1, 5}, {1, 2, 5}, {0, 2, 5}, {2, 3, 6}};
  CHECK(max_weight_matching(4, blossom) == std::vector<int>{1, 0, 3, 2});
  CHECK(max_weight_matching(0, {}).empty());
  CHECK(max_weight_matching(3, {}) == std::vector<int>{-1, -1, -1});
  const std::vector<WeightedEdge> loop = {{1, 1, 2}};
  CHECK_THROWS_AS(max_weight_matching(2, loop), Error);
  const std::vector<WeightedEdge> outside = {{0, 2, 2}};
  CHECK_THROWS_AS(max_weight_matching(2, outside), Error);
  const std::vector<WeightedEdge> huge = {{0, 1, kMaxMatchingWeight + 1}};
  CHECK_THROWS_AS(max_weight_matching(2, huge), Error);
}

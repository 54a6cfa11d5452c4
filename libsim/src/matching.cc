#include "colosim/matching.h"

#include <lemon/list_graph.h>
#include <lemon/matching.h>

#include <string>

#include "colosim/errors.h"

namespace colosim {

// LEMON replaces Boost's maximum_weighted_matching, which crashes or loops forever on some
// inputs (boostorg/graph #199, #223, #399; issue 10).
std::vector<int> max_weight_matching(int vertices, const std::vector<WeightedEdge>& edges) {
  if (vertices < 0) throw Error("matching: negative vertex count");
  std::vector<int> mate(static_cast<std::size_t>(vertices), -1);
  lemon::ListGraph graph;
  std::vector<lemon::ListGraph::Node> nodes;
  nodes.reserve(mate.size());
  for (int v = 0; v < vertices; ++v) nodes.push_back(graph.addNode());
  lemon::ListGraph::EdgeMap<std::int64_t> weight(graph);
  bool any = false;
  for (const WeightedEdge& e : edges) {
    if (e.u < 0 || e.u >= vertices || e.v < 0 || e.v >= vertices)
      throw Error("matching: edge " + std::to_string(e.u) + "-" + std::to_string(e.v) + " outside 0.." +
                  std::to_string(vertices - 1));
    if (e.u == e.v) throw Error("matching: self-loop at vertex " + std::to_string(e.u));
    if (e.weight > kMaxMatchingWeight || e.weight < -kMaxMatchingWeight)
      throw Error("matching: weight " + std::to_string(e.weight) + " out of range");
    if (e.weight <= 0) continue;
    weight[graph.addEdge(nodes[e.u], nodes[e.v])] = e.weight;
    any = true;
  }
  if (!any) return mate;
  lemon::MaxWeightedMatching<lemon::ListGraph, lemon::ListGraph::EdgeMap<std::int64_t>> matching(graph, weight);
  matching.run();
  for (int v = 0; v < vertices; ++v) {
    const lemon::ListGraph::Node m = matching.mate(nodes[v]);
    if (m != lemon::INVALID) mate[v] = graph.id(m);
  }
  return mate;
}

}  // namespace colosim

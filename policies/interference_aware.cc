// interference-aware: places jobs where the interference model predicts the least harm, and
// pairs pending jobs with each other by a maximum-weight matching on predicted pair benefit.
//
// Benefit of putting job i beside job j (pending, or the only resident of a GPU): the combined
// normalised throughput minus one, 1/s(i|j) + 1/s(j|i) - 1, i.e. the work done per unit time
// by sharing one GPU over running one job at a time. A pass:
//  1. Single-GPU jobs, when there are at least as many fitting empty GPUs as such jobs: each
//     alone on an empty GPU (no interference), in queue order.
//  2. Otherwise, a graph over the first `candidates` pending single-GPU jobs and the GPUs with
//     exactly one resident; an edge for every feasible pairing (memory, model feasibility)
//     whose benefit exceeds `alpha`, weighted by the benefit. Boost's maximum-weight matching
//     picks the pairs. Jobs matched to a running job join its GPU; then matched pending pairs
//     take an empty GPU each, best benefit first, as long as jobs outnumber empty GPUs; then
//     the rest go alone onto empty GPUs in queue order. The others wait.
//  3. Gangs: on the node with the most idle GPUs, the GPUs where the predicted added slowdown
//     (of the job and of the residents) is smallest.
// Deterministic: candidates in queue order, GPUs in index order, integer matching weights.
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/maximum_weighted_matching.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <tuple>

#include "colosim/errors.h"
#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                    boost::property<boost::edge_weight_t, long long>>;

class InterferenceAware final : public PlacementPolicy {
 public:
  InterferenceAware(double alpha, int candidates) : alpha_(alpha), candidates_(candidates) {}

  void schedule(SchedulingPass& pass) override {
    const ClusterView& cluster = pass.cluster();
    std::vector<const PendingJob*> singles;
    for (const PendingJob& p : pass.pending()) {
      if (p.spec->gpus == 1) {
        singles.push_back(&p);
        continue;
      }
      place_gang(pass, p);
    }
    if (singles.empty()) return;

    auto empty_fitting = [&](const JobSpec& job) -> std::optional<GpuIndex> {
      for (GpuIndex g : cluster.empty_gpus())
        if (pass.fits(job, g)) return g;
      return std::nullopt;
    };
    const int empty = static_cast<int>(cluster.empty_gpus().size());
    if (static_cast<int>(singles.size()) <= empty) {
      for (const PendingJob* p : singles)
        if (auto g = empty_fitting(*p->spec)) pass.place(*p, std::span<const GpuIndex>(&*g, 1), "alone");
      return;
    }

    // Vertices: candidate pending jobs, then GPUs hosting exactly one job.
    const int n = std::min<int>(static_cast<int>(singles.size()), candidates_);
    std::vector<GpuIndex> hosts;
    for (const auto& [used, g] : cluster.by_free_memory())
      if (cluster.residents(g).size() == 1) hosts.push_back(g);
    std::sort(hosts.begin(), hosts.end());
    Graph graph(static_cast<std::size_t>(n) + hosts.size());
    const InterferenceModel& model = pass.interference();
    for (int i = 0; i < n; ++i) {
      const JobSpec& a = *singles[i]->spec;
      for (int j = i + 1; j < n; ++j) {
        const JobSpec& b = *singles[j]->spec;
        const GpuType* type = pair_gpu_type(pass, a, b);
        if (!type) continue;
        add_edge(graph, i, j, benefit(model, a, b, *type));
      }
      for (std::size_t h = 0; h < hosts.size(); ++h) {
        const GpuIndex g = hosts[h];
        if (!pass.fits(a, g)) continue;
        const JobSpec& r = pass.job(cluster.residents(g)[0].slot);
        add_edge(graph, i, n + static_cast<int>(h), benefit(model, a, r, cluster.type_of(g)));
      }
    }
    std::vector<boost::graph_traits<Graph>::vertex_descriptor> mate(boost::num_vertices(graph));
    boost::maximum_weighted_matching(graph, &mate[0]);
    const auto none = boost::graph_traits<Graph>::null_vertex();

    std::vector<bool> placed(singles.size(), false);
    // Beside a running job.
    for (int i = 0; i < n; ++i) {
      if (mate[i] == none || static_cast<int>(mate[i]) < n) continue;
      const GpuIndex g = hosts[mate[i] - static_cast<std::size_t>(n)];
      if (!pass.fits(*singles[i]->spec, g)) continue;
      pass.place(*singles[i], std::span<const GpuIndex>(&g, 1), "matched with a running job");
      placed[i] = true;
    }
    // Pending pairs, best benefit first.
    std::vector<std::tuple<double, int, int>> pairs;
    for (int i = 0; i < n; ++i)
      if (mate[i] != none && static_cast<int>(mate[i]) < n && static_cast<int>(mate[i]) > i) {
        const int j = static_cast<int>(mate[i]);
        const GpuType* type = pair_gpu_type(pass, *singles[i]->spec, *singles[j]->spec);
        pairs.emplace_back(type ? benefit(model, *singles[i]->spec, *singles[j]->spec, *type) : 0.0, i, j);
      }
    std::stable_sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) { return std::get<0>(x) > std::get<0>(y); });
    auto waiting = [&] { return static_cast<int>(std::count(placed.begin(), placed.end(), false)); };
    for (const auto& [gain, i, j] : pairs) {
      if (waiting() <= static_cast<int>(cluster.empty_gpus().size())) break;
      auto g = empty_fitting(*singles[i]->spec);
      if (!g) break;
      pass.place(*singles[i], std::span<const GpuIndex>(&*g, 1), "matched pair");
      placed[i] = true;
      if (pass.fits(*singles[j]->spec, *g)) {
        pass.place(*singles[j], std::span<const GpuIndex>(&*g, 1), "matched pair");
        placed[j] = true;
      }
    }
    // The rest alone, in queue order.
    for (std::size_t i = 0; i < singles.size(); ++i) {
      if (placed[i]) continue;
      auto g = empty_fitting(*singles[i]->spec);
      if (!g) continue;
      pass.place(*singles[i], std::span<const GpuIndex>(&*g, 1), "alone");
      placed[i] = true;
    }
  }

 private:
  // The GPU type on which a and b would share (the first empty GPU both fit on), or null.
  static const GpuType* pair_gpu_type(const SchedulingPass& pass, const JobSpec& a, const JobSpec& b) {
    const ClusterView& cluster = pass.cluster();
    for (GpuIndex g : cluster.empty_gpus()) {
      if (!pass.fits(a, g) || !pass.fits(b, g)) continue;
      const GpuType& type = cluster.type_of(g);
      if (type.memory_mib > 0 && a.memory_mib + b.memory_mib > type.memory_mib) return nullptr;
      if (!pass.interference().feasible(a, b, type)) return nullptr;
      return &type;
    }
    return nullptr;
  }

  static double benefit(const InterferenceModel& model, const JobSpec& a, const JobSpec& b, const GpuType& type) {
    if (!model.feasible(a, b, type)) return -1.0;
    const JobSpec* pb[] = {&b};
    const JobSpec* pa[] = {&a};
    return 1.0 / model.slowdown(a, pb, type) + 1.0 / model.slowdown(b, pa, type) - 1.0;
  }

  void add_edge(Graph& graph, int u, int v, double gain) const {
    if (!(gain > alpha_)) return;
    boost::add_edge(static_cast<std::size_t>(u), static_cast<std::size_t>(v),
                    static_cast<long long>(std::llround(gain * 1e6)), graph);
  }

  void place_gang(SchedulingPass& pass, const PendingJob& p) const {
    const JobSpec& job = *p.spec;
    const ClusterView& cluster = pass.cluster();
    std::vector<GpuIndex> gpus;
    if (needs_several_nodes(pass, job)) {
      gpus = gang_on_whole_nodes(pass, job);
    } else {
      gpus = gang_on_one_node(
          pass, job, NodeOrder::most_empty_first, [&](GpuIndex g) { return pass.fits(job, g); },
          [&](GpuIndex g) { return added_slowdown(pass, job, g); });
      (void)cluster;
    }
    if (!gpus.empty()) pass.place(p, gpus);
  }

  // Predicted increase of the summed slowdown of everyone on GPU g if `job` joins it.
  static double added_slowdown(const SchedulingPass& pass, const JobSpec& job, GpuIndex g) {
    const ClusterView& cluster = pass.cluster();
    const auto residents = cluster.residents(g);
    if (residents.empty()) return 0.0;
    const InterferenceModel& model = pass.interference();
    const GpuType& type = cluster.type_of(g);
    std::vector<const JobSpec*> others;
    for (const auto& r : residents) others.push_back(&pass.job(r.slot));
    double cost = model.slowdown(job, others, type) - 1.0;
    for (std::size_t k = 0; k < others.size(); ++k) {
      std::vector<const JobSpec*> before, after;
      for (std::size_t m = 0; m < others.size(); ++m)
        if (m != k) before.push_back(others[m]);
      after = before;
      after.push_back(&job);
      cost += model.slowdown(*others[k], after, type) - model.slowdown(*others[k], before, type);
    }
    return cost;
  }

  double alpha_;
  int candidates_;
};

}  // namespace

void register_interference_aware(PolicyRegistry& registry) {
  registry.add({"interference-aware",
                "pairs jobs by maximum-weight matching on predicted co-location benefit; alone when GPUs are free",
                {{"alpha", "0.1", "minimum predicted benefit (1/s_ab + 1/s_ba - 1) for two jobs to share a GPU"},
                 {"candidates", "64", "pending single-GPU jobs considered for matching per pass"}},
                [](const PolicyParams& params) {
                  const double candidates = params.number("candidates");
                  if (!(candidates >= 1)) throw Error("interference-aware: candidates must be >= 1");
                  return std::make_shared<InterferenceAware>(params.number("alpha"), static_cast<int>(candidates));
                }});
}

}  // namespace colosim

// interference-aware: places jobs where the interference model predicts the least harm, and
// pairs pending jobs with each other by a maximum-weight matching on predicted pair benefit.
//
// Benefit of putting job i on a GPU: the change of the GPU's summed normalised throughput,
// 1/s(i | residents) + sum over residents r of (1/s(r | others + i) - 1/s(r | others)); beside
// one job j it is 1/s(i|j) + 1/s(j|i) - 1, the work done per unit time by sharing one GPU over
// running one job at a time. Sharing happens only where it is predicted to gain (> alpha,
// default 0), and only while jobs outnumber the idle GPUs: a job that can have a GPU to itself
// gets one. A pass:
//  1. Gangs, in queue order: on the node with the most idle GPUs, the GPUs where the predicted
//     added slowdown (of the job and of the residents) is smallest.
//  2. Single-GPU jobs, when there are at least as many empty GPUs as such jobs: each alone on
//     an empty GPU (no interference), in queue order.
//  3. Otherwise, a graph over the busy GPUs with room for the smallest pending job (most free
//     memory first, at most 2 x candidates, from the free-memory index rather than a scan) and
//     the first `candidates` pending single-GPU jobs that can share at all (memory leaves room
//     on a busy GPU or beside the smallest pending job: jobs that need a whole GPU are not
//     candidates, so a queue full of them does not hide the ones that can share); an edge for
//     every feasible placement (memory, GPU share, model feasibility) whose benefit exceeds
//     `alpha`, weighted by the benefit. An exact maximum-weight matching picks the pairs. Jobs
//     matched to a busy GPU join it; then matched pending pairs take an empty GPU each, best
//     benefit first, as long as jobs outnumber empty GPUs (each pair frees an empty GPU for a
//     job that cannot share); then the rest go alone onto empty GPUs in queue order. The
//     others wait.
// Deterministic: candidates in queue order, GPUs in index order, integer matching weights.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <tuple>

#include "colosim/errors.h"
#include "colosim/matching.h"
#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"

namespace colosim {
namespace {

class InterferenceAware final : public PlacementPolicy {
 public:
  InterferenceAware(double alpha, int candidates) : alpha_(alpha), candidates_(candidates) {}

  void schedule(SchedulingPass& pass) override {
    std::vector<const PendingJob*> singles;
    for (const PendingJob& p : pass.pending()) {
      if (p.spec->gpus == 1) {
        singles.push_back(&p);
        continue;
      }
      place_gang(pass, p);
    }
    if (!singles.empty()) place_singles(pass, singles);
  }

 private:
  void place_singles(SchedulingPass& pass, const std::vector<const PendingJob*>& singles) {
    const ClusterView& cluster = pass.cluster();

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

    // Vertices: candidate pending jobs, then busy GPUs with room for one of them.
    std::int64_t max_capacity = 0;
    for (const GpuType& t : cluster.spec().gpu_types) max_capacity = std::max(max_capacity, t.memory_mib);
    std::int64_t min_memory = std::numeric_limits<std::int64_t>::max();
    int min_share = 1000;
    for (const PendingJob* p : singles) {
      min_memory = std::min(min_memory, p->spec->memory_mib);
      min_share = std::min(min_share, cluster.share_of(*p->spec));
    }
    // Only whole-GPU jobs wait and every job holds a share: nobody can share, so skip the graph.
    if (cluster.sharing() == GpuSharing::by_share && min_share == 1000) {
      place_alone(pass, singles, std::vector<bool>(singles.size(), false));
      return;
    }
    const bool memory_counts = pass.memory_mode() != MemoryMode::ignore;  // as in fits()
    const std::vector<GpuIndex> hosts = busy_hosts(pass, min_memory, min_share, 2 * candidates_);
    std::int64_t max_host_free = 0;
    for (GpuIndex g : hosts) max_host_free = std::max(max_host_free, cluster.free_mib(g));
    // Room beside another job: on a busy GPU, or with the smallest pending job on the largest GPU.
    auto can_share = [&](const JobSpec& job) {
      if (cluster.needs_idle_gpu(job)) return false;
      return !memory_counts || max_capacity <= 0 || job.memory_mib <= max_host_free ||
             job.memory_mib + min_memory <= max_capacity;
    };
    std::vector<int> cand;  // indexes into singles
    for (int i = 0; i < static_cast<int>(singles.size()) && static_cast<int>(cand.size()) < candidates_; ++i)
      if (can_share(*singles[i]->spec)) cand.push_back(i);
    if (cand.empty()) {
      place_alone(pass, singles, std::vector<bool>(singles.size(), false));
      return;
    }
    const int n = static_cast<int>(cand.size());
    std::vector<WeightedEdge> graph;
    const InterferenceModel& model = pass.interference();
    for (int i = 0; i < n; ++i) {
      const JobSpec& a = *singles[cand[i]]->spec;
      for (int j = i + 1; j < n; ++j) {
        const JobSpec& b = *singles[cand[j]]->spec;
        const GpuType* type = pair_gpu_type(pass, a, b);
        if (!type) continue;
        add_edge(graph, i, j, benefit(model, a, b, *type));
      }
      for (std::size_t h = 0; h < hosts.size(); ++h) {
        const GpuIndex g = hosts[h];
        if (!pass.fits(a, g)) continue;
        add_edge(graph, i, n + static_cast<int>(h), gain_on(pass, a, g));
      }
    }
    constexpr int none = -1;
    const std::vector<int> mate = max_weight_matching(n + static_cast<int>(hosts.size()), graph);

    std::vector<bool> placed(singles.size(), false);
    // Beside running jobs.
    for (int i = 0; i < n; ++i) {
      if (mate[i] == none || mate[i] < n) continue;
      const GpuIndex g = hosts[static_cast<std::size_t>(mate[i] - n)];
      const PendingJob& p = *singles[cand[i]];
      if (!pass.fits(*p.spec, g)) continue;
      pass.place(p, std::span<const GpuIndex>(&g, 1), "matched with a running job");
      placed[cand[i]] = true;
    }
    // Pending pairs, best benefit first.
    std::vector<std::tuple<double, int, int>> pairs;
    for (int i = 0; i < n; ++i)
      if (mate[i] != none && mate[i] < n && mate[i] > i) {
        const int j = mate[i];
        const JobSpec& a = *singles[cand[i]]->spec;
        const JobSpec& b = *singles[cand[j]]->spec;
        const GpuType* type = pair_gpu_type(pass, a, b);
        pairs.emplace_back(type ? benefit(model, a, b, *type) : 0.0, cand[i], cand[j]);
      }
    std::stable_sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) { return std::get<0>(x) > std::get<0>(y); });
    auto waiting = [&] { return static_cast<int>(std::count(placed.begin(), placed.end(), false)); };
    for (const auto& [gain, i, j] : pairs) {
      if (waiting() <= static_cast<int>(cluster.empty_gpus().size())) break;
      const JobSpec& a = *singles[i]->spec;
      const JobSpec& b = *singles[j]->spec;
      std::optional<GpuIndex> g;
      for (GpuIndex e : cluster.empty_gpus())
        if (pass.fits(a, e) && pass.fits(b, e)) {
          g = e;
          break;
        }
      if (!g) continue;
      pass.place(*singles[i], std::span<const GpuIndex>(&*g, 1), "matched pair");
      placed[i] = true;
      if (pass.fits(b, *g)) {  // a's placement counted: memory, GPU share, feasibility
        pass.place(*singles[j], std::span<const GpuIndex>(&*g, 1), "matched pair");
        placed[j] = true;
      }
    }
    place_alone(pass, singles, placed);
  }

  // Busy GPUs with at least `memory_mib` free and room for a share of `share`, most free memory
  // first, at most `limit` of them (bounds the matching's size), in index order.
  static std::vector<GpuIndex> busy_hosts(const SchedulingPass& pass, std::int64_t memory_mib, int share, int limit) {
    const ClusterView& cluster = pass.cluster();
    const bool memory_counts = pass.memory_mode() != MemoryMode::ignore;  // as in fits()
    std::vector<GpuIndex> hosts;
    const auto& by_free = cluster.by_free_memory();
    for (auto it = by_free.rbegin(); it != by_free.rend() && static_cast<int>(hosts.size()) < limit; ++it) {
      if (memory_counts && it->first < memory_mib) break;
      if (!cluster.is_empty(it->second) && cluster.milli_sum(it->second) + share <= 1000) hosts.push_back(it->second);
    }
    std::sort(hosts.begin(), hosts.end());
    return hosts;
  }

  // The jobs not yet placed, alone on empty GPUs, in queue order.
  static void place_alone(SchedulingPass& pass, std::span<const PendingJob* const> singles, std::vector<bool> placed) {
    const ClusterView& cluster = pass.cluster();
    for (std::size_t i = 0; i < singles.size() && !cluster.empty_gpus().empty(); ++i) {
      if (placed[i]) continue;
      for (GpuIndex g : cluster.empty_gpus())
        if (pass.fits(*singles[i]->spec, g)) {
          pass.place(*singles[i], std::span<const GpuIndex>(&g, 1), "alone");
          placed[i] = true;
          break;
        }
    }
  }

  // Change of the summed normalised throughput of GPU g's jobs if `job` joins them.
  static double gain_on(const SchedulingPass& pass, const JobSpec& job, GpuIndex g) {
    const ClusterView& cluster = pass.cluster();
    const InterferenceModel& model = pass.interference();
    const GpuType& type = cluster.type_of(g);
    std::vector<const JobSpec*> others;
    for (const auto& r : cluster.residents(g)) others.push_back(&pass.job(r.slot));
    if (!all_feasible(model, job, others, type)) return -1.0;
    double gain = 1.0 / model.slowdown(job, others, type);
    std::vector<const JobSpec*> before, after;
    for (std::size_t k = 0; k < others.size(); ++k) {
      before.clear();
      for (std::size_t m = 0; m < others.size(); ++m)
        if (m != k) before.push_back(others[m]);
      after = before;
      after.push_back(&job);
      gain += 1.0 / model.slowdown(*others[k], after, type) - 1.0 / model.slowdown(*others[k], before, type);
    }
    return gain;
  }

  // The GPU type on which a and b would share (the first empty GPU both fit on), or null.
  static const GpuType* pair_gpu_type(const SchedulingPass& pass, const JobSpec& a, const JobSpec& b) {
    const ClusterView& cluster = pass.cluster();
    for (GpuIndex g : cluster.empty_gpus()) {
      if (!pass.fits(a, g) || !pass.fits(b, g)) continue;
      if (cluster.share_of(a) + cluster.share_of(b) > 1000) return nullptr;
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

  // Integer weights (micro-units of benefit) keep the matching exact and deterministic; gains
  // above 1000 (only from a model that predicts large speed-ups) are all alike.
  void add_edge(std::vector<WeightedEdge>& graph, int u, int v, double gain) const {
    if (!(gain > alpha_)) return;
    graph.push_back({u, v, std::llround(std::min(gain, 1000.0) * 1e6)});
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

  // Whether the model can predict `job` beside `others`: no pair among them known infeasible.
  // Under --memory ignore such a pair may already share a GPU (a gang placed there), and the
  // model has no slowdown for it.
  static bool all_feasible(const InterferenceModel& model, const JobSpec& job, std::span<const JobSpec* const> others,
                           const GpuType& type) {
    for (std::size_t k = 0; k < others.size(); ++k) {
      if (!model.feasible(job, *others[k], type)) return false;
      for (std::size_t m = k + 1; m < others.size(); ++m)
        if (!model.feasible(*others[k], *others[m], type)) return false;
    }
    return true;
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
    if (!all_feasible(model, job, others, type)) return std::numeric_limits<double>::infinity();
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
                {{"alpha", "0", "minimum predicted benefit (1/s_ab + 1/s_ba - 1: throughput gained by sharing) for a job to share a GPU"},
                 {"candidates", "64", "pending single-GPU jobs that can share considered for matching per pass"}},
                [](const PolicyParams& params) {
                  const double candidates = params.number("candidates");
                  if (!(candidates >= 1)) throw Error("interference-aware: candidates must be >= 1");
                  return std::make_shared<InterferenceAware>(params.number("alpha"), static_cast<int>(candidates));
                }});
}

}  // namespace colosim

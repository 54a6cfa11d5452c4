#pragma once
// Runtime occupancy of the cluster and the indexes that placement uses. Policies see a
// `const ClusterView&`; only the core (ClusterState) changes it.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "colosim/cluster_spec.h"
#include "colosim/gpu_room_index.h"
#include "colosim/job.h"
#include "colosim/sim_config.h"

namespace colosim {

using GpuIndex = std::int32_t;   // 0..gpu_count-1, node by node
using NodeIndex = std::int32_t;
using JobSlot = std::int32_t;    // handle of an active (pending or running) job
using AppIndex = std::int32_t;   // interned application name

struct Resident {
  JobSlot slot;
  AppIndex app;
};

class ClusterView {
 public:
  explicit ClusterView(ClusterSpec spec, GpuSharing sharing = GpuSharing::by_share,
                       NodeResources node_resources = NodeResources::enforce);

  const ClusterSpec& spec() const { return spec_; }
  GpuSharing sharing() const { return sharing_; }
  int gpu_count() const { return static_cast<int>(gpus_.size()); }
  int node_count() const { return static_cast<int>(nodes_.size()); }

  NodeIndex node_of(GpuIndex g) const { return gpus_[g].node; }
  GpuIndex first_gpu(NodeIndex n) const { return nodes_[n].first_gpu; }
  int gpus_on(NodeIndex n) const { return nodes_[n].gpu_count; }
  int empty_gpus_on(NodeIndex n) const { return nodes_[n].empty; }
  const GpuType& type_of(GpuIndex g) const { return spec_.gpu_types[gpus_[g].type]; }
  int type_index_of(GpuIndex g) const { return gpus_[g].type; }
  std::int64_t capacity_mib(GpuIndex g) const { return type_of(g).memory_mib; }
  // The job's speed on GPU g: its application's entry in ClusterSpec::app_speeds for the GPU's
  // type (its gang size first, then any size), else the type's speed. Solo durations are at 1.
  double speed_of(const std::string& app, int gang, GpuIndex g) const;
  double speed_of(const JobSpec& job, GpuIndex g) const { return speed_of(job.app, job.gpus, g); }
  // The slowest of the speeds on `gpus`: a gang moves at the pace of its slowest GPU.
  double speed_on(const std::string& app, int gang, std::span<const GpuIndex> gpus) const;
  // Whether the jobs on GPU g take turns (time-slicing) rather than run concurrently.
  bool time_sliced(GpuIndex g) const { return gpus_[g].time_sliced; }

  std::int64_t used_mib(GpuIndex g) const { return gpus_[g].used_mib; }
  // Negative when over-committed.
  std::int64_t free_mib(GpuIndex g) const { return capacity_mib(g) - gpus_[g].used_mib; }
  double util_sum(GpuIndex g) const { return gpus_[g].util_sum; }
  // Summed GPU shares (thousandths, gpu_share_milli) of the GPU's residents.
  int milli_sum(GpuIndex g) const { return gpus_[g].milli_sum; }
  // The job's share of each of its GPUs under this run's GpuSharing (gpu_milli 0: whole GPU).
  int share_of(const JobSpec& job) const { return gpu_share_milli(job, sharing_); }
  bool share_fits(const JobSpec& job, GpuIndex g) const { return gpus_[g].milli_sum + share_of(job) <= 1000; }
  // True when only idle GPUs have room for the job's share: a whole GPU when every job holds a
  // share (GpuSharing::by_share). Policies then look in the idle-GPU indexes instead of scanning.
  bool needs_idle_gpu(const JobSpec& job) const {
    return sharing_ == GpuSharing::by_share && share_of(job) == 1000;
  }
  // False when no GPU has room for any job's share: a scheduling pass cannot place anything.
  bool any_share_room() const { return sharing_ == GpuSharing::stack || share_full_gpus_ < gpu_count(); }
  // A cheap necessary condition for the job's share to fit somewhere now, O(1).
  bool share_may_fit(const JobSpec& job) const {
    if (needs_idle_gpu(job)) return static_cast<int>(empty_gpus_.size()) >= job.gpus;
    return any_share_room();
  }
  std::span<const Resident> residents(GpuIndex g) const { return gpus_[g].residents; }
  bool is_empty(GpuIndex g) const { return gpus_[g].residents.empty(); }

  // --- Node CPU and host memory (SimConfig::node_resources) ---
  // A job's CPU and host-memory requests are per pod: a gang over several nodes asks each node
  // for the part its GPUs there are of the gang, rounded up.
  static std::int64_t node_part(std::int64_t request, int gpus_here, int gang) {
    // ceil(request * gpus_here / gang) without the product: requests go up to 2^53.
    return request / gang * gpus_here + (request % gang * gpus_here + gang - 1) / gang;
  }
  NodeResources node_resources() const { return node_resources_; }
  // Whether any node's CPU or host memory limits placement in this run.
  bool limits_node_resources() const { return limits_node_resources_; }
  std::int64_t cpu_capacity_milli(NodeIndex n) const { return spec_.nodes[n].cpu_milli; }
  std::int64_t host_memory_capacity_mib(NodeIndex n) const { return spec_.nodes[n].memory_mib; }
  std::int64_t used_cpu_milli(NodeIndex n) const { return nodes_[n].used_cpu_milli; }
  std::int64_t used_host_memory_mib(NodeIndex n) const { return nodes_[n].used_host_mib; }
  // A job's requests of node resources, read from its features once for many tests.
  struct NodeRequest {
    std::int64_t cpu_milli = 0, host_mib = 0;
    int gang = 1;
  };
  // A CPU-only job (gpus 0) asks one node for all of it, as a gang of one.
  static NodeRequest node_request(const JobSpec& job) {
    return {cpu_request_milli(job), host_memory_request_mib(job), std::max(job.gpus, 1)};
  }
  // Whether node n has the CPU and host memory for `gpus_here` of the job's GPUs: always when
  // node resources are ignored, and for what a node states no capacity of.
  bool node_fits(const NodeRequest& request, NodeIndex n, int gpus_here) const;
  bool node_fits(const JobSpec& job, NodeIndex n, int gpus_here) const {
    return !limits_node_resources_ || node_fits(node_request(job), n, gpus_here);
  }
  // The per-GPU test for node resources (SchedulingPass::fits): node n could hold as many of the
  // job's GPUs as it has, up to the whole gang.
  bool node_fits_for_gpu(const NodeRequest& request, NodeIndex n) const {
    return !limits_node_resources_ || node_fits(request, n, std::min(request.gang, nodes_[n].gpu_count));
  }
  bool node_fits_for_gpu(const JobSpec& job, NodeIndex n) const {
    return !limits_node_resources_ || node_fits_for_gpu(node_request(job), n);
  }
  // The exact test for a whole placement: every node it uses has the CPU and host memory for
  // the job's GPUs there. The first node short of them, or none.
  std::optional<NodeIndex> node_short_of_resources(const JobSpec& job, std::span<const GpuIndex> gpus) const;
  // --- CPU-only jobs (gpus 0): they take a node's CPU and host memory, no GPU ---
  // Whether node n has the job's whole CPU and host-memory request free now.
  bool cpu_only_fits(const NodeRequest& request, NodeIndex n) const { return node_fits(request, n, 1); }
  // Whether some node could hold the CPU-only job on its own (else it is unschedulable):
  // O(distinct node shapes).
  bool cpu_only_can_ever_run(const JobSpec& job) const;

  // Calls f(node, GPUs of `gpus` on it) once per node that `gpus` use, in node order:
  // O(gang log gang), and no copy for a gang on one node.
  template <class F>
  void for_each_node_of(std::span<const GpuIndex> gpus, F&& f) const {
    if (gpus.empty()) return;
    const NodeIndex first = gpus_[gpus[0]].node;
    if (std::all_of(gpus.begin(), gpus.end(), [&](GpuIndex g) { return gpus_[g].node == first; })) {
      f(first, static_cast<int>(gpus.size()));
      return;
    }
    // GPUs are numbered node by node: sorted, each node's GPUs are a run.
    std::vector<GpuIndex> sorted(gpus.begin(), gpus.end());
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size();) {
      const NodeIndex n = gpus_[sorted[i]].node;
      std::size_t end = i;
      while (end < sorted.size() && gpus_[sorted[end]].node == n) ++end;
      f(n, static_cast<int>(end - i));
      i = end;
    }
  }

  // Interned application names, for comparing residents' applications cheaply.
  std::optional<AppIndex> find_app(const std::string& app) const;
  const std::string& app_name(AppIndex a) const { return app_names_[a]; }

  // --- Indexes (ordered sets, so that iteration order and ties are deterministic) ---
  // (free MiB, GPU), ascending.
  const std::set<std::pair<std::int64_t, GpuIndex>>& by_free_memory() const { return by_free_; }
  // (summed utilisation of residents, GPU), ascending.
  const std::set<std::pair<double, GpuIndex>>& by_utilisation() const { return by_util_; }
  // GPUs with no resident, ascending index.
  const std::set<GpuIndex>& empty_gpus() const { return empty_gpus_; }
  // (capacity MiB, GPU) of the GPUs with no resident, ascending: best fit among idle GPUs.
  const std::set<std::pair<std::int64_t, GpuIndex>>& empty_by_memory() const { return empty_by_memory_; }
  // (number of empty GPUs, node), ascending.
  const std::set<std::pair<int, NodeIndex>>& nodes_by_empty_gpus() const { return nodes_by_empty_; }
  // GPUs whose residents (at least one) all run `app`; null when there is none.
  const std::set<GpuIndex>* gpus_hosting_only(const std::string& app) const;

  // The lowest-index GPU at or after `from` with at least `milli` of its share and `mib` of its
  // memory free: candidates for fits() in index order, O(log GPUs) each (GpuRoomIndex).
  std::optional<GpuIndex> first_gpu_with_room(GpuIndex from, int milli, std::int64_t mib) const {
    return room_.first_with(from, milli, mib);
  }
  // GPU with the least free memory that still has `mib` free (ties: lowest index).
  std::optional<GpuIndex> least_free_fitting(std::int64_t mib) const;
  std::int64_t max_free_mib() const;
  int busy_gpu_count() const { return gpu_count() - static_cast<int>(empty_gpus_.size()); }
  std::int64_t total_used_mib() const { return total_used_mib_; }
  std::int64_t total_capacity_mib() const { return total_capacity_mib_; }

  // Largest gang of GPUs of one allowed type with at least the job's memory on one node, and in
  // the whole cluster: what decides whether a job can ever run.
  int max_gpus_on_one_node(const JobSpec& job, bool check_memory) const;
  int max_gpus_in_cluster(const JobSpec& job, bool check_memory) const;

 protected:
  struct Gpu {
    NodeIndex node = 0;
    int type = 0;
    std::int64_t used_mib = 0;
    double util_sum = 0.0;
    int milli_sum = 0;
    AppIndex sole_app = -1;  // the one app all residents run, -1 if empty or mixed
    bool time_sliced = false;
    std::vector<Resident> residents;
  };
  struct Node {
    GpuIndex first_gpu = 0;
    int gpu_count = 0;
    int empty = 0;
    std::int64_t used_cpu_milli = 0;
    std::int64_t used_host_mib = 0;
  };
  // Nodes of one GPU type with the same GPU count, CPU and host memory: whether a job can ever
  // run is decided over these, O(distinct node shapes), not over every node.
  struct NodeShape {
    int gpus = 0;
    std::int64_t cpu_milli = 0;
    std::int64_t memory_mib = 0;
    int count = 0;
  };
  bool shape_can_hold(const JobSpec& job, const NodeShape& shape) const;

  ClusterSpec spec_;
  GpuSharing sharing_;
  NodeResources node_resources_;
  bool limits_node_resources_ = false;
  std::vector<Gpu> gpus_;
  std::vector<Node> nodes_;
  std::vector<std::string> app_names_;
  std::unordered_map<std::string, AppIndex> app_index_;
  std::set<std::pair<std::int64_t, GpuIndex>> by_free_;
  std::set<std::pair<double, GpuIndex>> by_util_;
  std::set<GpuIndex> empty_gpus_;
  std::set<std::pair<std::int64_t, GpuIndex>> empty_by_memory_;
  int share_full_gpus_ = 0;  // GPUs whose residents' shares sum to 1000
  std::set<std::pair<int, NodeIndex>> nodes_by_empty_;
  GpuRoomIndex room_;
  std::unordered_map<AppIndex, std::set<GpuIndex>> sole_app_gpus_;
  struct TypeCapacity {
    int max_per_node = 0;
    int total = 0;
  };
  // app_speeds by application: (type index, gang size or 0, speed).
  struct TypeSpeed {
    int type;
    int gpus;
    double speed;
  };
  std::unordered_map<std::string, std::vector<TypeSpeed>> app_speeds_;
  std::vector<TypeCapacity> type_capacity_;  // per GPU type, so admission checks cost O(types)
  std::vector<std::vector<NodeShape>> node_shapes_;  // per GPU type; only when limits_node_resources_
  std::int64_t total_used_mib_ = 0;
  std::int64_t total_capacity_mib_ = 0;
};

// The mutable state, owned by the simulator. Every change keeps all indexes in step.
class ClusterState : public ClusterView {
 public:
  using ClusterView::ClusterView;

  AppIndex intern_app(const std::string& app);
  void add(JobSlot slot, const JobSpec& job, AppIndex app, std::span<const GpuIndex> gpus);
  void remove(JobSlot slot, const JobSpec& job, std::span<const GpuIndex> gpus);
  void set_time_sliced(GpuIndex g, bool on) { gpus_[g].time_sliced = on; }
  // A CPU-only job starts on (sign +1) or leaves (-1) node n.
  void charge_cpu_only(const NodeRequest& request, NodeIndex n, int sign);

 private:
  // Adds (sign +1) or takes back (-1) the job's CPU and host memory on the nodes of `gpus`.
  void charge_nodes(const JobSpec& job, std::span<const GpuIndex> gpus, int sign);
  void unindex(GpuIndex g);
  void reindex(GpuIndex g);
};

}  // namespace colosim

#pragma once
// GPU fragmentation (fragmentation.h) of the cluster a run is on, as the run goes.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "colosim/cluster_view.h"
#include "colosim/fragmentation.h"
#include "colosim/observer.h"

namespace colosim {

// What a node states no CPU of (or any node, where the run ignores node resources) has this much
// free: more than any request.
inline constexpr std::int64_t kUnlimitedCpu = std::int64_t{1} << 50;

// What is free on node n as the fragmentation metric sees it, from `used_cpu` (milli) and
// taken_share(g), the GPU share taken on each of its GPUs: CPU (kUnlimitedCpu where not limited),
// 1000 - the share taken on each GPU, GPU model. ContractChecker passes its own books.
template <class TakenShare>
NodeFreeResources node_free_resources(const ClusterView& cluster, NodeIndex n, std::int64_t used_cpu, TakenShare&& taken_share) {
  NodeFreeResources free;
  const std::int64_t cpu = cluster.cpu_capacity_milli(n);
  free.cpu_milli = cpu > 0 && cluster.limits_node_resources() ? cpu - used_cpu : kUnlimitedCpu;
  const GpuIndex first = cluster.first_gpu(n);
  free.gpu_milli.reserve(static_cast<std::size_t>(cluster.gpus_on(n)));
  for (GpuIndex g = first; g < first + cluster.gpus_on(n); ++g) free.gpu_milli.push_back(std::max(0, 1000 - taken_share(g)));
  if (cluster.gpus_on(n) > 0) free.gpu_model = cluster.type_of(first).name;
  return free;
}
// The same, from the cluster's own occupancy.
inline NodeFreeResources node_free_resources(const ClusterView& cluster, NodeIndex n) {
  return node_free_resources(cluster, n, cluster.used_cpu_milli(n), [&](GpuIndex g) { return cluster.milli_sum(g); });
}

// F_n in whole quanta: exact to sum and subtract in any order.
inline constexpr double kFragmentationQuantaPerMilli = 1e6;
std::int64_t fragmentation_quanta(double milli);
// Fragmentation over idle GPU share (0 with nothing idle), from quanta and milli-GPU.
double fragmentation_ratio(std::int64_t quanta, std::int64_t idle_milli);

// The time-weighted mean of a piecewise-constant value observed at instants: each value holds
// until the next instant; the only value when there is one instant; 0 before any.
class TimeWeightedMean {
 public:
  void observe(Tick now, double value);
  double value() const;

 private:
  Tick first_ = -1, last_ = -1;
  double last_value_ = 0, area_ = 0;
};

// Cluster fragmentation against a fixed target workload, kept up to date incrementally: after
// each instant only the nodes whose jobs changed are measured again (O(changed nodes x shapes x
// GPUs per node)), never the whole cluster.
class FragmentationTracker final : public SimObserver {
 public:
  // `workload`: typical shapes, weights summing to 1 (typical_shapes()).
  explicit FragmentationTracker(std::vector<TaskShape> workload);

  void on_begin(const ClusterView& cluster) override;
  void on_start(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_oom(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_release(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) override;
  void on_start_cpu_only(Tick now, const JobSpec& job, NodeIndex node) override;
  void on_job_done(const JobRecord& record) override;
  void on_instant(Tick now, const ClusterView& cluster, std::size_t queued, std::size_t running) override;

  // As of the last instant: the sum over nodes of F_n (milli-GPU), the idle GPU share of the
  // cluster (milli-GPU), and their ratio (0 with nothing idle). F_n are summed as whole
  // millionths of a milli-GPU (fragmentation_quanta), so that the sum kept node by node is
  // exactly the sum measured afresh.
  double fragmentation_milli() const { return static_cast<double>(fragmentation_) / kFragmentationQuantaPerMilli; }
  std::int64_t idle_milli() const { return idle_; }
  double ratio() const { return fragmentation_ratio(fragmentation_, idle_); }
  // Time-weighted mean of ratio() from the first instant to the last (each instant's value holds
  // until the next); the ratio of the only instant when there is one; 0 before any.
  double mean_ratio() const { return mean_.value(); }

 private:
  void touch(std::span<const GpuIndex> gpus);
  void touch_node(NodeIndex n);
  void measure(const ClusterView& cluster, NodeIndex n);

  std::vector<TaskShape> workload_;
  const ClusterView* cluster_ = nullptr;
  std::vector<std::int64_t> node_fragmentation_;  // quanta
  std::vector<std::int64_t> node_idle_;
  std::vector<NodeIndex> dirty_;
  std::vector<bool> is_dirty_;
  std::int64_t fragmentation_ = 0, idle_ = 0;
  TimeWeightedMean mean_;
};

}  // namespace colosim

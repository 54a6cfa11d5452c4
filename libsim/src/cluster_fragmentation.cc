#include "colosim/cluster_fragmentation.h"

#include <algorithm>
#include <cmath>

#include "colosim/errors.h"

namespace colosim {

std::int64_t fragmentation_quanta(double milli) { return std::llround(milli * kFragmentationQuantaPerMilli); }

double fragmentation_ratio(std::int64_t quanta, std::int64_t idle_milli) {
  return idle_milli > 0 ? static_cast<double>(quanta) / kFragmentationQuantaPerMilli / static_cast<double>(idle_milli) : 0.0;
}

void TimeWeightedMean::observe(Tick now, double value) {
  if (last_ >= 0) area_ += last_value_ * static_cast<double>(now - last_);
  if (first_ < 0) first_ = now;
  last_ = now;
  last_value_ = value;
}

double TimeWeightedMean::value() const {
  if (last_ < 0) return 0.0;
  return last_ > first_ ? area_ / static_cast<double>(last_ - first_) : last_value_;
}

FragmentationTracker::FragmentationTracker(std::vector<TaskShape> workload) : workload_(std::move(workload)) {
  if (workload_.empty()) throw Error("fragmentation: the target workload has no shapes");
}

void FragmentationTracker::on_begin(const ClusterView& cluster) {
  cluster_ = &cluster;
  const auto nodes = static_cast<std::size_t>(cluster.node_count());
  node_fragmentation_.assign(nodes, 0);
  node_idle_.assign(nodes, 0);
  is_dirty_.assign(nodes, false);
  dirty_.clear();
  fragmentation_ = 0;
  idle_ = 0;
  mean_ = {};
  for (NodeIndex n = 0; n < cluster.node_count(); ++n) measure(cluster, n);
}

void FragmentationTracker::touch(std::span<const GpuIndex> gpus) {
  for (GpuIndex g : gpus)
    if (g >= 0 && g < cluster_->gpu_count()) touch_node(cluster_->node_of(g));
}

void FragmentationTracker::touch_node(NodeIndex n) {
  if (n < 0 || n >= cluster_->node_count() || is_dirty_[static_cast<std::size_t>(n)]) return;
  is_dirty_[static_cast<std::size_t>(n)] = true;
  dirty_.push_back(n);
}

void FragmentationTracker::on_start(Tick, const JobSpec&, std::span<const GpuIndex> gpus) { touch(gpus); }
void FragmentationTracker::on_oom(Tick, const JobSpec&, std::span<const GpuIndex> gpus) { touch(gpus); }
void FragmentationTracker::on_release(Tick, const JobSpec&, std::span<const GpuIndex> gpus) { touch(gpus); }
void FragmentationTracker::on_start_cpu_only(Tick, const JobSpec&, NodeIndex node) { touch_node(node); }
void FragmentationTracker::on_job_done(const JobRecord& record) {
  touch(record.gpu_list);
  touch_node(record.node);
}

void FragmentationTracker::measure(const ClusterView& cluster, NodeIndex n) {
  const auto i = static_cast<std::size_t>(n);
  const NodeFreeResources free = node_free_resources(cluster, n);
  fragmentation_ -= node_fragmentation_[i];
  idle_ -= node_idle_[i];
  node_fragmentation_[i] = fragmentation_quanta(node_fragmentation(free, workload_));
  node_idle_[i] = idle_gpu_milli(free);
  fragmentation_ += node_fragmentation_[i];
  idle_ += node_idle_[i];
}

void FragmentationTracker::on_instant(Tick now, const ClusterView& cluster, std::size_t, std::size_t) {
  for (NodeIndex n : dirty_) {
    measure(cluster, n);
    is_dirty_[static_cast<std::size_t>(n)] = false;
  }
  dirty_.clear();
  mean_.observe(now, ratio());
}

}  // namespace colosim

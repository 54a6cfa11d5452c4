#include "colosim/cluster_view.h"

#include <algorithm>

namespace colosim {

ClusterView::ClusterView(ClusterSpec spec, GpuSharing sharing, NodeResources node_resources)
    : spec_(std::move(spec)), sharing_(sharing), node_resources_(node_resources) {
  spec_.validate(spec_.name.empty() ? "cluster" : spec_.name);
  type_capacity_.resize(spec_.gpu_types.size());
  node_shapes_.resize(spec_.gpu_types.size());
  limits_node_resources_ =
      node_resources_ == NodeResources::enforce &&
      std::any_of(spec_.nodes.begin(), spec_.nodes.end(), [](const NodeSpec& n) { return n.cpu_milli > 0 || n.memory_mib > 0; });
  for (std::size_t n = 0; n < spec_.nodes.size(); ++n) {
    const auto& node = spec_.nodes[n];
    int type = 0;
    for (std::size_t t = 0; t < spec_.gpu_types.size(); ++t)
      if (spec_.gpu_types[t].name == node.gpu_type) type = static_cast<int>(t);
    nodes_.push_back({static_cast<GpuIndex>(gpus_.size()), node.gpus, node.gpus});
    type_capacity_[type].max_per_node = std::max(type_capacity_[type].max_per_node, node.gpus);
    type_capacity_[type].total += node.gpus;
    if (limits_node_resources_) {
      auto& shapes = node_shapes_[type];
      auto same = std::find_if(shapes.begin(), shapes.end(), [&](const NodeShape& s) {
        return s.gpus == node.gpus && s.cpu_milli == node.cpu_milli && s.memory_mib == node.memory_mib;
      });
      if (same == shapes.end()) shapes.push_back({node.gpus, node.cpu_milli, node.memory_mib, 1});
      else ++same->count;
    }
    nodes_by_empty_.insert({node.gpus, static_cast<NodeIndex>(n)});
    for (int i = 0; i < node.gpus; ++i) {
      const auto g = static_cast<GpuIndex>(gpus_.size());
      Gpu gpu;
      gpu.node = static_cast<NodeIndex>(n);
      gpu.type = type;
      gpus_.push_back(std::move(gpu));
      by_free_.insert({spec_.gpu_types[type].memory_mib, g});
      by_util_.insert({0.0, g});
      empty_gpus_.insert(g);
      empty_by_memory_.insert({spec_.gpu_types[type].memory_mib, g});
      total_capacity_mib_ += spec_.gpu_types[type].memory_mib;
    }
  }
  room_ = GpuRoomIndex(gpus_.size());
  for (GpuIndex g = 0; g < gpu_count(); ++g) room_.set(g, 1000, capacity_mib(g));
  for (const AppSpeed& a : spec_.app_speeds)
    for (std::size_t t = 0; t < spec_.gpu_types.size(); ++t)
      if (spec_.gpu_types[t].name == a.gpu_type) app_speeds_[a.app].push_back({static_cast<int>(t), a.gpus, a.speed});
}

double ClusterView::speed_of(const std::string& app, int gang, GpuIndex g) const {
  const int type = gpus_[g].type;
  if (!app_speeds_.empty()) {
    if (const auto it = app_speeds_.find(app); it != app_speeds_.end()) {
      const TypeSpeed* any = nullptr;
      for (const TypeSpeed& s : it->second) {
        if (s.type != type) continue;
        if (s.gpus == gang) return s.speed;
        if (s.gpus == 0) any = &s;
      }
      if (any) return any->speed;
    }
  }
  return spec_.gpu_types[type].speed;
}

double ClusterView::speed_on(const std::string& app, int gang, std::span<const GpuIndex> gpus) const {
  double speed = 0;
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    const double s = speed_of(app, gang, gpus[i]);
    speed = i == 0 ? s : std::min(speed, s);
  }
  return speed;
}

std::optional<AppIndex> ClusterView::find_app(const std::string& app) const {
  auto it = app_index_.find(app);
  if (it == app_index_.end()) return std::nullopt;
  return it->second;
}

const std::set<GpuIndex>* ClusterView::gpus_hosting_only(const std::string& app) const {
  auto a = find_app(app);
  if (!a) return nullptr;
  auto it = sole_app_gpus_.find(*a);
  if (it == sole_app_gpus_.end() || it->second.empty()) return nullptr;
  return &it->second;
}

std::optional<GpuIndex> ClusterView::least_free_fitting(std::int64_t mib) const {
  auto it = by_free_.lower_bound({mib, 0});
  if (it == by_free_.end()) return std::nullopt;
  return it->second;
}

std::int64_t ClusterView::max_free_mib() const {
  return by_free_.empty() ? 0 : by_free_.rbegin()->first;
}

bool ClusterView::node_fits(const NodeRequest& request, NodeIndex n, int gpus_here) const {
  if (!limits_node_resources_) return true;
  const NodeSpec& spec = spec_.nodes[n];
  const Node& node = nodes_[n];
  if (spec.cpu_milli > 0 && node.used_cpu_milli + node_part(request.cpu_milli, gpus_here, request.gang) > spec.cpu_milli)
    return false;
  return spec.memory_mib <= 0 || node.used_host_mib + node_part(request.host_mib, gpus_here, request.gang) <= spec.memory_mib;
}

std::optional<NodeIndex> ClusterView::node_short_of_resources(const JobSpec& job, std::span<const GpuIndex> gpus) const {
  std::optional<NodeIndex> short_of;
  if (!limits_node_resources_) return short_of;
  for_each_node_of(gpus, [&](NodeIndex n, int here) {
    if (!short_of && !node_fits(job, n, here)) short_of = n;
  });
  return short_of;
}

bool ClusterView::cpu_only_can_ever_run(const JobSpec& job) const {
  if (!limits_node_resources_) return true;
  const NodeRequest request = node_request(job);
  for (const auto& shapes : node_shapes_)
    for (const NodeShape& shape : shapes)
      if ((shape.cpu_milli <= 0 || request.cpu_milli <= shape.cpu_milli) &&
          (shape.memory_mib <= 0 || request.host_mib <= shape.memory_mib))
        return true;
  return false;
}

bool ClusterView::shape_can_hold(const JobSpec& job, const NodeShape& shape) const {
  const int here = std::min(job.gpus, shape.gpus);
  return (shape.cpu_milli <= 0 || node_part(cpu_request_milli(job), here, job.gpus) <= shape.cpu_milli) &&
         (shape.memory_mib <= 0 || node_part(host_memory_request_mib(job), here, job.gpus) <= shape.memory_mib);
}

int ClusterView::max_gpus_on_one_node(const JobSpec& job, bool check_memory) const {
  int best = 0;
  for (std::size_t t = 0; t < type_capacity_.size(); ++t) {
    const GpuType& type = spec_.gpu_types[t];
    if (!job.allows_gpu_type(type.name) || (check_memory && type.memory_mib < job.memory_mib)) continue;
    if (!limits_node_resources_) {
      best = std::max(best, type_capacity_[t].max_per_node);
      continue;
    }
    for (const NodeShape& shape : node_shapes_[t])
      if (shape_can_hold(job, shape)) best = std::max(best, shape.gpus);
  }
  return best;
}

int ClusterView::max_gpus_in_cluster(const JobSpec& job, bool check_memory) const {
  int total = 0;
  for (std::size_t t = 0; t < type_capacity_.size(); ++t) {
    const GpuType& type = spec_.gpu_types[t];
    if (!job.allows_gpu_type(type.name) || (check_memory && type.memory_mib < job.memory_mib)) continue;
    if (!limits_node_resources_) {
      total += type_capacity_[t].total;
      continue;
    }
    for (const NodeShape& shape : node_shapes_[t])
      if (shape_can_hold(job, shape)) total += shape.gpus * shape.count;
  }
  return total;
}

AppIndex ClusterState::intern_app(const std::string& app) {
  auto [it, inserted] = app_index_.try_emplace(app, static_cast<AppIndex>(app_names_.size()));
  if (inserted) app_names_.push_back(app);
  return it->second;
}

void ClusterState::unindex(GpuIndex g) {
  const Gpu& gpu = gpus_[g];
  by_free_.erase({capacity_mib(g) - gpu.used_mib, g});
  by_util_.erase({gpu.util_sum, g});
}

void ClusterState::reindex(GpuIndex g) {
  Gpu& gpu = gpus_[g];
  AppIndex sole = gpu.residents.empty() ? -1 : gpu.residents.front().app;
  for (const auto& r : gpu.residents)
    if (r.app != sole) sole = -1;
  // Most changes keep the GPU's sole application: touch that index only when it moves.
  if (sole != gpu.sole_app) {
    if (gpu.sole_app >= 0) sole_app_gpus_[gpu.sole_app].erase(g);
    if (sole >= 0) sole_app_gpus_[sole].insert(g);
    gpu.sole_app = sole;
  }
  by_free_.insert({capacity_mib(g) - gpu.used_mib, g});
  by_util_.insert({gpu.util_sum, g});
  room_.set(g, 1000 - gpu.milli_sum, capacity_mib(g) - gpu.used_mib);
}

void ClusterState::charge_nodes(const JobSpec& job, std::span<const GpuIndex> gpus, int sign) {
  if (!limits_node_resources_) return;
  const std::int64_t cpu = cpu_request_milli(job), host = host_memory_request_mib(job);
  if (cpu == 0 && host == 0) return;
  for_each_node_of(gpus, [&](NodeIndex n, int here) {
    nodes_[n].used_cpu_milli += sign * node_part(cpu, here, job.gpus);
    nodes_[n].used_host_mib += sign * node_part(host, here, job.gpus);
  });
}

void ClusterState::charge_cpu_only(const NodeRequest& request, NodeIndex n, int sign) {
  if (!limits_node_resources_) return;
  nodes_[n].used_cpu_milli += sign * request.cpu_milli;
  nodes_[n].used_host_mib += sign * request.host_mib;
}

void ClusterState::add(JobSlot slot, const JobSpec& job, AppIndex app, std::span<const GpuIndex> gpus) {
  charge_nodes(job, gpus, +1);
  const int share = share_of(job);
  for (GpuIndex g : gpus) {
    Gpu& gpu = gpus_[g];
    unindex(g);
    if (gpu.residents.empty()) {
      empty_gpus_.erase(g);
      empty_by_memory_.erase({capacity_mib(g), g});
      Node& node = nodes_[gpu.node];
      nodes_by_empty_.erase({node.empty, gpu.node});
      --node.empty;
      nodes_by_empty_.insert({node.empty, gpu.node});
    }
    gpu.residents.push_back({slot, app});
    gpu.used_mib += job.memory_mib;
    gpu.util_sum += job.gpu_util;
    if (gpu.milli_sum < 1000 && gpu.milli_sum + share >= 1000) ++share_full_gpus_;
    gpu.milli_sum += share;
    total_used_mib_ += job.memory_mib;
    reindex(g);
  }
}

void ClusterState::remove(JobSlot slot, const JobSpec& job, std::span<const GpuIndex> gpus) {
  charge_nodes(job, gpus, -1);
  const int share = share_of(job);
  for (GpuIndex g : gpus) {
    Gpu& gpu = gpus_[g];
    unindex(g);
    auto it = std::find_if(gpu.residents.begin(), gpu.residents.end(),
                           [slot](const Resident& r) { return r.slot == slot; });
    gpu.residents.erase(it);
    gpu.used_mib -= job.memory_mib;
    if (gpu.milli_sum >= 1000 && gpu.milli_sum - share < 1000) --share_full_gpus_;
    gpu.milli_sum -= share;
    total_used_mib_ -= job.memory_mib;
    if (gpu.residents.empty()) {
      // Recomputed from zero so that floating-point residue never leaves an idle GPU "busy".
      gpu.util_sum = 0.0;
      empty_gpus_.insert(g);
      empty_by_memory_.insert({capacity_mib(g), g});
      Node& node = nodes_[gpu.node];
      nodes_by_empty_.erase({node.empty, gpu.node});
      ++node.empty;
      nodes_by_empty_.insert({node.empty, gpu.node});
    } else {
      gpu.util_sum -= job.gpu_util;
    }
    reindex(g);
  }
}

}  // namespace colosim

#include "colosim/fragmentation.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "colosim/errors.h"

namespace colosim {
namespace {

bool allows_model(const TaskShape& shape, const std::string& model) {
  return shape.gpu_models.empty() || std::find(shape.gpu_models.begin(), shape.gpu_models.end(), model) != shape.gpu_models.end();
}

// The paper's order of shapes for ties in popularity: larger first.
auto shape_key(const TaskShape& s) { return std::tie(s.cpu_milli, s.gpu_milli, s.gpus, s.gpu_models); }

}  // namespace

std::int64_t idle_gpu_milli(const NodeFreeResources& node) {
  std::int64_t idle = 0;
  for (int free : node.gpu_milli) idle += free;
  return idle;
}

double task_fragment(const NodeFreeResources& node, const TaskShape& shape) {
  const auto idle = static_cast<double>(idle_gpu_milli(node));
  if (shape.gpus <= 0 || node.gpu_milli.empty() || !allows_model(shape, node.gpu_model) || node.cpu_milli < shape.cpu_milli)
    return idle;
  int fitting = 0;
  std::int64_t too_small = 0;
  for (int free : node.gpu_milli) {
    if (free >= shape.gpu_milli) ++fitting;
    else too_small += free;
  }
  return fitting >= shape.gpus ? static_cast<double>(too_small) : idle;
}

NodeFragmentationDelta::NodeFragmentationDelta(const NodeFreeResources& node, const std::vector<TaskShape>& workload)
    : node_(node), workload_(workload), idle_(idle_gpu_milli(node)) {
  shapes_.resize(workload.size());
  for (std::size_t m = 0; m < workload.size(); ++m) {
    const TaskShape& shape = workload[m];
    PerShape& s = shapes_[m];
    s.usable = shape.gpus > 0 && !node.gpu_milli.empty() && allows_model(shape, node.gpu_model);
    for (int free : node.gpu_milli) {
      if (free >= shape.gpu_milli) ++s.fitting;
      else s.too_small += free;
    }
    before_ += shape.weight * fragment(m, s.fitting, s.too_small, node.cpu_milli, idle_);
  }
}

double NodeFragmentationDelta::fragment(std::size_t m, int fitting, std::int64_t too_small, std::int64_t cpu,
                                        std::int64_t idle) const {
  const TaskShape& shape = workload_[m];
  const bool runs = shapes_[m].usable && cpu >= shape.cpu_milli && fitting >= shape.gpus;
  return static_cast<double>(runs ? too_small : idle);
}

double NodeFragmentationDelta::after_taking(std::size_t gpu, int share, std::int64_t cpu_milli) const {
  const int was = node_.gpu_milli[gpu], now = was - share;
  double f = 0;
  for (std::size_t m = 0; m < workload_.size(); ++m) {
    const TaskShape& shape = workload_[m];
    int fitting = shapes_[m].fitting;
    std::int64_t too_small = shapes_[m].too_small;
    if (was >= shape.gpu_milli) --fitting;
    else too_small -= was;
    if (now >= shape.gpu_milli) ++fitting;
    else too_small += now;
    f += shape.weight * fragment(m, fitting, too_small, node_.cpu_milli - cpu_milli, idle_ - share);
  }
  return f;
}

double node_fragmentation(const NodeFreeResources& node, const std::vector<TaskShape>& workload) {
  double f = 0;
  for (const TaskShape& shape : workload) f += shape.weight * task_fragment(node, shape);
  return f;
}

std::vector<TaskShape> typical_shapes_of(JobSource& jobs) {
  ShapeCounter counter;
  while (auto job = jobs.next()) counter.add(*job);
  if (counter.empty()) throw Error("typical shapes: the trace has no jobs");
  return counter.typical();
}

bool ShapeCounter::ByShape::operator()(const TaskShape& a, const TaskShape& b) const { return shape_key(a) < shape_key(b); }

void ShapeCounter::add(const JobSpec& job) {
  TaskShape shape = shape_of(job);
  shape.weight = 1;
  counts_[std::move(shape)] += 1;
  total_ += 1;
  stale_ = true;
}

const std::vector<TaskShape>& ShapeCounter::typical() {
  if (stale_) {
    std::vector<TaskShape> shapes;
    shapes.reserve(counts_.size());
    for (const auto& [shape, count] : counts_) {
      shapes.push_back(shape);
      shapes.back().weight = count;
    }
    typical_ = typical_shapes(std::move(shapes));
    stale_ = false;
  }
  return typical_;
}

std::vector<TaskShape> typical_shapes(std::vector<TaskShape> tasks, double coverage) {
  if (!(coverage > 0 && coverage <= 1)) throw Error("typical shapes: coverage must be in (0, 1], got " + std::to_string(coverage));
  if (tasks.empty()) throw Error("typical shapes: no tasks to take shapes from");
  std::map<TaskShape, double, decltype([](const TaskShape& a, const TaskShape& b) { return shape_key(a) < shape_key(b); })> counts;
  double total = 0;
  for (TaskShape& t : tasks) {
    std::sort(t.gpu_models.begin(), t.gpu_models.end());
    if (t.gpus <= 0) t.gpu_milli = 0, t.gpus = 0, t.gpu_models.clear();
    const double w = t.weight;
    t.weight = 1;
    counts[t] += w;
    total += w;
  }
  std::vector<TaskShape> shapes;
  for (const auto& [shape, count] : counts) {
    TaskShape s = shape;
    s.weight = count;
    shapes.push_back(std::move(s));
  }
  std::stable_sort(shapes.begin(), shapes.end(), [](const TaskShape& a, const TaskShape& b) {
    if (a.weight != b.weight) return a.weight > b.weight;
    return shape_key(b) < shape_key(a);
  });
  double kept = 0;
  std::size_t n = 0;
  while (n < shapes.size() && kept < coverage * total) kept += shapes[n++].weight;
  shapes.resize(n);
  for (TaskShape& s : shapes) s.weight /= kept;
  return shapes;
}

TaskShape shape_of(const JobSpec& job) {
  TaskShape s;
  s.cpu_milli = cpu_request_milli(job);
  s.gpus = job.gpus;
  s.gpu_milli = job.gpu_milli > 0 ? job.gpu_milli : 1000;
  s.gpu_models = job.gpu_types;
  std::sort(s.gpu_models.begin(), s.gpu_models.end());
  return s;
}

}  // namespace colosim

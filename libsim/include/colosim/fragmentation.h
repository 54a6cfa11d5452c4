#pragma once
// GPU fragmentation as Weng et al. define it ("Beware of Fragmentation: Scheduling GPU-Sharing
// Workloads with Fragmentation Gradient Descent", USENIX ATC '23, section 3; their simulator's
// pkg/utils/frag.go): the GPU resource of a node that a task drawn from a target workload could
// not use, in expectation over that workload.
//
// For one task shape m on node n, the fragment f_n(m), in milli-GPU:
//  - the task cannot run on the node (too few GPUs with enough free share, too little free CPU,
//    a GPU model it does not allow, or it asks for no GPU at all): every idle milli-GPU of the
//    node is a fragment (a CPU-only task uses none of them);
//  - it can: the free milli-GPU of the GPUs with less free than its per-GPU share.
// Node fragmentation F_n = sum over shapes of p_m f_n(m); cluster fragmentation = sum over nodes;
// fragmentation ratio = cluster fragmentation / idle milli-GPU of the cluster. Host memory is not
// part of it (as in the paper's simulator).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "colosim/job.h"
#include "colosim/job_source.h"

namespace colosim {

// A task shape of the target workload, with its share of the tasks (popularity).
struct TaskShape {
  std::int64_t cpu_milli = 0;
  int gpu_milli = 1000;                  // per GPU, 1-1000; ignored when gpus == 0
  int gpus = 1;                          // 0: a CPU-only task
  std::vector<std::string> gpu_models;   // allowed GPU models, empty: any
  double weight = 1;                     // popularity p_m; a workload's weights sum to 1

  friend bool operator==(const TaskShape&, const TaskShape&) = default;
};

// What is free on a node, as the metric sees it.
struct NodeFreeResources {
  std::int64_t cpu_milli = 0;            // free CPU
  std::vector<int> gpu_milli;            // free milli-GPU of each of its GPUs (0-1000)
  std::string gpu_model;
};

// f_n(m): the fragment of `node` for one task shape, milli-GPU.
double task_fragment(const NodeFreeResources& node, const TaskShape& shape);
// F_n: the expectation of task_fragment over `workload` (weights summing to 1).
double node_fragmentation(const NodeFreeResources& node, const std::vector<TaskShape>& workload);
// Idle milli-GPU of a node.
std::int64_t idle_gpu_milli(const NodeFreeResources& node);

// F_n of one node before and after taking a part of one of its GPUs (and some CPU): what fgd
// asks of every GPU of every node. Each answer costs O(shapes), not O(shapes x GPUs), from counts
// kept per shape; the same values as node_fragmentation() up to rounding.
class NodeFragmentationDelta {
 public:
  NodeFragmentationDelta(const NodeFreeResources& node, const std::vector<TaskShape>& workload);
  double before() const { return before_; }
  // F_n once `share` milli-GPU of GPU `gpu` (an index into node.gpu_milli) and `cpu_milli` are taken.
  double after_taking(std::size_t gpu, int share, std::int64_t cpu_milli) const;

 private:
  struct PerShape {
    int fitting = 0;             // GPUs with at least the shape's share free
    std::int64_t too_small = 0;  // free share of the others
    bool usable = false;         // the node's model, a GPU wanted
  };
  // task_fragment() of shape m from its counts.
  double fragment(std::size_t m, int fitting, std::int64_t too_small, std::int64_t cpu, std::int64_t idle) const;
  const NodeFreeResources& node_;
  const std::vector<TaskShape>& workload_;
  std::vector<PerShape> shapes_;
  std::int64_t idle_ = 0;
  double before_ = 0;
};

// The paper's target workload: the shapes (CPU, GPU share, GPU count, allowed models) of `tasks`,
// most popular first, weighted by how many tasks have them, keeping the most popular until they
// cover `coverage` of the tasks (their simulator: 95%), renormalised to sum to 1. Ties in
// popularity go to the larger shape (CPU, then share, count, models). Throws Error for coverage
// outside (0, 1] or an empty list.
std::vector<TaskShape> typical_shapes(std::vector<TaskShape> tasks, double coverage = 0.95);

// The shape of a job: its per-GPU share (1000 when it states none: a whole GPU), GPU count,
// CPU (the cpu_milli feature, 0 without it) and allowed GPU types.
TaskShape shape_of(const JobSpec& job);

// typical_shapes() of every job `jobs` yields, counted as they stream by (O(distinct shapes)
// memory). Throws Error when it yields none.
std::vector<TaskShape> typical_shapes_of(JobSource& jobs);

// The shapes of the jobs seen so far, counted one by one, and their typical shapes
// (typical_shapes), recomputed only after a new job: a run's target workload when none is
// given up front. O(log distinct shapes) per job.
class ShapeCounter {
 public:
  void add(const JobSpec& job);
  bool empty() const { return total_ == 0; }
  const std::vector<TaskShape>& typical();

 private:
  struct ByShape {
    bool operator()(const TaskShape& a, const TaskShape& b) const;
  };
  std::map<TaskShape, double, ByShape> counts_;
  double total_ = 0;
  bool stale_ = false;
  std::vector<TaskShape> typical_;
};

}  // namespace colosim

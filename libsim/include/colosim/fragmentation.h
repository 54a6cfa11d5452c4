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
#include <string>
#include <vector>

#include "colosim/job.h"

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

// The paper's target workload: the shapes (CPU, GPU share, GPU count, allowed models) of `tasks`,
// most popular first, weighted by how many tasks have them, keeping the most popular until they
// cover `coverage` of the tasks (their simulator: 95%), renormalised to sum to 1. Ties in
// popularity go to the larger shape (CPU, then share, count, models). Throws Error for coverage
// outside (0, 1] or an empty list.
std::vector<TaskShape> typical_shapes(std::vector<TaskShape> tasks, double coverage = 0.95);

// The shape of a job: its per-GPU share (1000 when it states none: a whole GPU), GPU count,
// CPU (the cpu_milli feature, 0 without it) and allowed GPU types.
TaskShape shape_of(const JobSpec& job);

}  // namespace colosim

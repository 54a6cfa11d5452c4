#pragma once
// Building blocks shared by placement policies (C++ or Python): gang selection on one node and
// across whole nodes, with deterministic tie-breaking.
#include <functional>
#include <vector>

#include "colosim/policy.h"

namespace colosim {

using GpuFilter = std::function<bool(GpuIndex)>;
using GpuScore = std::function<double(GpuIndex)>;

enum class NodeOrder {
  most_empty_first,    // spread: nodes with the most idle GPUs first (ties: lower node index)
  fewest_empty_first,  // pack: nodes with the fewest idle GPUs first (ties: lower node index)
  lowest_index_first,  // first fit: the lowest-index node with enough room (YARN's FIFO scheduler)
};

// True when the job's gang is larger than any single node that could hold it; such a job may
// only run on whole idle nodes (gang_on_whole_nodes).
bool needs_several_nodes(const SchedulingPass& pass, const JobSpec& job);

// `job.gpus` GPUs of one node that pass `usable`, the lowest `score` first (ties: lower index),
// from the first node in `order` that has enough. Only nodes with at least `min_idle` idle GPUs
// are visited (found through the index, so a policy that needs idle GPUs never walks busy
// nodes); a job that needs idle GPUs (ClusterView::needs_idle_gpu) raises it to its gang size.
// Empty when no node has enough.
std::vector<GpuIndex> gang_on_one_node(const SchedulingPass& pass, const JobSpec& job, NodeOrder order,
                                       const GpuFilter& usable, const GpuScore& score, int min_idle = 0);

// The documented rule for gangs larger than any node: whole idle nodes on which the job fits,
// largest nodes first (ties: lower node index), the last one possibly in part. Empty if too few.
// `usable` (default: SchedulingPass::fits) narrows the nodes to those whose every GPU passes it,
// e.g. one GPU type.
std::vector<GpuIndex> gang_on_whole_nodes(const SchedulingPass& pass, const JobSpec& job, const GpuFilter& usable = {});

// A node for a CPU-only job by the share of its CPU requested (then of host memory; a node that
// states neither counts as empty): the least allocated (spread, kube-scheduler's default) or the
// most allocated (pack), ties to the lower index. Only nodes with the job's request free
// (ClusterView::cpu_only_fits). O(nodes).
std::optional<NodeIndex> node_by_cpu_allocation(const SchedulingPass& pass, const JobSpec& job, bool most_allocated);

// Placement checks without the GPU memory test, for policies that deliberately over-commit GPU
// memory (node CPU and host memory still limit).
bool fits_ignoring_memory(const SchedulingPass& pass, const JobSpec& job, GpuIndex g);

}  // namespace colosim

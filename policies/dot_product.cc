// dot-product: the FGD paper's Dot-product baseline (Weng et al., ATC'23, section 6, after
// Tetris; their simulator's DotProductScore with merged GPU dimensions, max normalisation): the
// node whose free (CPU, GPU) vector has the smallest dot product with the job's request, each
// dimension over the largest node (128 CPUs, 8 GPUs):
//   score = trunc(100 * (1 - ((cpu_free/128000)(cpu_job/128000) + (gpu_free/8000)(gpu_job/8000)) / 2))
// (gpu_free: the node's free share summed over its GPUs; gpu_job: share x gang; a node that
// states no CPU has no CPU term). Smaller products first: a request lands where it is least
// aligned with what is free. GPUs: the fitting ones with the least free share. Ties: the `ties`
// parameter (node_scoring.h).
#include <memory>

#include "colosim/policies/builtin.h"
#include "colosim/policies/node_scoring.h"

namespace colosim {
namespace {

NodeScore score(SchedulingPass& pass, const JobSpec& job, const NodeCandidate& c) {
  const ClusterView& cluster = pass.cluster();
  const double cpu_term = c.free.cpu_milli == kUnlimitedCpu
                              ? 0.0
                              : static_cast<double>(c.free.cpu_milli) / 128000 * static_cast<double>(c.cpu_request) / 128000;
  const double gpu_job = static_cast<double>(cluster.share_of(job)) * job.gpus / 8000;
  const double dot = cpu_term + static_cast<double>(idle_gpu_milli(c.free)) / 8000 * gpu_job;
  return NodeScore{static_cast<std::int64_t>(100 * (1 - dot / 2)), least_free_gpus(c, job, cluster)};
}

}  // namespace

void register_dot_product(PolicyRegistry& registry) {
  registry.add({"dot-product",
                "the FGD paper's Dot-product (after Tetris): the node whose free CPU and GPU align least with the request", {ties_param()},
                [](const PolicyParams& params) { return std::make_shared<NodeScoringPolicy>(score, tie_break(params)); }});
}

}  // namespace colosim

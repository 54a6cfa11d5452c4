#pragma once
// One placement decision on a given cluster state, made by the simulator's own engine and policy:
// the pods already running are pinned where they run (as if they had arrived and been placed),
// then the pending pod is offered to the policy in one scheduling pass, exactly as `colosim run`
// would offer it. This is how `colosim extender` answers kube-scheduler: one code path for the
// simulation and the real cluster.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "colosim/cluster_spec.h"
#include "colosim/interference.h"
#include "colosim/job.h"
#include "colosim/policy.h"
#include "colosim/sim_config.h"

namespace colosim::extender {

// A pod running on a node: its request (JobSpec; gpus, share, memory, CPU) and where it runs.
struct RunningPod {
  JobSpec job;
  std::string node;
};

// Why a node cannot take the pod now; `permanent` when no eviction could change that (too few
// GPUs, another GPU type), as kube-scheduler's FailedAndUnresolvableNodes means.
struct NodeRefusal {
  std::string reason;
  bool permanent = false;
};

struct ProbeResult {
  std::optional<std::string> chosen_node;    // where the policy placed the pod; none: it waits
  std::vector<std::string> fitting;          // nodes with room for the pod now (cluster order)
  std::map<std::string, NodeRefusal> unfit;  // the others, with the reason
  std::vector<std::string> dropped;          // residents that did not fit their node as described
};

// Throws Error for a policy that preempts, moves running jobs or works in rounds: the extender
// only places, it cannot evict or move a pod.
void check_extender_policy(const PlacementPolicy& policy);

// `cluster` holds the candidate nodes; residents on other nodes are ignored. A resident whose
// node cannot hold it as described (stale state) is left out and named in `dropped`.
ProbeResult probe_placement(const ClusterSpec& cluster, std::span<const RunningPod> residents, const JobSpec& pod,
                            PlacementPolicy& policy, const InterferenceModel& model, SimConfig config);

}  // namespace colosim::extender

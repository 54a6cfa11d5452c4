#pragma once
// `colosim extender`: the kube-scheduler extender protocol (k8s.io/kube-scheduler/extender/v1)
// answered by a colosim placement policy, the same object `colosim run` uses (placement_probe.h).
// Transport-free: each verb takes the request body and returns status and body, so that the
// HTTP server (server.h) and the tests share every rule. Thread-safe: one decision at a time.
// Verbs, state and mapping: docs/kubernetes.md.
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "colosim/extender/placement_probe.h"
#include "colosim/run_options.h"
#include "colosim/traces/kubernetes_objects.h"

namespace colosim::extender {

struct ExtenderSettings {
  std::string policy = "binpack";      // a policy spec, as --policy takes it
  std::string interference = "none";   // as --interference takes it
  RunOptions options;                  // the run options that shape a decision (memory, sharing, ...)
  traces::KubernetesNames names;       // which resources and labels mean GPUs, types, queues
  bool pin = false;                    // filter passes only the node the policy chose
  std::string decision_log;            // JSON lines, one per decision; empty: none
};

// The highest score of the extender API's prioritize verb (extenderv1.MaxExtenderPriority).
inline constexpr int kMaxExtenderPriority = 10;

class ExtenderService {
 public:
  explicit ExtenderService(ExtenderSettings settings);  // Error for an unknown or unsuitable policy

  struct Reply {
    int status = 200;
    std::string body;  // JSON
  };
  // POST /filter: ExtenderArgs -> ExtenderFilterResult.
  Reply filter(std::string_view body);
  // POST /prioritize: ExtenderArgs -> HostPriorityList (the policy's node kMaxExtenderPriority, others 0).
  Reply prioritize(std::string_view body);
  // POST /bind: ExtenderBindingArgs -> ExtenderBindingResult. Records the pod on the node (it must
  // have been filtered or prioritized before); it does not call the API server.
  Reply bind(std::string_view body);
  // POST /state: a PodList (kubectl get pods -A -o json): the pods running now, which replace
  // what the extender knew; GET /state: what it knows.
  Reply set_state(std::string_view body);
  Reply state();

 private:
  struct Request;
  Request read_args(std::string_view body);
  ProbeResult decide(const Request& request);
  void log(const nlohmann::json& line);

  ExtenderSettings settings_;
  std::shared_ptr<PlacementPolicy> policy_;
  std::shared_ptr<const InterferenceModel> model_;
  std::mutex mutex_;
  std::map<std::string, nlohmann::json> nodes_;   // the last Node object seen per name
  std::map<std::string, RunningPod> running_;       // pods bound to nodes, by namespace/name
  std::map<std::string, JobSpec> seen_;           // pods filtered or prioritized, for bind
  std::ofstream log_;
};

}  // namespace colosim::extender

// kubernetes: a cluster's own pods, as `kubectl get pods -A -o json` exports them (a v1 List or
// PodList of Pod objects), and optionally its nodes (`kubectl get nodes -o json`, --with).
// Mapping (docs/validate.md):
//  - one pod that requests GPUs (resource `gpu-resource`, default nvidia.com/gpu) -> one job;
//    id = namespace/name; user (the queue) = the namespace, or the value of label `queue-label`;
//    app = label `app-label`, else label "app", else the owning object's name, else the pod name;
//    priority = spec.priority; gpu_types = the node selector `gpu-type-label`;
//  - requests as the scheduler counts them: max(sum over containers, largest init container),
//    a request defaulting to the limit; cpu -> cpu_milli, memory -> host_memory_mib;
//  - submit = creationTimestamp; recorded start = when the pod was bound (condition PodScheduled,
//    else status.startTime, else its first container start), since the pod holds its GPUs from
//    then; recorded end = its last container's finishedAt; recorded nodes = spec.nodeName;
//    recorded state = status.phase; duration = end - start;
//  - a pod still running when the log was taken (option log-time, default the latest time in the
//    log) runs until then (feature censored = 1); a pod never bound is skipped and counted, and so
//    is a finished one without finish times; CPU-only pods are skipped and counted, or kept with
//    cpu-only=keep (gpus 0).
// The header's cluster: the --with node list (allocatable GPUs, CPU and memory; GPU type from
// label `gpu-type-label`, its memory from label nvidia.com/gpu.memory or option gpu-memory-mib),
// else the cluster inferred from the nodes the pods ran on (cluster_log.h).
#include <algorithm>

#include "colosim/errors.h"
#include "colosim/traces/cluster_log.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/kubernetes_objects.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {
namespace {

constexpr const char* kName = "kubernetes";

KubernetesNames names_of(const ImportRequest& request) {
  KubernetesNames names;
  names.gpu_resource = request.options.at("gpu-resource");
  names.gpu_memory_resource = request.options.at("gpu-memory-resource");
  names.gpu_count_resource = request.options.at("gpu-count-resource");
  const double unit = option_number(request, kName, "gpu-memory-unit-mib");
  if (!(unit >= 1 && unit <= 1e9)) throw Error("importer 'kubernetes': gpu-memory-unit-mib must be >= 1");
  names.gpu_memory_unit_mib = static_cast<std::int64_t>(unit);
  names.app_label = request.options.at("app-label");
  names.queue_label = request.options.at("queue-label");
  names.gpu_type_label = request.options.at("gpu-type-label");
  names.default_gpu_type = request.options.at("gpu-type");
  const double memory = option_number(request, kName, "gpu-memory-mib");
  if (!(memory >= 1 && memory <= 1e12)) throw Error("importer 'kubernetes': gpu-memory-mib must be >= 1");
  names.default_gpu_memory_mib = static_cast<std::int64_t>(memory);
  return names;
}

ImportedTrace import_kubernetes(const ImportRequest& request) {
  if (request.extra.size() > 1) throw Error("importer 'kubernetes' takes at most one --with file (kubectl get nodes -o json)");
  if (request.options.at("cpu-only") != "skip" && request.options.at("cpu-only") != "keep")
    throw Error("importer 'kubernetes': option cpu-only must be skip or keep");
  const bool keep_cpu_only = request.options.at("cpu-only") == "keep";
  const KubernetesNames names = names_of(request);
  const std::string file = request.input.string();
  const nlohmann::json document = read_json_file(request.input);
  const nlohmann::json& items = list_items(document, file, "pod");

  std::vector<LoggedJob> logged;
  std::int64_t pending = 0, no_finish = 0, cpu_only = 0, running = 0, latest = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const JsonPlace place(file, static_cast<std::int64_t>(i + 1), "items[" + std::to_string(i) + "].");
    PodFacts pod = read_pod(items[i], place, names);
    if (!pod.created) place.fail("metadata.creationTimestamp", "missing");
    if (pod.job.gpus == 0 && !keep_cpu_only) {
      ++cpu_only;
      continue;
    }
    for (auto t : {pod.created, pod.bound, pod.finished})
      if (t) latest = std::max(latest, *t);
    if (!pod.bound || pod.node.empty()) {
      ++pending;
      continue;
    }
    LoggedJob entry{std::move(pod.job), false};
    JobSpec& job = entry.spec;
    job.submit = *pod.created;
    RecordedRun& run = job.recorded.emplace();
    run.start = std::max(*pod.bound, *pod.created);  // clock skew between the API server and a kubelet
    run.nodes = {pod.node};
    run.state = pod.phase;
    if (pod.phase == "Succeeded" || pod.phase == "Failed") {
      if (!pod.finished) {
        ++no_finish;
        continue;
      }
      run.end = std::max(*pod.finished, *run.start);
      job.solo_duration = *run.end - *run.start;
    } else {
      entry.running = true;
      ++running;
    }
    logged.push_back(std::move(entry));
  }
  ImportedTrace out;
  auto& header = out.header;
  const std::int64_t log_time = log_time_of(logged, latest, request.options.at("log-time"), kName);
  out.jobs = jobs_from_log(std::move(logged), log_time, std::string(kName) + ": " + request.input.filename().string(), header);
  if (!request.extra.empty()) {
    const std::string nodes_file = request.extra[0].string();
    const nlohmann::json nodes = read_json_file(request.extra[0]);
    *header.mutable_cluster() = read_nodes(list_items(nodes, nodes_file, "node"), nodes_file,
                                           "kubernetes " + request.extra[0].filename().string(), names, keep_cpu_only);
  } else if (!out.jobs.empty()) {
    *header.mutable_cluster() = infer_cluster(out.jobs, "kubernetes " + request.input.filename().string() + " (inferred)",
                                              names.default_gpu_type, names.default_gpu_memory_mib);
  }
  out.notes.push_back("jobs: " + std::to_string(out.jobs.size()) + ", of which " + std::to_string(running) +
                      " still running at the log time (run time censored there)");
  if (pending) out.notes.push_back("skipped " + std::to_string(pending) + " pods never bound to a node");
  if (no_finish) out.notes.push_back("skipped " + std::to_string(no_finish) + " finished pods without container finish times");
  if (cpu_only)
    out.notes.push_back("skipped " + std::to_string(cpu_only) + " pods without " + names.gpu_resource + " (cpu-only=keep keeps them)");
  if (request.extra.empty()) out.notes.push_back("cluster inferred from the nodes the pods ran on (--with nodes.json gives it)");
  return out;
}

}  // namespace
void add_kubernetes_importer(ImporterRegistry& registry) {
  const KubernetesNames defaults;  // the option defaults are the names' own
  registry.add({kName,
                "Kubernetes pods from `kubectl get pods -A -o json` (and nodes from `kubectl get nodes -o json`), "
                "with their recorded runs",
                {{"gpu-resource", defaults.gpu_resource, "extended resource that counts whole GPUs"},
                 {"gpu-memory-resource", defaults.gpu_memory_resource,
                  "extended resource asking for GPU memory on one shared GPU (gpushare); empty: not read"},
                 {"gpu-count-resource", defaults.gpu_count_resource, "node resource counting GPUs shared by memory"},
                 {"gpu-memory-unit-mib", std::to_string(defaults.gpu_memory_unit_mib),
                  "MiB per unit of gpu-memory-resource (gpushare counts GiB)"},
                 {"app-label", defaults.app_label, "pod label naming the application (then label app, owner, pod name)"},
                 {"queue-label", defaults.queue_label,
                  "pod label naming the queue (e.g. kueue.x-k8s.io/queue-name); empty: the namespace"},
                 {"gpu-type-label", defaults.gpu_type_label, "node label (and pod node selector) naming the GPU type"},
                 {"gpu-type", defaults.default_gpu_type, "GPU type of nodes without that label, and of an inferred cluster"},
                 {"gpu-memory-mib", std::to_string(defaults.default_gpu_memory_mib),
                  "GPU memory of nodes without label nvidia.com/gpu.memory"},
                 {"cpu-only", "skip", "pods without GPUs: skip or keep (as CPU-only jobs)"},
                 {"log-time", "", "when the log was taken (RFC 3339); empty: the latest time in it"}},
                [](const Params&, const ImportRequest& request) { return import_kubernetes(request); },
                "IN: kubectl get pods -A -o json; --with: kubectl get nodes -o json (optional)"});
}

}  // namespace colosim::traces

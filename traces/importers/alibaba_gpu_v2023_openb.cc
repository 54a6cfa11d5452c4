// alibaba-gpu-v2023-openb: the pod and node lists of Alibaba's cluster-trace-gpu-v2023 (FGD,
// ATC'23). See docs/traces.md for the full mapping; in short:
//  - one pod with num_gpu >= 1 -> one job; CPU-only pods (num_gpu 0) are skipped and counted,
//    or with option cpu-only=keep become CPU-only jobs (gpus 0: node CPU and host memory only);
//  - submit = creation_time; duration = deletion_time - scheduled_time, or deletion_time -
//    creation_time for Pending pods, which were never scheduled (feature never_scheduled = 1);
//  - Running pods were still running when the trace was cut: their deletion_time is the cut-off,
//    so the duration is a lower bound (right-censored). They are kept with feature censored = 1
//    (option running=skip drops them, counted);
//  - gpu_milli, num_gpu and gpu_spec (allowed types) are kept; cpu_milli and memory_mib (host
//    RAM) go to the job's cpu_milli / host_memory_mib; GPU memory is not in the trace (0);
//  - app = the QoS class (LS, BE, Burstable, Guaranteed): the trace has no model identity;
//  - option times=none reads a list of pod shapes without times (the paper's multigpu variants);
//  - option recorded=true keeps what the cluster did (RecordedRun: start = scheduled_time, end =
//    deletion_time unless Running, state = pod_phase; no nodes) for colosim validate.
// The node list (first --with file) becomes the header's cluster: one node per GPU node,
// CPU-only nodes skipped and counted.
#include <map>
#include <set>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/csv.h"
#include "colosim/traces/generator.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {
namespace {

constexpr const char* kName = "alibaba-gpu-v2023-openb";
// More GPUs than any machine has: a typo or a corrupt row, and it must fit an int.
constexpr std::int64_t kMaxGpusPerNode = 1024;

// Nominal memory of the public GPU models in the node list. G1, G2 and G3 are undisclosed
// internal models: their memory comes from the option unknown-gpu-memory-mib (a note says so).
const std::map<std::string, std::int64_t>& known_gpu_memory() {
  static const std::map<std::string, std::int64_t> memory = {
      {"P100", 16384}, {"T4", 16384}, {"V100M16", 16384}, {"V100M32", 32768}, {"A10", 24576}};
  return memory;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

struct NodeList {
  v1::Cluster cluster;
  std::map<std::string, int> max_gpus_by_type;
  std::int64_t cpu_only = 0;
};

NodeList read_nodes(const std::filesystem::path& path, std::int64_t unknown_memory, std::vector<std::string>& notes) {
  NodeList out;
  CsvReader csv(path.string());
  const int sn = csv.column("sn"), cpu = csv.column("cpu_milli"), mem = csv.column("memory_mib"),
            gpu = csv.column("gpu"), model = csv.column("model");
  std::map<std::string, std::int64_t> gpus_by_type;
  std::set<std::string> unknown_types;
  out.cluster.set_schema_version(kSchemaVersion);
  out.cluster.set_name(path.filename().string());
  while (csv.next()) {
    const std::int64_t gpus = csv.integer(gpu);
    if (gpus < 0 || gpus > kMaxGpusPerNode) csv.fail(gpu, "GPU count must be in 0.." + std::to_string(kMaxGpusPerNode));
    if (gpus == 0) {
      ++out.cpu_only;
      continue;
    }
    const std::string& type = csv.text(model);
    if (type.empty()) csv.fail(model, "a node with GPUs needs a GPU model");
    if (csv.integer(cpu) < 0) csv.fail(cpu, "negative");
    if (csv.integer(mem) < 0) csv.fail(mem, "negative");
    auto* node = out.cluster.add_nodes();
    node->set_name(csv.text(sn));
    node->set_gpu_type(type);
    node->set_gpus(static_cast<int>(gpus));
    node->set_cpu_milli(csv.integer(cpu));
    node->set_memory_mib(csv.integer(mem));
    if (gpus_by_type.emplace(type, 0).second) {
      auto* t = out.cluster.add_gpu_types();
      t->set_name(type);
      auto it = known_gpu_memory().find(type);
      if (it != known_gpu_memory().end()) {
        t->set_memory_mib(it->second);
      } else {
        t->set_memory_mib(unknown_memory);
        unknown_types.insert(type);
      }
      t->set_speed(1.0);
    }
    gpus_by_type[type] += gpus;
    int& max_gpus = out.max_gpus_by_type[type];
    max_gpus = std::max(max_gpus, static_cast<int>(gpus));
  }
  notes.push_back("nodes: " + std::to_string(out.cluster.nodes_size()) + " GPU nodes, " +
                  std::to_string(out.cpu_only) + " CPU-only nodes skipped");
  for (const auto& [type, count] : gpus_by_type)
    notes.push_back("GPUs " + type + ": " + std::to_string(count));
  for (const auto& type : unknown_types)
    notes.push_back("assumed: GPU model " + type + " is undisclosed; memory set to " + std::to_string(unknown_memory) +
                    " MiB (option unknown-gpu-memory-mib); all speeds 1.0");
  return out;
}

ImportedTrace import_openb(const ImportRequest& request) {
  ImportedTrace out;
  const bool keep_running = request.options.at("running") == "keep";
  const bool keep_pending = request.options.at("pending") == "keep";
  const bool keep_cpu_only = request.options.at("cpu-only") == "keep";
  const bool keep_recorded = option_flag(request, kName, "recorded");
  for (const char* key : {"running", "pending", "cpu-only"}) {
    const auto& v = request.options.at(key);
    if (v != "keep" && v != "skip")
      throw Error(std::string("importer '") + kName + "': option " + key + " must be keep or skip, got '" + v + "'");
  }
  const std::string& times = request.options.at("times");
  if (times != "required" && times != "none")
    throw Error(std::string("importer '") + kName + "': option times must be required or none, got '" + times + "'");
  const bool shapes_only = times == "none";
  const double unknown_memory = option_number(request, kName, "unknown-gpu-memory-mib");
  if (!(unknown_memory >= 1)) throw Error(std::string("importer '") + kName + "': unknown-gpu-memory-mib must be >= 1");
  if (request.extra.size() > 1) throw Error(std::string("importer '") + kName + "' takes at most one --with file (the node list)");

  auto& header = out.header;
  header.set_schema_version(kSchemaVersion);
  header.set_source(std::string(kName) + ": " + request.input.filename().string());
  header.set_time_unit(v1::SECONDS);
  header.set_time_origin("anonymized: the first pod is created at 0");
  header.set_description(
      "Alibaba cluster-trace-gpu-v2023 (Weng et al., ATC'23). duration = deletion - scheduled (Pending: - creation); "
      "censored = 1 marks Running pods (deletion is the trace cut-off).");
  std::optional<NodeList> nodes;
  if (!request.extra.empty()) {
    nodes = read_nodes(request.extra[0], static_cast<std::int64_t>(unknown_memory), out.notes);
    *header.mutable_cluster() = nodes->cluster;
  }

  const std::string file = request.input.string();
  CsvReader csv(file);
  const int name = csv.column("name"), cpu = csv.column("cpu_milli"), mem = csv.column("memory_mib"),
            num_gpu = csv.column("num_gpu"), gpu_milli = csv.column("gpu_milli");
  // The paper's multigpu variants list pod shapes only: no GPU model, QoS, phase or times.
  const std::optional<int> gpu_spec_column = csv.find_column("gpu_spec"), qos_column = csv.find_column("qos");
  const int gpu_spec = gpu_spec_column.value_or(-1);
  int phase = -1, created = -1, deleted = -1, scheduled = -1;
  if (!shapes_only) {
    if (!csv.find_column("pod_phase") && !csv.find_column("creation_time"))
      throw InputError(file, 1, "creation_time",
                       "no pod_phase or time columns: a list of pod shapes only converts with --opt times=none");
    phase = csv.column("pod_phase");
    created = csv.column("creation_time");
    deleted = csv.column("deletion_time");
    scheduled = csv.column("scheduled_time");
  }
  std::int64_t rows = 0, cpu_only = 0, running_skipped = 0, pending_skipped = 0, no_end = 0, censored = 0,
               never_scheduled = 0, fractional = 0, too_big = 0;
  while (csv.next()) {
    ++rows;
    const std::int64_t gpus = csv.integer(num_gpu);
    if (gpus < 0 || !narrow<int>(gpus)) csv.fail(num_gpu, "GPU count out of range (" + std::to_string(gpus) + ")");
    if (gpus == 0) {
      ++cpu_only;
      if (!keep_cpu_only) continue;
    }
    JobSpec job;
    job.id = csv.text(name);
    job.app = qos_column ? csv.text(*qos_column) : "pod";
    job.gpus = static_cast<int>(gpus);
    const std::int64_t milli = csv.integer(gpu_milli);
    if (gpus == 0 && milli != 0) csv.fail(gpu_milli, "a CPU-only pod (num_gpu 0) must have 0, got " + std::to_string(milli));
    if (gpus > 0 && (milli < 1 || milli > 1000)) csv.fail(gpu_milli, "must be in 1..1000, got " + std::to_string(milli));
    if (gpus > 1 && milli != 1000) csv.fail(gpu_milli, "a multi-GPU pod must take whole GPUs (1000)");
    job.gpu_milli = static_cast<int>(milli);
    if (shapes_only) {
      job.features["shape_only"] = 1;
    } else {
      const std::string& pod_phase = csv.text(phase);
      if (pod_phase != "Running" && pod_phase != "Pending" && pod_phase != "Succeeded" && pod_phase != "Failed")
        csv.fail(phase, "unknown pod phase '" + pod_phase + "' (Running, Pending, Succeeded, Failed)");
      if (pod_phase == "Running" && !keep_running) {
        ++running_skipped;
        continue;
      }
      if (pod_phase == "Pending" && !keep_pending) {
        ++pending_skipped;
        continue;
      }
      if (csv.text(deleted).empty()) {
        ++no_end;
        continue;
      }
      const std::int64_t create = csv.integer(created);
      const std::int64_t end = csv.integer(deleted);
      if (create < 0) csv.fail(created, "negative time");
      std::int64_t start = create;
      if (!csv.text(scheduled).empty()) {
        start = csv.integer(scheduled);
        if (start < create) csv.fail(scheduled, "scheduled before creation");
      } else if (pod_phase != "Pending") {
        csv.fail(scheduled, "empty for a " + pod_phase + " pod (only Pending pods may lack it)");
      } else {
        job.features["never_scheduled"] = 1;
        ++never_scheduled;
      }
      if (end < start) csv.fail(deleted, "end before start (" + std::to_string(end) + " < " + std::to_string(start) + ")");
      if (pod_phase == "Running") {
        job.features["censored"] = 1;
        ++censored;
      }
      const auto submit = checked_ticks(static_cast<double>(create));
      if (!submit) csv.fail(created, ticks_problem(static_cast<double>(create)));
      const auto duration = checked_ticks(static_cast<double>(end - start));
      if (!duration) csv.fail(deleted, "duration " + ticks_problem(static_cast<double>(end - start)));
      job.submit = *submit;
      job.solo_duration = *duration;
      if (keep_recorded) {
        // What the cluster did: bound at scheduled_time (Pending pods never were); deleted at
        // deletion_time, except Running pods, whose deletion_time is the collection cut-off.
        RecordedRun& run = job.recorded.emplace();
        if (!csv.text(scheduled).empty()) run.start = job.submit + (start - create) * kTicksPerSecond;
        if (run.start && pod_phase != "Running") run.end = job.submit + (end - create) * kTicksPerSecond;
        run.state = pod_phase;
      }
    }
    const std::int64_t cpu_milli = csv.integer(cpu), memory = csv.integer(mem);
    if (cpu_milli < 0) csv.fail(cpu, "negative");
    if (memory < 0) csv.fail(mem, "negative");
    job.features[kCpuMilliFeature] = static_cast<double>(cpu_milli);
    job.features[kHostMemoryFeature] = static_cast<double>(memory);
    if (gpu_spec_column && !csv.text(gpu_spec).empty()) job.gpu_types = split(csv.text(gpu_spec), '|');
    if (nodes) {
      int largest = 0;
      for (const auto& type : job.gpu_types)
        if (!nodes->max_gpus_by_type.count(type)) csv.fail(gpu_spec, "unknown GPU type '" + type + "' (not in the node list)");
      for (const auto& [type, max_gpus] : nodes->max_gpus_by_type)
        if (job.allows_gpu_type(type)) largest = std::max(largest, max_gpus);
      if (job.gpus > largest) ++too_big;
    }
    validate_job(job, file, csv.line());
    if (gpus > 0 && milli < 1000) ++fractional;
    out.jobs.push_back(std::move(job));
  }
  out.notes.push_back("pods: " + std::to_string(rows) + " rows, " + std::to_string(out.jobs.size()) + " jobs (" +
                      std::to_string(fractional) + " fractional GPU)");
  out.notes.push_back((keep_cpu_only ? "kept as CPU-only jobs (gpus 0): " : "skipped: ") + std::to_string(cpu_only) +
                      " CPU-only pods (num_gpu 0)");
  if (shapes_only)
    out.notes.push_back("times=none: pod shapes only; every job arrives at 0 with duration 0 (feature shape_only = 1), "
                        "for colosim inflate, which gives them their own times");
  if (running_skipped) out.notes.push_back("skipped: " + std::to_string(running_skipped) + " Running pods (running=skip)");
  if (pending_skipped) out.notes.push_back("skipped: " + std::to_string(pending_skipped) + " Pending pods (pending=skip)");
  if (no_end) out.notes.push_back("skipped: " + std::to_string(no_end) + " pods without deletion_time");
  out.notes.push_back("censored: " + std::to_string(censored) +
                      " Running pods: duration runs to the trace cut-off, a lower bound (feature censored=1)");
  out.notes.push_back("never scheduled: " + std::to_string(never_scheduled) +
                      " Pending pods: duration = deletion - creation (feature never_scheduled=1)");
  if (too_big) out.notes.push_back("warning: " + std::to_string(too_big) + " jobs need more GPUs than any allowed node has");
  return out;
}

}  // namespace

std::vector<PodShape> load_openb_shapes(const std::string& path) {
  CsvReader csv(path);
  const int num_gpu = csv.column("num_gpu"), gpu_milli = csv.column("gpu_milli");
  std::map<std::pair<int, int>, double> counts;
  while (csv.next()) {
    const std::int64_t gpus = csv.integer(num_gpu), milli = csv.integer(gpu_milli);
    if (gpus < 0 || gpus > 1024) csv.fail(num_gpu, "must be in 0..1024");
    if (gpus == 0) continue;
    if (milli < 1 || milli > 1000) csv.fail(gpu_milli, "must be in 1..1000");
    counts[{static_cast<int>(gpus), static_cast<int>(milli)}] += 1;
  }
  if (counts.empty()) throw InputError(path, 0, "num_gpu", "no pod asks for a GPU");
  std::vector<PodShape> shapes;
  for (const auto& [key, count] : counts) shapes.push_back({key.first, key.second, count});
  return shapes;
}

void add_alibaba_gpu_v2023_openb_importer(ImporterRegistry& registry) {
  registry.add({kName,
                "Alibaba GPU trace 2023 (FGD): pod list -> jobs, node list -> cluster",
                {{"running", "keep", "Running pods (censored at the trace end): keep or skip"},
                 {"cpu-only", "skip",
                  "CPU-only pods (num_gpu 0): skip, or keep as CPU-only jobs that take node CPU and host memory (the FGD "
                  "paper's experiments include them)"},
                 {"pending", "keep", "Pending pods (never scheduled): keep or skip"},
                 {"unknown-gpu-memory-mib", "16384", "memory of the undisclosed GPU models G1, G2, G3"},
                 {"recorded", "false",
                  "true: keep each pod's recorded run (bound at scheduled_time, deleted at deletion_time, pod_phase) "
                  "for colosim validate; the trace has no placement"},
                 {"times", "required",
                  "required: the time columns must be there; none: a list of pod shapes only (the paper's multigpu "
                  "variants; gpu_spec and qos may be missing too): every job arrives at 0 with no duration, for colosim inflate"}},
                [](const Params&, const ImportRequest& request) { return import_openb(request); },
                "IN: openb_pod_list_*.csv (with time columns); --with: openb_node_list_*.csv (optional)"});
}

}  // namespace colosim::traces

// tiresias: the job CSV and cluster spec CSV of the Tiresias simulator (SymbioticLab/Tiresias,
// simulator/run_sim.py). Mapping (docs/traces.md):
//  - job_id -> id, model_name -> app, num_gpu -> gpus (gang), submit_time -> submit (s),
//    duration -> duration (s; Tiresias reads it as int(float(x)) and so do we: truncated);
//  - iterations, interval, start_time, model_size, aggr_interval, model_scale are not used by
//    Tiresias' time model; iterations is kept as feature "iterations" when present;
//  - gpu_milli = 1000: Tiresias counts free GPUs per node and gives a job num_gpu of them
//    (yarn: the first node with enough free GPUs; larger jobs whole idle nodes), never a part;
//  - jobs are sorted stably by submit time, as Tiresias does.
// Cluster spec (optional --with): num_switch x num_node_p_switch nodes of num_gpu_p_node GPUs,
// num_cpu_p_node CPUs and mem_p_node GB; Tiresias has no GPU model, so the type comes from
// the options gpu-type / gpu-memory-mib.
#include <cmath>

#include "colosim/errors.h"
#include "colosim/traces/csv.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {
namespace {

constexpr const char* kName = "tiresias";

v1::Cluster read_cluster_spec(const std::filesystem::path& path, const ImportRequest& request) {
  CsvReader csv(path.string());
  const int switches = csv.column("num_switch"), per_switch = csv.column("num_node_p_switch"),
            gpus = csv.column("num_gpu_p_node"), cpus = csv.column("num_cpu_p_node"), mem = csv.column("mem_p_node");
  if (!csv.next()) throw InputError(path.string(), 2, "", "no data row");
  v1::Cluster cluster;
  cluster.set_schema_version(kSchemaVersion);
  cluster.set_name("tiresias " + path.filename().string());
  auto* type = cluster.add_gpu_types();
  type->set_name(request.options.at("gpu-type"));
  const double memory = option_number(request, kName, "gpu-memory-mib");
  if (!(memory >= 1)) throw Error("importer 'tiresias': gpu-memory-mib must be >= 1");
  type->set_memory_mib(static_cast<std::int64_t>(memory));
  type->set_speed(1.0);
  for (int c : {switches, per_switch, gpus, cpus, mem})
    if (csv.integer(c) < 1) csv.fail(c, "must be at least 1");
  if (csv.integer(switches) > 100000 || csv.integer(per_switch) > 100000 || csv.integer(gpus) > 1024)
    csv.fail(switches, "cluster too large");
  for (std::int64_t s = 0; s < csv.integer(switches); ++s) {
    auto* group = cluster.add_node_groups();
    group->set_name_prefix("s" + std::to_string(s) + "-node");
    group->set_count(static_cast<int>(csv.integer(per_switch)));
    group->set_gpu_type(type->name());
    group->set_gpus_per_node(static_cast<int>(csv.integer(gpus)));
    group->set_cpu_milli(csv.integer(cpus) * 1000);
    group->set_memory_mib(csv.integer(mem) * 1024);
    group->set_switch_name("switch" + std::to_string(s));
  }
  if (csv.next()) throw InputError(path.string(), csv.line(), "", "a cluster spec has one data row");
  return cluster;
}

ImportedTrace import_tiresias(const ImportRequest& request) {
  ImportedTrace out;
  if (request.extra.size() > 1) throw Error("importer 'tiresias' takes at most one --with file (the cluster spec)");
  auto& header = out.header;
  header.set_schema_version(kSchemaVersion);
  header.set_source(std::string(kName) + ": " + request.input.filename().string());
  header.set_time_unit(v1::SECONDS);
  header.set_time_origin("trace start (Tiresias submit_time 0)");
  if (!request.extra.empty()) *header.mutable_cluster() = read_cluster_spec(request.extra[0], request);

  const std::string file = request.input.string();
  CsvReader csv(file);
  const int id = csv.column("job_id"), gpus = csv.column("num_gpu"), submit = csv.column("submit_time"),
            model = csv.column("model_name"), duration = csv.column("duration");
  const auto iterations = csv.find_column("iterations");
  while (csv.next()) {
    JobSpec job;
    job.id = csv.text(id);
    job.app = csv.text(model);
    const std::int64_t g = csv.integer(gpus);
    if (g < 1 || g > 1'000'000) csv.fail(gpus, "must be at least 1");
    job.gpus = static_cast<int>(g);
    job.gpu_milli = 1000;
    const std::int64_t t = csv.integer(submit);
    if (t < 0) csv.fail(submit, "negative");
    if (t > 2'000'000'000) csv.fail(submit, "too large");
    job.submit = t * kTicksPerSecond;
    const double d = csv.number(duration);
    if (d < 0) csv.fail(duration, "negative duration");
    if (d > 2e9) csv.fail(duration, "too large");
    job.solo_duration = static_cast<Tick>(std::trunc(d)) * kTicksPerSecond;  // int(float(x)), as Tiresias
    if (iterations) job.features["iterations"] = csv.number(*iterations);
    validate_job(job, file, csv.line());
    out.jobs.push_back(std::move(job));
  }
  out.notes.push_back("jobs: " + std::to_string(out.jobs.size()));
  return out;
}

}  // namespace

void add_tiresias_importer(ImporterRegistry& registry) {
  registry.add({kName,
                "Tiresias simulator job CSV (and cluster spec CSV)",
                {{"gpu-type", "P100", "GPU type name for the cluster spec (Tiresias has none)"},
                 {"gpu-memory-mib", "16384", "GPU memory for the cluster spec"}},
                [](const Params&, const ImportRequest& request) { return import_tiresias(request); },
                "IN: job CSV (job_id,num_gpu,submit_time,...,model_name,duration); --with: cluster spec CSV (optional)"});
}

}  // namespace colosim::traces

// colosim trace-info FILE: counts, time span, GPU-request histogram, app mix and validation
// problems of a trace. Exits non-zero at the first problem that makes the trace unreadable,
// after printing what was read up to it.
#include <fmt/format.h>

#include "colosim/errors.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/inputs.h"
#include "colosim/traces/results_io.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_stats.h"
#include "commands.h"
#include "shared_flags.h"

namespace colosim::cli {
namespace {

struct TraceInfoArgs {
  std::string file, trace_format, cluster, format = "text";
  std::size_t max_apps = 20;
  bool multi_node = false;
};

const char* unit_name(v1::TimeUnit unit) {
  switch (unit) {
    case v1::MILLISECONDS: return "milliseconds";
    case v1::MICROSECONDS: return "microseconds";
    default: return "seconds";
  }
}

void print_header(const v1::TraceHeader& h) {
  fmt::print("{:<22}{}\n", "schema version:", h.schema_version());
  if (!h.source().empty()) fmt::print("{:<22}{}\n", "source:", h.source());
  fmt::print("{:<22}{}\n", "time unit:", unit_name(h.time_unit()));
  if (!h.time_origin().empty()) fmt::print("{:<22}{}\n", "time origin:", h.time_origin());
  if (!h.description().empty()) fmt::print("{:<22}{}\n", "description:", h.description());
  fmt::print("{:<22}{}\n", "announced jobs:", h.job_count() <= 0 ? std::string("not stated") : std::to_string(h.job_count()));
}

void print_cluster(const ClusterSpec& c) {
  std::map<std::string, std::pair<int, int>> by_type;  // nodes, GPUs
  for (const auto& n : c.nodes) {
    by_type[n.gpu_type].first += 1;
    by_type[n.gpu_type].second += n.gpus;
  }
  fmt::print("cluster '{}': {} nodes, {} GPUs\n", c.name, c.nodes.size(), c.total_gpus());
  for (const auto& [type, counts] : by_type) fmt::print("  {:<12} {:>6} nodes {:>7} GPUs\n", type, counts.first, counts.second);
}

// Deterministic key order; the same figures as the text.
std::string info_json(const traces::TraceFile& file, const v1::TraceHeader& h, const std::optional<ClusterSpec>& cluster,
                      const traces::TraceStats& stats, const std::string& validation) {
  using traces::json_string;
  std::string o = "{\n";
  o += "  \"file\": " + json_string(file.name()) + ",\n";
  o += "  \"format\": " + json_string(file.format()) + ",\n";
  o += fmt::format("  \"header\": {{\"schema_version\": {}, \"source\": {}, \"time_unit\": {}, \"time_origin\": {}, "
                   "\"description\": {}, \"announced_jobs\": {}}},\n",
                   h.schema_version(), json_string(h.source()), json_string(unit_name(h.time_unit())), json_string(h.time_origin()),
                   json_string(h.description()), h.job_count() <= 0 ? std::string("null") : std::to_string(h.job_count()));
  if (cluster)
    o += fmt::format("  \"cluster\": {{\"name\": {}, \"nodes\": {}, \"gpus\": {}, \"jobs_that_cannot_run\": {}, "
                     "\"first_problem\": {}}},\n",
                     json_string(cluster->name), cluster->nodes.size(), cluster->total_gpus(), stats.cluster_problems,
                     stats.cluster_problems ? json_string(stats.first_cluster_problem) : std::string("null"));
  else
    o += "  \"cluster\": null,\n";
  o += "  \"stats\": " + stats.to_json() + ",\n";
  o += "  \"validation\": " + json_string(validation) + "\n}\n";
  return o;
}

void trace_info(const TraceInfoArgs& a) {
  const bool json = a.format == "json";
  const traces::TraceFile file = traces::TraceFile::resolve(a.file, a.trace_format);
  auto reader = file.open();
  if (!json) {
    fmt::print("{:<22}{}\n", "file:", file.name());
    fmt::print("{:<22}{}\n", "format:", file.format());
    print_header(reader->header());
  }
  std::optional<ClusterSpec> cluster;
  if (!a.cluster.empty())
    cluster = traces::read_cluster(a.cluster);
  else if (reader->header().has_cluster())
    cluster = traces::cluster_from_proto(reader->header().cluster(), file.name() + " (header cluster)");
  if (cluster && !json) print_cluster(*cluster);
  traces::TraceStats stats;
  try {
    while (auto job = reader->next()) {
      if (cluster)
        stats.add(*job, *cluster, a.multi_node);
      else
        stats.add(*job);
    }
  } catch (const InputError&) {
    if (json) {
      fmt::print("{}", info_json(file, reader->header(), cluster, stats, fmt::format("FAILED after {} jobs", stats.jobs)));
    } else {
      fmt::print("{}", stats.render(a.max_apps));
      fmt::print("validation: FAILED after {} jobs; the statistics above are partial\n", stats.jobs);
    }
    throw;
  }
  if (json) {
    fmt::print("{}", info_json(file, reader->header(), cluster, stats, "ok"));
    return;
  }
  fmt::print("{}", stats.render(a.max_apps));
  if (cluster) {
    fmt::print("jobs that cannot run on the cluster: {}\n", stats.cluster_problems);
    if (stats.cluster_problems) fmt::print("  first: {}\n", stats.first_cluster_problem);
  }
  fmt::print("validation: ok\n");
}

}  // namespace

void add_trace_info_command(CLI::App& app) {
  auto args = std::make_shared<TraceInfoArgs>();
  auto* cmd = app.add_subcommand("trace-info", "Summarise and validate a job trace");
  cmd->add_option("FILE", args->file, "trace (.pb .json .textproto .csv); - reads standard input")->required();
  add_trace_format_flag(cmd, args->trace_format);
  add_output_format_flag(cmd, args->format);
  cmd->add_option("--cluster", args->cluster, "check every job against this cluster (default: the trace's own)");
  cmd->add_option("--max-apps", args->max_apps, "apps listed by name (default 20)");
  cmd->add_flag("--multi-node", args->multi_node, "a gang may span nodes (as run's multi-node option) when checking fit");
  cmd->callback([args] { trace_info(*args); });
}

}  // namespace colosim::cli

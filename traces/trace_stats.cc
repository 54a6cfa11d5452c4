#include "colosim/traces/trace_stats.h"

#include "colosim/number_text.h"
#include "colosim/traces/results_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace colosim::traces {

std::optional<std::string> cluster_problem(const JobSpec& job, const ClusterSpec& cluster, bool allow_multi_node) {
  int largest = 0;
  std::int64_t total = 0;
  bool any_type = false;
  for (const auto& node : cluster.nodes) {
    if (!job.allows_gpu_type(node.gpu_type)) continue;
    const GpuType* type = cluster.find_gpu_type(node.gpu_type);
    if (type && type->memory_mib < job.memory_mib) continue;
    any_type = true;
    largest = std::max(largest, node.gpus);
    total += node.gpus;
  }
  if (!any_type) {
    std::string types;
    for (const auto& t : job.gpu_types) types += (types.empty() ? "" : "|") + t;
    return "job '" + job.id + "' needs a GPU " + (types.empty() ? std::string() : "of type " + types + " ") + "with " +
           std::to_string(job.memory_mib) + " MiB; the cluster does not have one";
  }
  if (allow_multi_node && job.gpus > total)
    return "job '" + job.id + "' needs " + std::to_string(job.gpus) + " GPUs; the cluster has " + std::to_string(total) +
           " it may use";
  if (!allow_multi_node && job.gpus > largest)
    return "job '" + job.id + "' needs " + std::to_string(job.gpus) + " GPUs on one node; the largest allowed node has " +
           std::to_string(largest);
  return std::nullopt;
}

void TraceStats::add(const JobSpec& job) {
  if (jobs == 0) {
    first_submit = job.submit;
    min_duration = max_duration = job.solo_duration;
  }
  ++jobs;
  last_submit = job.submit;
  last_end = std::max(last_end, job.submit + job.solo_duration);
  min_duration = std::min(min_duration, job.solo_duration);
  max_duration = std::max(max_duration, job.solo_duration);
  const double d = ticks_to_seconds(job.solo_duration);
  total_duration_s += d;
  const int milli = job.gpu_milli == 0 ? 1000 : job.gpu_milli;
  gpu_seconds += d * job.gpus * milli / 1000.0;
  if (milli < 1000) ++fractional;
  if (!job.gpu_types.empty()) ++constrained;
  ++requests[{job.gpus, job.gpu_milli}];
  ++apps[job.app];
}

void TraceStats::add(const JobSpec& job, const ClusterSpec& cluster, bool allow_multi_node) {
  add(job);
  if (auto problem = cluster_problem(job, cluster, allow_multi_node)) {
    if (cluster_problems++ == 0) first_cluster_problem = *problem;
  }
}

std::string TraceStats::render(std::size_t max_apps) const {
  std::string out;
  auto line = [&](const std::string& key, const std::string& value) { out += fmt::format("{:<22}{}\n", key + ":", value); };
  line("jobs", std::to_string(jobs));
  if (jobs == 0) return out;
  line("submit span (s)", fmt::format("{} .. {} ({:.2f} days)", ticks_to_seconds(first_submit), ticks_to_seconds(last_submit),
                                      ticks_to_seconds(last_submit - first_submit) / 86400.0));
  line("last solo end (s)", fmt::format("{}", ticks_to_seconds(last_end)));
  line("duration (s)", fmt::format("min {} mean {:.1f} max {}", ticks_to_seconds(min_duration),
                                   total_duration_s / static_cast<double>(jobs), ticks_to_seconds(max_duration)));
  line("GPU-hours requested", fmt::format("{:.1f}", gpu_seconds / 3600.0));
  line("fractional-GPU jobs", std::to_string(fractional));
  line("GPU-type constrained", std::to_string(constrained));
  out += "GPU requests (gpus x share: jobs):\n";
  for (const auto& [key, count] : requests)
    out += fmt::format("  {:>4} x {:<8} {:>10}  {:5.1f}%\n", key.first,
                       key.second == 0 ? std::string("-") : fmt::format("{:.3f}", key.second / 1000.0), count,
                       100.0 * static_cast<double>(count) / static_cast<double>(jobs));
  std::vector<std::pair<std::int64_t, std::string>> mix;
  for (const auto& [app, count] : apps) mix.emplace_back(-count, app);
  std::sort(mix.begin(), mix.end());
  out += fmt::format("apps ({} distinct):\n", apps.size());
  std::int64_t shown = 0;
  for (std::size_t i = 0; i < mix.size() && i < max_apps; ++i) {
    out += fmt::format("  {:<40} {:>10}  {:5.1f}%\n", mix[i].second.empty() ? "(none)" : mix[i].second, -mix[i].first,
                       100.0 * static_cast<double>(-mix[i].first) / static_cast<double>(jobs));
    shown += -mix[i].first;
  }
  if (mix.size() > max_apps) out += fmt::format("  {:<40} {:>10}\n", "(others)", jobs - shown);
  return out;
}

std::string TraceStats::to_json() const {
  auto seconds = [](Tick t) { return shortest_text(ticks_to_seconds(t)); };
  std::string out = "{";
  out += fmt::format("\"jobs\": {}", jobs);
  out += fmt::format(", \"first_submit_s\": {}, \"last_submit_s\": {}, \"last_solo_end_s\": {}", seconds(first_submit),
                     seconds(last_submit), seconds(last_end));
  out += fmt::format(", \"min_duration_s\": {}, \"max_duration_s\": {}, \"total_duration_s\": {}", seconds(min_duration),
                     seconds(max_duration), shortest_text(total_duration_s));
  out += fmt::format(", \"gpu_hours\": {}, \"fractional_gpu_jobs\": {}, \"gpu_type_constrained\": {}",
                     shortest_text(gpu_seconds / 3600.0), fractional, constrained);
  out += ", \"requests\": [";
  bool first = true;
  for (const auto& [key, count] : requests) {
    out += fmt::format("{}{{\"gpus\": {}, \"gpu_milli\": {}, \"jobs\": {}}}", first ? "" : ", ", key.first, key.second, count);
    first = false;
  }
  out += "], \"apps\": {";  // by name: a fixed order
  first = true;
  for (const auto& [app, count] : apps) {
    out += fmt::format("{}{}: {}", first ? "" : ", ", json_string(app), count);
    first = false;
  }
  return out + "}}";
}

}  // namespace colosim::traces

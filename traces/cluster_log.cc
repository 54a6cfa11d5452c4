#include "colosim/traces/cluster_log.h"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <utility>

#include "colosim/errors.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {
namespace {

constexpr std::int64_t kUsPerSecond = 1'000'000;

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int> fixed_digits(std::string_view text, std::size_t& pos, int digits) {
  if (pos + static_cast<std::size_t>(digits) > text.size()) return std::nullopt;
  int value = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[pos++];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_timestamp_us(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  const auto y = fixed_digits(text, pos, 4);
  if (!y || !expect(text, pos, '-')) return std::nullopt;
  const auto mo = fixed_digits(text, pos, 2);
  if (!mo || !expect(text, pos, '-')) return std::nullopt;
  const auto d = fixed_digits(text, pos, 2);
  if (!d || pos >= text.size() || (text[pos] != 'T' && text[pos] != ' ')) return std::nullopt;
  ++pos;
  const auto h = fixed_digits(text, pos, 2);
  if (!h || !expect(text, pos, ':')) return std::nullopt;
  const auto mi = fixed_digits(text, pos, 2);
  if (!mi || !expect(text, pos, ':')) return std::nullopt;
  const auto s = fixed_digits(text, pos, 2);
  if (!s || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;  // 60: a leap second
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!date.ok() || *y < 1970) return std::nullopt;
  std::int64_t fraction_us = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) fraction_us = fraction_us * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 6; ++i) fraction_us *= 10;
  }
  std::int64_t offset_s = 0;
  if (pos < text.size()) {
    const char zone = text[pos++];
    if (zone == 'Z' || zone == 'z') {
      if (pos != text.size()) return std::nullopt;
    } else if (zone == '+' || zone == '-') {
      const auto oh = fixed_digits(text, pos, 2);
      if (!oh) return std::nullopt;
      expect(text, pos, ':');
      const auto om = fixed_digits(text, pos, 2);
      if (!om || pos != text.size() || *oh > 23 || *om > 59) return std::nullopt;
      offset_s = (zone == '+' ? 1 : -1) * (*oh * 3600 + *om * 60);
    } else {
      return std::nullopt;
    }
  }
  const std::int64_t days = sys_days(date).time_since_epoch().count();
  const std::int64_t seconds = days * 86400 + *h * 3600 + *mi * 60 + *s - offset_s;
  if (seconds < 0) return std::nullopt;
  return seconds * kUsPerSecond + fraction_us;
}

std::string format_timestamp_us(std::int64_t us) {
  using namespace std::chrono;
  const std::int64_t seconds = us / kUsPerSecond, fraction = us % kUsPerSecond;
  const sys_days day_point{days{seconds / 86400}};
  const year_month_day date{day_point};
  const std::int64_t in_day = seconds % 86400;
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), in_day / 3600,
                                in_day / 60 % 60, in_day % 60);
  if (fraction != 0) out += fmt::format(".{:06}", fraction);
  return out + "Z";
}

std::int64_t log_time_of(const std::vector<LoggedJob>& jobs, std::int64_t latest, const std::string& stated,
                         const std::string& importer) {
  std::int64_t log_time = latest;
  if (!stated.empty()) {
    auto us = parse_timestamp_us(stated);
    if (!us) throw Error("importer '" + importer + "': option log-time: '" + stated + "' is not a time (2026-01-05T10:00:00Z)");
    log_time = *us;
  }
  for (const auto& job : jobs)
    if (job.running && log_time < job.spec.recorded->start.value_or(0))
      throw Error("importer '" + importer + "': option log-time is before job " + job.spec.id + " started");
  return log_time;
}

std::vector<JobSpec> jobs_from_log(std::vector<LoggedJob> logged, std::int64_t log_time, const std::string& source,
                                   v1::TraceHeader& header) {
  header.set_schema_version(kSchemaVersion);
  header.set_source(source);
  std::int64_t origin = std::numeric_limits<std::int64_t>::max();
  for (const auto& job : logged) origin = std::min(origin, job.spec.submit);
  header.set_time_unit(v1::SECONDS);
  std::vector<JobSpec> jobs;
  jobs.reserve(logged.size());
  if (logged.empty()) return jobs;
  header.set_time_origin(format_timestamp_us(origin) + " (earliest submit in the log)");
  for (auto& entry : logged) {
    JobSpec& job = entry.spec;
    job.submit -= origin;
    if (job.recorded) {
      if (job.recorded->start) *job.recorded->start -= origin;
      if (job.recorded->end) *job.recorded->end -= origin;
    }
    if (entry.running) {
      job.solo_duration = std::max<std::int64_t>(0, log_time - origin - *job.recorded->start);
      job.features[kCensoredFeature] = 1;
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

v1::Cluster infer_cluster(const std::vector<JobSpec>& jobs, const std::string& name, const std::string& gpu_type,
                          std::int64_t gpu_memory_mib) {
  // Per node: +gpus at each start, -gpus at each end; ends sort before starts at the same time,
  // since a job that ends frees its GPUs for one that starts then.
  std::map<std::string, std::vector<std::pair<Tick, int>>> changes;
  for (const auto& job : jobs) {
    if (!job.recorded || !job.recorded->start || job.recorded->nodes.empty() || job.gpus == 0) continue;
    const int nodes = static_cast<int>(job.recorded->nodes.size());
    const int each = (job.gpus + nodes - 1) / nodes;
    for (const auto& node : job.recorded->nodes) {
      auto& list = changes[node];
      list.emplace_back(*job.recorded->start, each);
      list.emplace_back(job.recorded->end.value_or(kHorizon), -each);
    }
  }
  v1::Cluster cluster;
  cluster.set_schema_version(kSchemaVersion);
  cluster.set_name(name);
  auto* type = cluster.add_gpu_types();
  type->set_name(gpu_type);
  type->set_memory_mib(gpu_memory_mib);
  type->set_speed(1.0);
  for (auto& [node_name, list] : changes) {
    std::sort(list.begin(), list.end());
    int held = 0, most = 0;
    for (const auto& [time, delta] : list) most = std::max(most, held += delta);
    if (most == 0) continue;
    auto* node = cluster.add_nodes();
    node->set_name(node_name);
    node->set_gpu_type(gpu_type);
    node->set_gpus(most);
  }
  return cluster;
}

}  // namespace colosim::traces

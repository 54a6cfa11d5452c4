#include "colosim/experiments/validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "colosim/errors.h"
#include "colosim/metrics.h"
#include "colosim/rank_correlation.h"
#include "colosim/traces/csv.h"

namespace colosim::experiments {
namespace {

std::optional<double> seconds(std::optional<Tick> t) {
  if (!t) return std::nullopt;
  return ticks_to_seconds(*t);
}

std::vector<std::string> sorted_unique(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace

void ValidationCollector::on_start(Tick now, const JobSpec& job, std::span<const GpuIndex>) {
  first_start_.emplace(job.id, now);  // keeps the first
}

void ValidationCollector::on_start_cpu_only(Tick now, const JobSpec& job, NodeIndex) { first_start_.emplace(job.id, now); }

std::optional<Tick> ValidationCollector::first_start(const std::string& id) const {
  auto it = first_start_.find(id);
  if (it == first_start_.end()) return std::nullopt;
  return it->second;
}

double ks_distance(std::span<const double> a, std::span<const double> b) {
  if (a.empty() || b.empty()) return 0;
  std::vector<double> x(a.begin(), a.end()), y(b.begin(), b.end());
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  // Walk both sorted samples; at each distinct value both CDFs include every value <= it.
  double most = 0;
  std::size_t i = 0, j = 0;
  while (i < x.size() || j < y.size()) {
    const double v = j == y.size() || (i < x.size() && x[i] <= y[j]) ? x[i] : y[j];
    while (i < x.size() && x[i] == v) ++i;
    while (j < y.size() && y[j] == v) ++j;
    most = std::max(most, std::abs(static_cast<double>(i) / static_cast<double>(x.size()) -
                                   static_cast<double>(j) / static_cast<double>(y.size())));
  }
  return most;
}

ErrorStats error_stats(const std::string& quantity, std::span<const double> recorded, std::span<const double> simulated,
                       std::optional<double> mape_floor) {
  if (recorded.size() != simulated.size()) throw Error("error_stats: the two samples differ in length");
  ErrorStats s;
  s.quantity = quantity;
  s.n = recorded.size();
  if (s.n == 0) return s;
  std::vector<double> abs_error(s.n);
  double sum_abs = 0, sum_signed = 0, sum_relative = 0;
  for (std::size_t i = 0; i < s.n; ++i) {
    const double error = simulated[i] - recorded[i];
    abs_error[i] = std::abs(error);
    sum_abs += abs_error[i];
    sum_signed += error;
    if (mape_floor && recorded[i] >= *mape_floor && recorded[i] > 0) {
      sum_relative += abs_error[i] / recorded[i];
      ++s.mape_n;
    }
  }
  const double n = static_cast<double>(s.n);
  s.mae = sum_abs / n;
  s.bias = sum_signed / n;
  if (s.mape_n > 0) s.mape = 100 * sum_relative / static_cast<double>(s.mape_n);
  s.spearman = spearman_correlation(recorded, simulated);
  s.ks = ks_distance(recorded, simulated);
  s.p50_abs = percentile(abs_error, 50);
  s.p90_abs = percentile(abs_error, 90);
  return s;
}

ValidationReport validate_run(std::span<const JobSpec> jobs, const ValidationCollector& run, const ClusterSpec& cluster,
                              double mape_floor_s) {
  std::vector<std::string> node_of_gpu;
  for (const auto& node : cluster.nodes) node_of_gpu.insert(node_of_gpu.end(), static_cast<std::size_t>(node.gpus), node.name);
  std::map<std::string_view, const JobRecord*> record_of;
  for (const auto& r : run.records()) record_of.emplace(r.id, &r);

  if (std::none_of(jobs.begin(), jobs.end(), [](const JobSpec& j) { return j.recorded.has_value(); }))
    throw Error("validate: no job has a recorded run; import a cluster's log with colosim convert --from kubernetes or "
                "slurm-sacct (or alibaba-gpu-v2023-openb --opt recorded=true)");
  ValidationReport report;
  report.mape_floor_s = mape_floor_s;
  struct Pairs {
    std::vector<double> recorded, simulated;
    void add(const std::optional<double>& r, const std::optional<double>& s) {
      if (!r || !s) return;
      recorded.push_back(*r);
      simulated.push_back(*s);
    }
  } queueing, start, jct;
  for (const JobSpec& spec : jobs) {
    auto found = record_of.find(spec.id);
    if (found == record_of.end()) throw Error("validate: job '" + spec.id + "' has no result (it was not simulated)");
    const JobRecord& record = *found->second;
    ValidatedJob v;
    v.id = spec.id;
    const double submit = ticks_to_seconds(spec.submit);
    if (spec.recorded) {
      v.recorded_start_s = seconds(spec.recorded->start);
      if (v.recorded_start_s) v.recorded_queueing_s = *v.recorded_start_s - submit;
      if (spec.recorded->end) v.recorded_jct_s = ticks_to_seconds(*spec.recorded->end) - submit;
      v.recorded_nodes = sorted_unique(spec.recorded->nodes);
    }
    v.simulated_start_s = seconds(run.first_start(spec.id));
    if (v.simulated_start_s) v.simulated_queueing_s = *v.simulated_start_s - submit;
    if (record.outcome == JobOutcome::finished) v.simulated_jct_s = ticks_to_seconds(record.jct());
    if (v.simulated_start_s) {
      std::vector<std::string> nodes;
      for (GpuIndex g : record.gpu_list) nodes.push_back(node_of_gpu.at(static_cast<std::size_t>(g)));
      if (record.gpus == 0 && record.node >= 0) nodes.push_back(cluster.nodes.at(static_cast<std::size_t>(record.node)).name);
      v.simulated_nodes = sorted_unique(std::move(nodes));
    }
    if (!v.recorded_nodes.empty() && !v.simulated_nodes.empty()) {
      v.same_nodes = v.recorded_nodes == v.simulated_nodes;
      ++report.placement_compared;
      report.placement_same += *v.same_nodes ? 1 : 0;
    }
    report.recorded_started += v.recorded_start_s ? 1 : 0;
    report.simulated_started += v.simulated_start_s ? 1 : 0;
    report.both_started += v.recorded_start_s && v.simulated_start_s ? 1 : 0;
    queueing.add(v.recorded_queueing_s, v.simulated_queueing_s);
    start.add(v.recorded_start_s, v.simulated_start_s);
    jct.add(v.recorded_jct_s, v.simulated_jct_s);
    report.jobs.push_back(std::move(v));
  }
  report.errors.push_back(error_stats("queueing_delay", queueing.recorded, queueing.simulated, mape_floor_s));
  report.errors.push_back(error_stats("start", start.recorded, start.simulated, std::nullopt));
  report.errors.push_back(error_stats("jct", jct.recorded, jct.simulated, mape_floor_s));
  return report;
}

std::string validation_jobs_csv(const ValidationReport& report) {
  std::string out =
      "id,recorded_queueing_delay_s,simulated_queueing_delay_s,recorded_start_s,simulated_start_s,recorded_jct_s,"
      "simulated_jct_s,recorded_nodes,simulated_nodes,same_nodes\n";
  auto number = [&](const std::optional<double>& v) {
    out += ',';
    if (v) out += fmt::format("{:.6f}", *v);
  };
  auto names = [&](const std::vector<std::string>& list) {
    std::string joined;
    for (const auto& n : list) joined += (joined.empty() ? "" : "|") + n;
    out += ',';
    traces::append_csv_field(out, joined);
  };
  for (const auto& j : report.jobs) {
    traces::append_csv_field(out, j.id);
    number(j.recorded_queueing_s);
    number(j.simulated_queueing_s);
    number(j.recorded_start_s);
    number(j.simulated_start_s);
    number(j.recorded_jct_s);
    number(j.simulated_jct_s);
    names(j.recorded_nodes);
    names(j.simulated_nodes);
    out += ',';
    if (j.same_nodes) out += *j.same_nodes ? "true" : "false";
    out += '\n';
  }
  return out;
}

std::string validation_json(const ValidationReport& report, const std::map<std::string, std::string>& meta) {
  using nlohmann::ordered_json;
  auto optional = [](const std::optional<double>& v) { return v ? ordered_json(*v) : ordered_json(nullptr); };
  ordered_json out;
  for (const auto& [key, value] : meta) out[key] = value;
  out["jobs"] = report.jobs.size();
  out["recorded_started"] = report.recorded_started;
  out["simulated_started"] = report.simulated_started;
  out["both_started"] = report.both_started;
  out["mape_floor_s"] = report.mape_floor_s;
  for (const auto& e : report.errors) {
    ordered_json q;
    q["n"] = e.n;
    q["mae_s"] = e.mae;
    q["bias_s"] = e.bias;
    q["p50_abs_error_s"] = e.p50_abs;
    q["p90_abs_error_s"] = e.p90_abs;
    q["mape_n"] = e.mape_n;
    q["mape_percent"] = optional(e.mape);
    q["spearman"] = optional(e.spearman);
    q["ks_distance"] = e.ks;
    out[e.quantity] = q;
  }
  out["placement"] = {{"compared", report.placement_compared},
                      {"same_nodes", report.placement_same},
                      {"same_nodes_fraction", report.placement_compared
                                                  ? ordered_json(static_cast<double>(report.placement_same) /
                                                                 static_cast<double>(report.placement_compared))
                                                  : ordered_json(nullptr)}};
  return out.dump(2) + "\n";
}

}  // namespace colosim::experiments

#include "colosim/experiments/output.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "colosim/errors.h"
#include "colosim/number_text.h"
#include "colosim/traces/csv.h"
#include "colosim/traces/results_io.h"

namespace colosim::experiments {
// Three significant digits or so, with k and M for large values: "28.7k", "1.96M", "0.222".
std::string compact(double x) {
  if (x == 0) return "0";
  if (!std::isfinite(x)) return fmt::format("{}", x);
  const double a = std::fabs(x);
  const char* suffix = a >= 1e6 ? "M" : a >= 1e4 ? "k" : "";
  const double v = a >= 1e6 ? x / 1e6 : a >= 1e4 ? x / 1e3 : x;
  const double b = std::fabs(v);
  const int d = b >= 100 ? 0 : b >= 10 ? 1 : b >= 1 ? 2 : 3;
  return fmt::format("{:.{}f}{}", v, d, suffix);
}

std::string json_number(double x) { return std::isfinite(x) ? shortest_text(x) : "null"; }


RunsCsv::RunsCsv(const std::string& path) : file_(path) {
  file_.stream() << header() << '\n';
  file_.flush();
}

std::string RunsCsv::header() {
  std::string h = "run,cluster,load,policy,seed";
  for (const MetricDef& m : summary_metrics()) h += std::string(",") + m.key;
  return h + ",events,predictions,app_fallbacks,gpu_type_fallbacks";
}

std::string RunsCsv::row(const Experiment& e, const RunOutcome& r) {
  const RunPoint& p = r.point;
  std::string row = fmt::format("{},{},{},{},{}", p.index, traces::csv_quote(e.clusters[p.cluster].label), json_number(e.loads[p.load]),
                                traces::csv_quote(e.policies[p.policy].label), e.seeds[p.seed]);
  for (const MetricDef& m : summary_metrics()) {
    row += ',';
    row += std::isfinite(m.value(r.summary)) ? m.text(r.summary) : "null";
  }
  return row + fmt::format(",{},{},{},{}", r.stats.events, r.stats.predictions, r.stats.app_fallbacks,
                           r.stats.gpu_type_fallbacks);
}

void RunsCsv::write(const Experiment& e, const RunOutcome& run) {
  file_.stream() << row(e, run) << '\n';
  file_.flush();  // a full disk is seen at the row that did not fit; progress is visible in the partial file
}

Analysis analyse(const Experiment& e, const std::vector<RunOutcome>& runs) {
  const GridShape shape = e.shape();
  if (runs.size() != shape.size()) throw Error("analyse: the grid is incomplete");
  const auto& metrics = summary_metrics();
  // values[metric][seed] of one (cluster, load, policy) group; seeds are the fastest axis.
  auto values = [&](std::size_t c, std::size_t l, std::size_t p) {
    std::vector<std::vector<double>> v(metrics.size());
    for (std::size_t s = 0; s < shape.seeds; ++s) {
      const RunOutcome& r = runs[((c * shape.loads + l) * shape.policies + p) * shape.seeds + s];
      for (std::size_t m = 0; m < metrics.size(); ++m) v[m].push_back(metrics[m].value(r.summary));
    }
    return v;
  };
  Analysis a;
  a.inputs_vary_with_seed = e.jobs.varies_with_seed();
  // Without input variation, a policy whose every seed gives the same result has no spread to
  // estimate: an interval of width 0 would claim certainty that the seeds never tested.
  auto invariant = [&](const std::vector<std::vector<double>>& v) {
    if (a.inputs_vary_with_seed || shape.seeds < 2) return false;
    for (const auto& m : v)
      for (double x : m)
        if (!(x == m.front() || (std::isnan(x) && std::isnan(m.front())))) return false;
    return true;
  };
  for (std::size_t c = 0; c < shape.clusters; ++c)
    for (std::size_t l = 0; l < shape.loads; ++l) {
      std::vector<std::vector<double>> base;
      if (e.baseline) base = values(c, l, *e.baseline);
      const bool base_invariant = e.baseline && invariant(base);
      for (std::size_t p = 0; p < shape.policies; ++p) {
        const auto v = values(c, l, p);
        GroupStats g{c, l, p, {}, invariant(v)};
        for (const auto& m : v) {
          g.metrics.push_back(mean_interval(m));
          if (g.seed_invariant) g.metrics.back().half_width.reset();
        }
        a.groups.push_back(std::move(g));
        if (!e.baseline || p == *e.baseline) continue;
        PairedStats ps{c, l, p, a.groups.back().seed_invariant && base_invariant, {}, {}};
        for (std::size_t m = 0; m < metrics.size(); ++m) {
          ps.metrics.push_back(paired_comparison(v[m], base[m]));
          if (ps.seed_invariant) {
            ps.metrics.back().difference.half_width.reset();
            ps.metrics.back().excludes_zero = false;
          }
          std::vector<double> d;
          for (std::size_t s = 0; s < v[m].size(); ++s) d.push_back(v[m][s] - base[m][s]);
          ps.differences.push_back(std::move(d));
        }
        a.paired.push_back(std::move(ps));
      }
    }
  if (!a.inputs_vary_with_seed && shape.seeds > 1) {
    std::set<std::string> fixed, varying;
    for (const GroupStats& g : a.groups) (g.seed_invariant ? fixed : varying).insert(e.policies[g.policy].label);
    for (const std::string& label : fixed) varying.erase(label);  // fixed in one group, varying in another: list as varying
    auto list = [](const std::set<std::string>& names) {
      std::string s;
      for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
      return s;
    };
    a.variation_note = std::string("No workload variation: every seed ran on the same jobs (") +
                       (e.jobs.generated() ? "a generator spec with a fixed seed" : "a trace file without --vary") + ").";
    if (!fixed.empty())
      a.variation_note += " Identical result on every seed (deterministic on these inputs), so no interval and no "
                          "significance: " + list(fixed) + ".";
    if (!varying.empty())
      a.variation_note += " Results varied only through the policy's own random choices (intervals cover those "
                          "choices, not other workloads): " + list(varying) + ".";
    a.variation_note += " To vary the workload, use --vary jitter:seconds=60 or --vary bootstrap (docs/compare.md).";
  }
  return a;
}

std::string summary_json(const Experiment& e, const Analysis& a) {
  const auto& metrics = summary_metrics();
  std::string o = "{\n  \"format\": \"colosim compare summary\",\n  \"version\": 1,\n";
  o += "  \"confidence_level\": 0.95,\n";
  o += fmt::format("  \"inputs_vary_with_seed\": {},\n", a.inputs_vary_with_seed ? "true" : "false");
  o += "  \"variation_note\": " + (a.variation_note.empty() ? std::string("null") : traces::json_string(a.variation_note)) + ",\n";
  o += "  \"metrics\": [";  // the metric table, so that readers need no copy of it
  for (std::size_t m = 0; m < metrics.size(); ++m)
    o += fmt::format("{}\n    {{\"key\": {}, \"label\": {}, \"help\": {}, \"type\": \"{}\", \"lower_is_better\": {}, "
                     "\"in_compare_table\": {}}}",
                     m ? "," : "", traces::json_string(metrics[m].key), traces::json_string(metrics[m].label),
                     traces::json_string(metrics[m].help), metrics[m].is_count() ? "int" : "float",
                     metrics[m].lower_is_better ? "true" : "false", metrics[m].in_compare_table ? "true" : "false");
  o += "\n  ],\n";
  o += "  \"inputs\": {\n";
  o += "    \"trace\": " + traces::json_string(e.jobs.source()) + ",\n";
  o += "    \"interference\": " + traces::json_string(e.interference) + ",\n";
  o += "    \"interference_model\": " + traces::json_string(e.model->describe()) + ",\n";
  o += "    \"options\": {";
  bool first_option = true;
  for (const auto& [key, value] : run_option_values(e.options)) {
    o += (first_option ? "" : ", ") + traces::json_string(key) + ": " + traces::json_string(value);
    first_option = false;
  }
  o += "},\n";
  o += "    \"clusters\": [";
  for (std::size_t i = 0; i < e.clusters.size(); ++i)
    o += fmt::format("{}\n      {{\"label\": {}, \"source\": {}, \"gpus\": {}}}", i ? "," : "", traces::json_string(e.clusters[i].label),
                     traces::json_string(e.clusters[i].source), e.clusters[i].spec.total_gpus());
  o += "\n    ],\n    \"loads\": [";
  for (std::size_t i = 0; i < e.loads.size(); ++i) o += (i ? ", " : "") + json_number(e.loads[i]);
  o += "],\n    \"policies\": [";
  for (std::size_t i = 0; i < e.policies.size(); ++i) o += (i ? ", " : "") + traces::json_string(e.policies[i].label);
  o += "],\n    \"seeds\": [";
  for (std::size_t i = 0; i < e.seeds.size(); ++i) o += (i ? ", " : "") + std::to_string(e.seeds[i]);
  o += "],\n    \"vary\": " + traces::json_string(e.jobs.variation_text());
  o += ",\n    \"baseline\": " + (e.baseline ? traces::json_string(e.policies[*e.baseline].label) : std::string("null")) + "\n  },\n";

  auto key = [&](std::size_t c, std::size_t l, std::size_t p) {
    return fmt::format("\"cluster\": {}, \"load\": {}, \"policy\": {}", traces::json_string(e.clusters[c].label),
                       json_number(e.loads[l]), traces::json_string(e.policies[p].label));
  };
  o += "  \"groups\": [";
  for (std::size_t g = 0; g < a.groups.size(); ++g) {
    const GroupStats& gs = a.groups[g];
    o += fmt::format("{}\n    {{{}, \"runs\": {}, \"seed_invariant\": {}, \"metrics\": {{", g ? "," : "",
                     key(gs.cluster, gs.load, gs.policy), gs.metrics.empty() ? 0 : gs.metrics.front().n,
                     gs.seed_invariant ? "true" : "false");
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const MeanInterval& mi = gs.metrics[m];
      o += fmt::format("{}\n      {}: {{\"mean\": {}, \"sd\": {}, \"ci_low\": {}, \"ci_high\": {}}}", m ? "," : "",
                       traces::json_string(metrics[m].key), json_number(mi.mean), json_number(mi.sd),
                       mi.half_width ? json_number(mi.low()) : "null", mi.half_width ? json_number(mi.high()) : "null");
    }
    o += "\n    }}";
  }
  o += "\n  ],\n  \"paired\": [";
  for (std::size_t i = 0; i < a.paired.size(); ++i) {
    const PairedStats& ps = a.paired[i];
    o += fmt::format("{}\n    {{{}, \"baseline\": {}, \"seed_invariant\": {}, \"metrics\": {{", i ? "," : "",
                     key(ps.cluster, ps.load, ps.policy), traces::json_string(e.policies[*e.baseline].label),
                     ps.seed_invariant ? "true" : "false");
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const PairedComparison& c = ps.metrics[m];
      std::string diffs;
      for (std::size_t s = 0; s < ps.differences[m].size(); ++s) diffs += (s ? ", " : "") + json_number(ps.differences[m][s]);
      o += fmt::format(
          "{}\n      {}: {{\"mean_difference\": {}, \"ci_low\": {}, \"ci_high\": {}, \"baseline_mean\": {}, "
          "\"relative_change\": {}, \"excludes_zero\": {}, \"differences\": [{}]}}",
          m ? "," : "", traces::json_string(metrics[m].key), json_number(c.difference.mean),
          c.difference.half_width ? json_number(c.difference.low()) : "null",
          c.difference.half_width ? json_number(c.difference.high()) : "null", json_number(c.baseline_mean),
          c.relative_change ? json_number(*c.relative_change) : "null", c.excludes_zero ? "true" : "false", diffs);
    }
    o += "\n    }}";
  }
  o += "\n  ]\n}\n";
  return o;
}

std::string format_mean_ci(const MeanInterval& m) {
  if (!m.half_width) return compact(m.mean);
  return compact(m.mean) + " +- " + compact(*m.half_width);
}

std::string format_change(const PairedComparison& c) {
  const std::string mark = c.excludes_zero ? " *" : "  ";
  if (c.relative_change) return fmt::format("{:+.1f}%", 100 * *c.relative_change) + mark;
  if (c.difference.mean == 0) return "0" + mark;
  return (c.difference.mean > 0 ? "abs +" : "abs ") + compact(c.difference.mean) + mark;
}

}  // namespace colosim::experiments

#pragma once
// The run summary's metrics, defined once: summary.json, the `colosim run` table, the columns of
// a comparison's runs.csv and its table, the Python summary dict and DataFrames, and the HTML
// report all iterate summary_metrics(). Adding a metric = a Summary field, its computation in
// MetricsCollector, and one row here.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "colosim/metrics.h"

namespace colosim {

struct MetricDef {
  const char* key;      // summary.json key, runs.csv column, Python dict key
  const char* label;    // column title in printed tables
  const char* help;     // one line, with the unit
  std::variant<std::int64_t Summary::*, double Summary::*> field;
  bool lower_is_better;
  bool in_compare_table;  // shown in `colosim compare`'s printed table (all are in the files)

  bool is_count() const { return std::holds_alternative<std::int64_t Summary::*>(field); }
  double value(const Summary& s) const;
  std::int64_t count(const Summary& s) const;  // for counts; throws Error for a real-valued metric
  // Counts as integers; reals with the shortest text that reads back to the same double.
  std::string text(const Summary& s) const;
};

// In report order: counts of jobs first, then times, then utilisation and failures.
const std::vector<MetricDef>& summary_metrics();
const MetricDef* find_metric(std::string_view key);  // nullptr when unknown

}  // namespace colosim

#include "colosim/traces/job_columns.h"

#include "colosim/checked.h"
#include "colosim/errors.h"

namespace colosim::traces {
namespace {

constexpr std::string_view kFeaturePrefix = "feature.";
// In the order of JobColumns::Kind.
constexpr const char* kNames[] = {"id",         "app",        "submit_s",         "duration_s",     "gpus",
                                  "memory_mib", "gpu_util",   "gpu_milli",        "priority",       "user",
                                  "gpu_types",  "recorded_start_s", "recorded_end_s", "recorded_nodes", "recorded_state"};
constexpr int kRequired = 5;  // the first five
constexpr const char* kKnown =
    "known: id, app, submit_s, duration_s, gpus, memory_mib, gpu_util, gpu_milli, priority, user, gpu_types, "
    "recorded_start_s, recorded_end_s, recorded_nodes, recorded_state, feature.<name>";

// A JobSpec field (job.h, JobProblem) as a column of this format.
std::string column_for_field(const std::string& field) {
  if (field == "submit") return "submit_s";
  if (field == "duration") return "duration_s";
  if (field.rfind("features.", 0) == 0) return std::string(kFeaturePrefix) + field.substr(9);
  if (field == "recorded.start" || field == "recorded.end") return "recorded_" + field.substr(9) + "_s";
  if (field.rfind("recorded.", 0) == 0) return "recorded_" + field.substr(9);
  return field;
}

}  // namespace

JobColumns::JobColumns(std::vector<std::string> header, std::string file, std::int64_t header_line)
    : header_(std::move(header)), file_(std::move(file)) {
  for (int& c : column_of_) c = -1;
  // (A CSV column named twice is caught by CsvReader; a Python dict cannot hold one.)
  for (std::size_t i = 0; i < header_.size(); ++i) {
    const std::string& name = header_[i];
    if (name.rfind(kFeaturePrefix, 0) == 0 && name.size() > kFeaturePrefix.size()) {
      kinds_.push_back(feature);
      continue;
    }
    int kind = 0;
    while (kind < feature && name != kNames[kind]) ++kind;
    if (kind == feature) throw InputError(file_, header_line, name, std::string("unknown column (") + kKnown + ")");
    kinds_.push_back(static_cast<Kind>(kind));
    column_of_[kind] = static_cast<int>(i);
  }
  for (int kind = 0; kind < kRequired; ++kind)
    if (column_of_[kind] < 0) {
      std::string have;
      for (const auto& h : header_) have += (have.empty() ? "" : ",") + h;
      throw InputError(file_, header_line, kNames[kind],
                       "missing column (required: id, app, submit_s, duration_s, gpus; header is: " + have + ")");
    }
}

bool JobColumns::is_text(int column) const {
  const Kind k = kinds_[static_cast<std::size_t>(column)];
  return k == id || k == app || k == user || k == types || k == recorded_nodes || k == recorded_state;
}

void JobColumns::fail(std::int64_t line, int column, const std::string& problem) const {
  throw InputError(file_, line, header_[static_cast<std::size_t>(column)], problem);
}

double JobColumns::number(const JobCells& row, std::int64_t line, int column) const {
  if (row.missing(column)) fail(line, column, "empty value, expected a number");
  if (auto v = row.number(column)) return *v;
  fail(line, column, row.shown(column) + " is not a finite number");
}

std::int64_t JobColumns::integer(const JobCells& row, std::int64_t line, int column) const {
  if (row.missing(column)) fail(line, column, "empty value, expected an integer");
  if (auto v = row.integer(column)) return *v;
  fail(line, column, row.shown(column) + " is not an integer (or out of range)");
}

std::string JobColumns::text(const JobCells& row, std::int64_t line, int column) const {
  if (row.missing(column)) return {};
  if (auto v = row.text(column)) return std::move(*v);
  fail(line, column, "expected text, got " + row.shown(column));
}

std::vector<std::string> JobColumns::bar_list(const JobCells& row, std::int64_t line, int column, const char* what) const {
  std::vector<std::string> items;
  const std::string s = text(row, line, column);
  if (s.empty()) return items;
  for (std::size_t start = 0;;) {
    const auto bar = s.find('|', start);
    items.push_back(s.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (items.back().empty()) fail(line, column, std::string("empty ") + what + " in '" + s + "'");
    if (bar == std::string::npos) return items;
    start = bar + 1;
  }
}

JobSpec JobColumns::parse(const JobCells& row, std::int64_t line) const {
  JobSpec job;
  for (int c = 0; c < static_cast<int>(kinds_.size()); ++c) {
    const Kind kind = kinds_[static_cast<std::size_t>(c)];
    if (kind >= memory && kind != feature && row.missing(c)) continue;  // optional: default
    switch (kind) {
      case id: job.id = text(row, line, c); break;
      case app: job.app = text(row, line, c); break;
      case submit:
      case duration: {
        const double seconds = number(row, line, c);
        auto ticks = checked_ticks(seconds);
        if (!ticks) fail(line, c, ticks_problem(seconds));
        (kind == submit ? job.submit : job.solo_duration) = *ticks;
        break;
      }
      case gpus:
      case milli:
      case priority: {
        const std::int64_t v = integer(row, line, c);
        auto narrowed = narrow<int>(v);
        if (!narrowed) fail(line, c, std::to_string(v) + " is out of range");
        (kind == gpus ? job.gpus : kind == milli ? job.gpu_milli : job.priority) = *narrowed;
        break;
      }
      case memory: job.memory_mib = integer(row, line, c); break;
      case util: job.gpu_util = number(row, line, c); break;
      case user: job.user = text(row, line, c); break;
      case types: job.gpu_types = bar_list(row, line, c, "GPU type"); break;
      case recorded_start:
      case recorded_end: {
        const double seconds = number(row, line, c);
        auto ticks = checked_ticks(seconds);
        if (!ticks) fail(line, c, ticks_problem(seconds));
        auto& run = job.recorded ? *job.recorded : job.recorded.emplace();
        (kind == recorded_start ? run.start : run.end) = *ticks;
        break;
      }
      case recorded_nodes: {
        auto nodes = bar_list(row, line, c, "node name");
        if (!nodes.empty()) (job.recorded ? *job.recorded : job.recorded.emplace()).nodes = std::move(nodes);
        break;
      }
      case recorded_state: {
        auto state = text(row, line, c);
        if (!state.empty()) (job.recorded ? *job.recorded : job.recorded.emplace()).state = std::move(state);
        break;
      }
      case feature:
        if (row.missing(c)) break;  // not known for this job
        job.features[header_[static_cast<std::size_t>(c)].substr(kFeaturePrefix.size())] = number(row, line, c);
        break;
    }
  }
  if (auto problem = find_problem(job)) throw InputError(file_, line, column_for_field(problem->field), problem->problem);
  return job;
}

}  // namespace colosim::traces

#include "colosim/traces/results_io.h"

#include <fmt/format.h>

#include <cmath>

#include "colosim/errors.h"
#include "colosim/job_columns.h"
#include "colosim/metric_table.h"
#include "colosim/traces/csv.h"

namespace colosim::traces {

std::string jobs_csv_header() {
  std::string header;
  for (const JobColumn& c : job_columns()) header += (header.empty() ? "" : ",") + std::string(c.key);
  return header;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<int>(c));
        else out += c;
    }
  }
  return out + "\"";
}

std::string format_job_row(const JobRecord& r) {
  std::string row;
  bool first = true;
  for (const JobColumn& c : job_columns()) {
    if (!first) row += ',';
    first = false;
    const Cell cell = c.get(r);
    if (const auto* text = std::get_if<std::string>(&cell)) row += csv_quote(*text);
    else if (const auto* real = std::get_if<double>(&cell)) row += fmt::format("{:.{}f}", *real, kJobRealDecimals);
    else if (const auto* count = std::get_if<std::int64_t>(&cell)) row += std::to_string(*count);
  }
  return row;
}

JobsCsvWriter::JobsCsvWriter(const std::string& path) : path_(path), out_(path) {
  if (!out_) throw Error("cannot write " + path);
  out_ << jobs_csv_header() << '\n';
}

void JobsCsvWriter::on_job_done(const JobRecord& record) { out_ << format_job_row(record) << '\n'; }

void JobsCsvWriter::on_end(Tick) {
  out_.flush();
  if (!out_) throw Error("error while writing " + path_);
}

std::string summary_to_json(const Summary& s, const std::map<std::string, std::string>& meta) {
  std::string out = "{\n  \"run\": {";
  bool first = true;
  for (const auto& [k, v] : meta) {
    out += fmt::format("{}\n    {}: {}", first ? "" : ",", json_string(k), json_string(v));
    first = false;
  }
  out += meta.empty() ? "},\n" : "\n  },\n";
  out += "  \"summary\": {";
  first = true;
  for (const MetricDef& m : summary_metrics()) {
    const double x = m.value(s);
    out += fmt::format("{}\n    {}: {}", first ? "" : ",", json_string(m.key), std::isfinite(x) ? m.text(s) : "null");
    first = false;
  }
  out += "\n  }\n}\n";
  return out;
}

void write_summary_json(const Summary& summary, const std::map<std::string, std::string>& meta, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw Error("cannot write " + path);
  out << summary_to_json(summary, meta);
  if (!out) throw Error("error while writing " + path);
}

}  // namespace colosim::traces

#include "colosim/traces/results_io.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <iterator>

#include "colosim/errors.h"
#include "colosim/job_columns.h"
#include "colosim/metric_table.h"
#include "colosim/number_text.h"
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

void append_job_row(const JobRecord& r, std::string& out) {
  bool first = true;
  for (const JobColumn& c : job_columns()) {
    if (!first) out += ',';
    first = false;
    const Cell cell = c.get(r);
    if (const std::optional<std::string_view> text = cell_text(cell)) append_csv_field(out, *text);
    else if (const auto* real = std::get_if<double>(&cell)) append_fixed(out, *real, kJobRealDecimals);
    else if (const auto* count = std::get_if<std::int64_t>(&cell)) {
      char digits[24];
      out.append(digits, std::to_chars(std::begin(digits), std::end(digits), *count).ptr);
    }
  }
}

std::string format_job_row(const JobRecord& r) {
  std::string row;
  append_job_row(r, row);
  return row;
}

JobsCsvWriter::JobsCsvWriter(const std::string& path) : file_(path) { file_.stream() << jobs_csv_header() << '\n'; }

void JobsCsvWriter::on_job_done(const JobRecord& record) {
  row_.clear();
  append_job_row(record, row_);
  row_ += '\n';
  file_.stream().write(row_.data(), static_cast<std::streamsize>(row_.size()));
}

void JobsCsvWriter::on_end(Tick) { file_.flush(); }

namespace {

std::string jobs_csv_text(const std::vector<JobRecord>& records) {
  std::string text = jobs_csv_header() + '\n';
  for (const JobRecord& r : records) {
    append_job_row(r, text);
    text += '\n';
  }
  return text;
}

}  // namespace

void write_run_outputs(const std::string& dir, const std::vector<JobRecord>& records, const std::string& summary_json) {
  const std::filesystem::path d(dir);
  write_files_atomically({{d / "jobs.csv", jobs_csv_text(records)}, {d / "summary.json", summary_json}});
}

void write_jobs_csv(const std::string& path, const std::vector<JobRecord>& records) {
  write_file_atomically(path, jobs_csv_text(records));
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

}  // namespace colosim::traces

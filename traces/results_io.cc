#include "colosim/traces/results_io.h"

#include <fmt/format.h>

#include "colosim/errors.h"
#include "colosim/traces/csv.h"

namespace colosim::traces {

const char* const kJobsCsvHeader =
    "id,app,submit_s,start_s,end_s,gpus,queueing_delay_s,jct_s,slowdown,oom_retries,outcome,gpu_list,note";

namespace {
std::string seconds_or_empty(Tick t) { return t < 0 ? "" : fmt::format("{:.6f}", ticks_to_seconds(t)); }


}  // namespace

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
  std::string gpus;
  for (GpuIndex g : r.gpu_list) gpus += (gpus.empty() ? "" : "|") + std::to_string(g);
  const bool done = r.outcome == JobOutcome::finished;
  return fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}", csv_quote(r.id), csv_quote(r.app), seconds_or_empty(r.submit),
                     seconds_or_empty(r.start), seconds_or_empty(r.end), r.gpus,
                     r.start >= 0 ? seconds_or_empty(r.queueing_delay()) : "", done ? seconds_or_empty(r.jct()) : "",
                     done ? fmt::format("{:.6f}", r.slowdown()) : "", r.oom_retries, to_string(r.outcome), gpus,
                     csv_quote(r.note));
}

JobsCsvWriter::JobsCsvWriter(const std::string& path) : path_(path), out_(path) {
  if (!out_) throw Error("cannot write " + path);
  out_ << kJobsCsvHeader << '\n';
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
  out += fmt::format(
      "  \"summary\": {{\n"
      "    \"jobs\": {},\n    \"finished\": {},\n    \"makespan_s\": {},\n"
      "    \"jct_mean_s\": {},\n    \"jct_p50_s\": {},\n    \"jct_p95_s\": {},\n    \"jct_p99_s\": {},\n"
      "    \"queueing_delay_mean_s\": {},\n    \"slowdown_mean\": {},\n    \"slowdown_p95\": {},\n"
      "    \"gpu_time_utilisation\": {},\n    \"memory_utilisation\": {},\n"
      "    \"oom_events\": {},\n    \"oom_failed\": {},\n    \"unschedulable\": {},\n    \"never_started\": {},\n    \"unfinished\": {}\n  }}\n}}\n",
      s.jobs, s.finished, s.makespan_s, s.jct_mean_s, s.jct_p50_s, s.jct_p95_s, s.jct_p99_s, s.queueing_delay_mean_s,
      s.slowdown_mean, s.slowdown_p95, s.gpu_time_utilisation, s.memory_utilisation, s.oom_events, s.oom_failed,
      s.unschedulable, s.never_started, s.unfinished);
  return out;
}

void write_summary_json(const Summary& summary, const std::map<std::string, std::string>& meta, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw Error("cannot write " + path);
  out << summary_to_json(summary, meta);
  if (!out) throw Error("error while writing " + path);
}

}  // namespace colosim::traces

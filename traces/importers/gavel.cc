// gavel: the tab-separated job traces of the Gavel simulator (stanford-futuredata/gavel), with
// durations from Gavel's throughput file. Mapping (docs/traces.md):
//  - line i (0-based) -> job id "i" (Gavel's job ids are row indices);
//  - job_type -> app, scale_factor -> gpus (gang), arrival_time -> submit (s);
//  - duration = total_steps / isolated throughput of (job_type, scale_factor) on the GPU type of
//    option gpu-type (default v100), from the first --with file (simulation_throughputs.json);
//    the throughput is for the whole job, so it is not multiplied by the GPU count;
//  - total_steps is kept as feature "total_steps";
//  - gpu_milli = 0 (not stated): Gavel hands a job scale_factor whole workers (GPUs), a whole
//    GPU each under the default GpuSharing::by_share; two jobs share a GPU only under its
//    space-sharing policies, a scheduler's choice that colosim leaves to the run
//    (GpuSharing::stack, e.g. for gandiva), not a property of the job.
// Both layouts are read: the old 7-field one (job_type, command, num_steps_arg, needs_data_dir,
// total_steps, arrival_time, scale_factor) of the MSR traces and the current 10-field one
// (job_type, command, working_directory, num_steps_arg, needs_data_dir, total_steps,
// scale_factor, priority_weight, SLO, arrival_time). Rows with scale_factor 0 are skipped and
// counted, as Gavel's old parser did. A job whose key is missing from the throughput file
// cannot be simulated (Gavel raises KeyError): an InputError, or skipped and counted with
// skip-missing=true.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {
namespace {

constexpr const char* kName = "gavel";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), 0, "", "cannot open file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// {gpu_type: {"('<job_type>', <scale_factor>)": {"null": isolated steps/s, ...}}}
google::protobuf::Struct read_throughputs(const std::filesystem::path& path) {
  google::protobuf::Struct root;
  auto status = google::protobuf::util::JsonStringToMessage(read_file(path), &root);
  if (!status.ok()) {
    std::string message(status.message());
    if (auto nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
    throw InputError(path.string(), 0, "", "not a JSON object: " + message);
  }
  return root;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

double number_field(const std::string& text, const std::string& file, std::int64_t line, const char* field) {
  if (auto x = parse_number(text)) return *x;
  throw InputError(file, line, field, "'" + text + "' is not a finite number");
}

ImportedTrace import_gavel(const ImportRequest& request) {
  if (request.extra.size() != 1)
    throw Error("importer 'gavel' needs the throughput file: --with simulation_throughputs.json");
  const std::string gpu_type = request.options.at("gpu-type");
  const bool skip_missing = option_flag(request, kName, "skip-missing");
  const std::string thr_file = request.extra[0].string();
  const google::protobuf::Struct throughputs = read_throughputs(request.extra[0]);
  auto gpu_it = throughputs.fields().find(gpu_type);
  if (gpu_it == throughputs.fields().end() || !gpu_it->second.has_struct_value())
    throw InputError(thr_file, 0, gpu_type, "no throughputs for GPU type '" + gpu_type + "'");
  const auto& table = gpu_it->second.struct_value().fields();

  ImportedTrace out;
  auto& header = out.header;
  header.set_schema_version(kSchemaVersion);
  header.set_source(std::string(kName) + ": " + request.input.filename().string() + " with " +
                    request.extra[0].filename().string() + " (" + gpu_type + ")");
  header.set_time_unit(v1::SECONDS);
  header.set_time_origin("trace start (Gavel arrival_time 0)");
  header.set_description("duration = total_steps / isolated " + gpu_type + " throughput of (job_type, scale_factor)");

  const std::string file = request.input.string();
  std::ifstream in(request.input);
  if (!in) throw InputError(file, 0, "", "cannot open file");
  std::string line;
  std::int64_t line_no = 0, row = 0, zero_scale = 0, missing = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto f = split_tabs(line);
    std::string job_type, steps_text, arrival_text, scale_text;
    if (f.size() == 7) {
      job_type = f[0], steps_text = f[4], arrival_text = f[5], scale_text = f[6];
    } else if (f.size() == 10) {
      job_type = f[0], steps_text = f[5], scale_text = f[6], arrival_text = f[9];
    } else {
      throw InputError(file, line_no, "",
                       "expected 7 tab-separated fields (job_type, command, num_steps_arg, needs_data_dir, "
                       "total_steps, arrival_time, scale_factor) or Gavel's current 10, found " +
                           std::to_string(f.size()));
    }
    const std::int64_t id = row++;
    const double steps = number_field(steps_text, file, line_no, "total_steps");
    const double arrival = number_field(arrival_text, file, line_no, "arrival_time");
    const double scale = number_field(scale_text, file, line_no, "scale_factor");
    if (steps <= 0) throw InputError(file, line_no, "total_steps", "must be positive");
    if (arrival < 0) throw InputError(file, line_no, "arrival_time", "negative");
    if (arrival > 2e9) throw InputError(file, line_no, "arrival_time", "too large");
    if (scale < 0 || scale != std::floor(scale) || scale > 100000)
      throw InputError(file, line_no, "scale_factor", "must be a non-negative integer");
    if (scale == 0) {
      ++zero_scale;
      continue;
    }
    if (job_type.empty()) throw InputError(file, line_no, "job_type", "empty");
    const std::string key = "('" + job_type + "', " + std::to_string(static_cast<int>(scale)) + ")";
    auto entry = table.find(key);
    const google::protobuf::Value* isolated = nullptr;
    if (entry != table.end() && entry->second.has_struct_value()) {
      auto null_it = entry->second.struct_value().fields().find("null");
      if (null_it != entry->second.struct_value().fields().end()) isolated = &null_it->second;
    }
    if (!isolated) {
      if (skip_missing) {
        ++missing;
        continue;
      }
      throw InputError(file, line_no, "job_type",
                       "no isolated " + gpu_type + " throughput for " + key + " in " + thr_file +
                           " (Gavel cannot run this job either; skip-missing=true skips such jobs)");
    }
    if (isolated->kind_case() != google::protobuf::Value::kNumberValue || !(isolated->number_value() > 0))
      throw InputError(thr_file, 0, key, "isolated throughput must be a positive number");
    const double seconds = steps / isolated->number_value();
    if (!(seconds < 2e9)) throw InputError(file, line_no, "total_steps", "duration too large");
    JobSpec job;
    job.id = std::to_string(id);
    job.app = job_type;
    job.gpus = static_cast<int>(scale);
    job.gpu_milli = 0;  // not stated: a whole GPU unless the run stacks jobs (GpuSharing::stack)
    job.submit = seconds_to_ticks(arrival);
    job.solo_duration = seconds_to_ticks(seconds);
    job.features["total_steps"] = steps;
    validate_job(job, file, line_no);
    out.jobs.push_back(std::move(job));
  }
  out.notes.push_back("jobs: " + std::to_string(out.jobs.size()) + " of " + std::to_string(row) + " rows");
  if (zero_scale) out.notes.push_back("skipped: " + std::to_string(zero_scale) + " rows with scale_factor 0");
  if (missing)
    out.notes.push_back("skipped: " + std::to_string(missing) + " jobs with no " + gpu_type +
                        " throughput for their (job_type, scale_factor) (skip-missing=true)");
  return out;
}

}  // namespace

void add_gavel_importer(ImporterRegistry& registry) {
  registry.add({kName,
                "Gavel simulator job trace (.trace, tab-separated), durations from Gavel's throughputs",
                {{"gpu-type", "v100", "GPU type whose isolated throughputs give the durations (k80, p100, v100)"},
                 {"skip-missing", "false", "skip (and count) jobs whose (job_type, scale_factor) has no throughput"}},
                [](const Params&, const ImportRequest& request) { return import_gavel(request); },
                "IN: <vc>.trace; --with: simulation_throughputs.json (required)"});
}

}  // namespace colosim::traces

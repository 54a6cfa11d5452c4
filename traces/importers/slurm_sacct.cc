// slurm-sacct: a Slurm cluster's accounting log, as
//   sacct --allocations --parsable2 --starttime=... --format=JobID,JobName,User,Account,Partition,
//     QOS,Submit,Start,End,State,AllocTRES,ReqTRES,NodeList
// prints it ('|'-separated, a header line first; columns are found by name, in any order;
// JobName, User, Account, Partition, QOS and ReqTRES/AllocTRES (one of them) are optional).
// Mapping (docs/validate.md):
//  - one allocation that holds GPUs -> one job; job steps ("1234.batch", "1234.0") are skipped
//    and counted (use --allocations); id = JobID; app = JobName; user (the queue) = the column the
//    option queue names (Account by default);
//  - GPUs = gres/gpu of AllocTRES (ReqTRES when nothing was allocated), the gang over all its
//    nodes; a typed request in ReqTRES (gres/gpu:a100=4) limits the GPU type; cpu -> cpu_milli,
//    mem -> host_memory_mib;
//  - submit = Submit; recorded start/end = Start/End, nodes = NodeList expanded
//    ("gpu[01-03,07]"), state = State's first word (CANCELLED by 123 -> CANCELLED);
//    duration = End - Start;
//  - a job still running at the log time (option log-time, default the latest time in the log)
//    runs until then (feature censored = 1); one that never started (Start Unknown/None) is
//    skipped and counted; allocations without GPUs are skipped and counted, or kept with
//    cpu-only=keep (gpus 0).
// Times have no zone (sacct prints local time): see parse_timestamp_us. The header's cluster is
// inferred from the nodes the jobs ran on (cluster_log.h).
#include <algorithm>
#include <cmath>
#include <map>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/cluster_log.h"
#include "colosim/traces/csv.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {
namespace {

constexpr const char* kName = "slurm-sacct";
constexpr std::size_t kMaxNodesPerJob = 100'000;

// Slurm's hostlist syntax: "gpu[01-03,07],login1" -> gpu01 gpu02 gpu03 gpu07 login1. Ranges
// keep the width of their first bound's zero padding; nested brackets are not Slurm syntax.
std::vector<std::string> expand_hostlist(const std::string& text, const CsvReader& csv, int column) {
  std::vector<std::string> hosts;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find_first_of("[,", pos);
    if (open == std::string::npos || text[open] == ',') {
      const std::size_t end = open == std::string::npos ? text.size() : open;
      if (end == pos) csv.fail(column, "empty host name in '" + text + "'");
      hosts.push_back(text.substr(pos, end - pos));
      pos = end + (open == std::string::npos ? 0 : 1);
      continue;
    }
    const std::size_t close = text.find(']', open);
    if (close == std::string::npos) csv.fail(column, "unclosed '[' in '" + text + "'");
    const std::string prefix = text.substr(pos, open - pos);
    std::size_t after = close + 1;
    const std::size_t suffix_end = std::min(text.find(',', after), text.size());
    const std::string suffix = text.substr(after, suffix_end - after);
    if (suffix.find_first_of("[]") != std::string::npos) csv.fail(column, "more than one '[...]' in a name in '" + text + "'");
    const std::string ranges = text.substr(open + 1, close - open - 1);
    std::size_t r = 0;
    while (r <= ranges.size()) {
      const std::size_t comma = std::min(ranges.find(',', r), ranges.size());
      const std::string range = ranges.substr(r, comma - r);
      const std::size_t dash = range.find('-');
      const std::string low_text = range.substr(0, dash);
      const auto low = parse_integer(low_text);
      const auto high = dash == std::string::npos ? low : parse_integer(range.substr(dash + 1));
      if (low_text.empty() || !low || !high || *low < 0 || *high < *low || low_text[0] == '+' || low_text[0] == '-')
        csv.fail(column, "bad range '" + range + "' in '" + text + "'");
      if (hosts.size() + static_cast<std::size_t>(*high - *low) >= kMaxNodesPerJob)
        csv.fail(column, "more than " + std::to_string(kMaxNodesPerJob) + " nodes in '" + text + "'");
      for (std::int64_t i = *low; i <= *high; ++i) {
        std::string digits = std::to_string(i);
        if (digits.size() < low_text.size()) digits.insert(0, low_text.size() - digits.size(), '0');
        hosts.push_back(prefix + digits + suffix);
      }
      r = comma + 1;
    }
    pos = suffix_end + 1;
  }
  return hosts;
}

// "billing=8,cpu=8,gres/gpu=2,gres/gpu:a100=2,mem=64G,node=1" -> key -> value.
std::map<std::string, std::string> parse_tres(const std::string& text, const CsvReader& csv, int column) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) csv.fail(column, "'" + item + "' is not name=value");
    out[item.substr(0, eq)] = item.substr(eq + 1);
    pos = comma + 1;
  }
  return out;
}

std::int64_t tres_count(const std::string& value, const CsvReader& csv, int column, const std::string& key) {
  const auto n = parse_integer(value);
  if (!n || *n < 0 || *n > 1'000'000'000) csv.fail(column, key + "=" + value + " is not a count");
  return *n;
}

// mem=64G (K, M, G, T, P: powers of 1024; no suffix: MiB, as Slurm counts) -> MiB, rounded up.
std::int64_t tres_memory_mib(const std::string& value, const CsvReader& csv, int column) {
  static const std::map<char, double> scale = {{'K', 1.0 / 1024}, {'M', 1}, {'G', 1024}, {'T', 1048576}, {'P', 1073741824}};
  std::string number = value;
  double unit = 1;
  if (!number.empty() && scale.count(number.back())) {
    unit = scale.at(number.back());
    number.pop_back();
  }
  const auto v = parse_number(number);
  if (!v || *v < 0 || *v * unit > 1e15) csv.fail(column, "mem=" + value + " is not an amount of memory");
  return static_cast<std::int64_t>(std::ceil(*v * unit - 1e-9));
}

std::optional<std::int64_t> sacct_time(const CsvReader& csv, int column) {
  const std::string& text = csv.text(column);
  if (text.empty() || text == "Unknown" || text == "None") return std::nullopt;
  auto us = parse_timestamp_us(text);
  if (!us) csv.fail(column, "'" + text + "' is not a time (2026-01-05T10:00:00)");
  return us;
}

ImportedTrace import_sacct(const ImportRequest& request) {
  if (!request.extra.empty()) throw Error("importer 'slurm-sacct' takes no --with file");
  const std::string& queue_option = request.options.at("queue");
  static const std::map<std::string, std::string> queue_columns = {
      {"account", "Account"}, {"partition", "Partition"}, {"user", "User"}, {"qos", "QOS"}};
  if (!queue_columns.count(queue_option)) throw Error("importer 'slurm-sacct': option queue must be account, partition, user or qos");
  if (request.options.at("cpu-only") != "skip" && request.options.at("cpu-only") != "keep")
    throw Error("importer 'slurm-sacct': option cpu-only must be skip or keep");
  const bool keep_cpu_only = request.options.at("cpu-only") == "keep";

  const std::string file = request.input.string();
  CsvReader csv(file, '|');
  const int id = csv.column("JobID"), submit = csv.column("Submit"), start = csv.column("Start"), end = csv.column("End"),
            state = csv.column("State"), nodes = csv.column("NodeList");
  const auto name = csv.find_column("JobName"), queue = csv.find_column(queue_columns.at(queue_option));
  const auto alloc = csv.find_column("AllocTRES"), req = csv.find_column("ReqTRES");
  if (!alloc && !req) throw InputError(file, 1, "AllocTRES", "missing column: sacct --format needs AllocTRES or ReqTRES");

  std::vector<LoggedJob> logged;
  std::int64_t steps = 0, never_started = 0, cpu_only = 0, running = 0, latest = 0;
  while (csv.next()) {
    const std::string& job_id = csv.text(id);
    if (job_id.empty()) csv.fail(id, "empty");
    if (job_id.find('.') != std::string::npos) {
      ++steps;
      continue;
    }
    std::map<std::string, std::string> tres;
    int tres_column = alloc ? *alloc : *req;
    if (alloc) tres = parse_tres(csv.text(*alloc), csv, *alloc);
    if (tres.empty() && req) tres = parse_tres(csv.text(*req), csv, tres_column = *req);
    std::int64_t gpus = 0;
    if (auto it = tres.find("gres/gpu"); it != tres.end()) {
      gpus = tres_count(it->second, csv, tres_column, it->first);
    } else {
      for (const auto& [key, value] : tres)
        if (key.rfind("gres/gpu:", 0) == 0) gpus += tres_count(value, csv, tres_column, key);
    }
    if (gpus == 0 && !keep_cpu_only) {
      ++cpu_only;
      continue;
    }
    LoggedJob entry;
    JobSpec& job = entry.spec;
    job.id = job_id;
    job.app = name && !csv.text(*name).empty() ? csv.text(*name) : "job";
    if (queue) job.user = csv.text(*queue);
    job.gpus = static_cast<int>(gpus);
    if (auto it = tres.find("cpu"); it != tres.end())
      job.features[kCpuMilliFeature] = static_cast<double>(tres_count(it->second, csv, tres_column, "cpu") * 1000);
    if (auto it = tres.find("mem"); it != tres.end())
      job.features[kHostMemoryFeature] = static_cast<double>(tres_memory_mib(it->second, csv, tres_column));
    if (req && gpus > 0)
      for (const auto& [key, value] : parse_tres(csv.text(*req), csv, *req))
        if (key.rfind("gres/gpu:", 0) == 0) job.gpu_types.push_back(key.substr(9));
    const auto submitted = sacct_time(csv, submit);
    if (!submitted) csv.fail(submit, "missing");
    job.submit = *submitted;
    const auto started = sacct_time(csv, start), ended = sacct_time(csv, end);
    for (auto t : {submitted, started, ended})
      if (t) latest = std::max(latest, *t);
    if (!started) {
      ++never_started;
      continue;
    }
    if (*started < *submitted) csv.fail(start, "before Submit");
    if (ended && *ended < *started) csv.fail(end, "before Start");
    RecordedRun& run = job.recorded.emplace();
    run.start = started;
    run.end = ended;
    const std::string& node_list = csv.text(nodes);
    if (!node_list.empty() && node_list != "None assigned") run.nodes = expand_hostlist(node_list, csv, nodes);
    const std::string& state_text = csv.text(state);
    run.state = state_text.substr(0, state_text.find(' '));
    if (ended) {
      job.solo_duration = *ended - *started;
    } else {
      entry.running = true;
      ++running;
    }
    logged.push_back(std::move(entry));  // checked by the registry once its times count from the origin
  }
  ImportedTrace out;
  auto& header = out.header;
  const std::int64_t log_time = log_time_of(logged, latest, request.options.at("log-time"), kName);
  out.jobs = jobs_from_log(std::move(logged), log_time, std::string(kName) + ": " + request.input.filename().string(), header);
  if (!out.jobs.empty())
    *header.mutable_cluster() = infer_cluster(out.jobs, "slurm " + request.input.filename().string() + " (inferred)",
                                              request.options.at("gpu-type"),
                                              static_cast<std::int64_t>(option_number(request, kName, "gpu-memory-mib")));
  out.notes.push_back("jobs: " + std::to_string(out.jobs.size()) + ", of which " + std::to_string(running) +
                      " still running at the log time (run time censored there)");
  if (steps) out.notes.push_back("skipped " + std::to_string(steps) + " job steps (sacct --allocations lists none)");
  if (never_started) out.notes.push_back("skipped " + std::to_string(never_started) + " jobs that never started");
  if (cpu_only) out.notes.push_back("skipped " + std::to_string(cpu_only) + " allocations without GPUs (cpu-only=keep keeps them)");
  out.notes.push_back("cluster inferred from the nodes the jobs ran on");
  return out;
}

}  // namespace

void add_slurm_sacct_importer(ImporterRegistry& registry) {
  registry.add({kName,
                "Slurm accounting: sacct --parsable2 --allocations (JobID, Submit, Start, End, State, AllocTRES, NodeList, ...)",
                {{"queue", "account", "column that names the job's queue: account, partition, user or qos"},
                 {"gpu-type", kLogGpuType, "GPU type of the inferred cluster"},
                 {"gpu-memory-mib", std::to_string(kLogGpuMemoryMib), "GPU memory of the inferred cluster's GPUs"},
                 {"cpu-only", "skip", "allocations without GPUs: skip or keep (as CPU-only jobs)"},
                 {"log-time", "", "when the log was taken (2026-01-05T10:00:00); empty: the latest time in it"}},
                [](const Params&, const ImportRequest& request) { return import_sacct(request); },
                "IN: sacct --parsable2 output with a header line"});
}

}  // namespace colosim::traces

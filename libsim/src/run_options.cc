#include "colosim/run_options.h"

#include <cmath>
#include <limits>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/number_text.h"

namespace colosim {
namespace {

[[noreturn]] void bad_value(const std::string& key, const std::string& value, const std::string& expected) {
  throw Error("option " + key + ": expected " + expected + ", got '" + value + "'");
}

std::int64_t integer_in(const std::string& key, const std::string& value, std::int64_t low, std::int64_t high) {
  const auto x = parse_integer(value);
  if (!x || *x < low || *x > high)
    bad_value(key, value, "a whole number from " + std::to_string(low) + " to " + std::to_string(high));
  return *x;
}

double real_in(const std::string& key, const std::string& value, double low, double high, const std::string& expected) {
  const auto x = parse_number(value);
  if (!x || *x < low || *x > high) bad_value(key, value, expected);
  return *x;
}

bool flag(const std::string& key, const std::string& value) {
  if (const auto x = parse_flag(value)) return *x;
  bad_value(key, value, "true or false");
}

// The largest delay whose tick count still fits comfortably in a Tick (about 290,000 years).
constexpr double kMaxSeconds = 9.0e12;

std::vector<OptionDef> make_table() {
  std::vector<OptionDef> t;
  t.push_back({"discipline", "queue discipline: fifo (strict: a job that cannot start blocks those behind it in queue order) or backfill (any pending job that fits may start)",
               OptionType::text, {"fifo", "backfill"}, false,
               [](const RunOptions& o) { return std::string(to_string(o.sim.discipline)); },
               [](RunOptions& o, const std::string& v) { o.sim.discipline = parse_discipline(v); }});
  t.push_back({"queue_order",
               "order in which pending jobs are offered and by which preempting policies rank jobs: fifo (arrival), "
               "priority, sjf, srtf, las[:quantum=S], 2d-las[:thresholds=S/S...] or gittins[:service=S/S...] (`colosim policies` lists them); "
               "ties in arrival order; unset: the policy's own (2d-las for tiresias, priority for priority-preemption, "
               "fifo otherwise)",
               OptionType::text, {}, true,
               [](const RunOptions& o) { return o.sim.queue_order.spec; },
               [](RunOptions& o, const std::string& v) { o.sim.queue_order = v.empty() ? QueueOrderChoice{} : QueueOrderChoice::parse(v); }});
  t.push_back({"memory", "GPU memory: enforce, overcommit (over-committed jobs fail out of memory) or ignore",
               OptionType::text, {"enforce", "overcommit", "ignore"}, false,
               [](const RunOptions& o) { return std::string(to_string(o.sim.memory)); },
               [](RunOptions& o, const std::string& v) { o.sim.memory = parse_memory_mode(v); }});
  t.push_back({"node_resources",
               "node CPU and host memory (the cluster's cpu_milli and memory_mib per node, the jobs' cpu_milli and "
               "host_memory_mib): enforce (placements must fit them, as Kubernetes' NodeResourcesFit) or ignore",
               OptionType::text, {"enforce", "ignore"}, false,
               [](const RunOptions& o) { return std::string(to_string(o.sim.node_resources)); },
               [](RunOptions& o, const std::string& v) { o.sim.node_resources = parse_node_resources(v); }});
  t.push_back({"fragmentation",
               "none, or trace: measure GPU fragmentation (the FGD paper's metric, summary fragmentation_ratio_mean) against "
               "the typical shapes of the run's whole trace, read once more before the run; fgd then uses them too",
               OptionType::text, {"none", "trace"}, false,
               [](const RunOptions& o) { return std::string(o.fragmentation_from_trace ? "trace" : "none"); },
               [](RunOptions& o, const std::string& v) {
                 if (v != "none" && v != "trace") throw Error("fragmentation must be none or trace, got '" + v + "'");
                 o.fragmentation_from_trace = v == "trace";
               }});
  t.push_back({"queues",
               "a queue tree file (.textproto, .json or .pb; docs/queues.md): guaranteed quotas, limits, weights, "
               "borrowing and reclaim between the queues that jobs name in their user field; unset: one queue",
               OptionType::text, {}, true,
               [](const RunOptions& o) { return o.queues_file; },
               [](RunOptions& o, const std::string& v) {
                 o.queues_file = v;
                 if (v.empty()) o.sim.queues = {};
               }});
  t.push_back({"gpu_sharing",
               "jobs that state no GPU share (gpu_milli 0): by-share (each takes a whole GPU) or stack (they stack on a GPU, "
               "limited by memory only, as the seed paper ran them); stated shares limit in both",
               OptionType::text, {"by-share", "stack"}, false,
               [](const RunOptions& o) { return std::string(to_string(o.sim.sharing)); },
               [](RunOptions& o, const std::string& v) { o.sim.sharing = parse_gpu_sharing(v); }});
  t.push_back({"backfill_depth", "pending jobs looked at per scheduling pass (0: all), like Slurm's bf_max_job_test",
               OptionType::integer, {}, false,
               [](const RunOptions& o) { return std::to_string(o.sim.backfill_depth); },
               [](RunOptions& o, const std::string& v) {
                 o.sim.backfill_depth = static_cast<int>(integer_in("backfill_depth", v, 0, std::numeric_limits<int>::max()));
               }});
  t.push_back({"max_oom_retries", "requeues after an out-of-memory failure before the job is failed", OptionType::integer, {}, false,
               [](const RunOptions& o) { return std::to_string(o.sim.max_oom_retries); },
               [](RunOptions& o, const std::string& v) {
                 o.sim.max_oom_retries = static_cast<int>(integer_in("max_oom_retries", v, 0, 1'000'000));
               }});
  t.push_back({"oom_delay_s", "seconds an over-committed job runs before it fails out of memory", OptionType::real, {}, false,
               [](const RunOptions& o) { return shortest_text(ticks_to_seconds(o.sim.oom_delay)); },
               [](RunOptions& o, const std::string& v) {
                 o.sim.oom_delay = seconds_to_ticks(real_in("oom_delay_s", v, 0, kMaxSeconds, "seconds from 0 to 9e12"));
               }});
  t.push_back({"interference_noise",
               "run jobs at slowdowns sampled from the calibrated model's held-out error under the seed; policies "
               "still see its predictions",
               OptionType::boolean, {"true", "false"}, false,
               [](const RunOptions& o) { return std::string(o.sim.interference_noise ? "true" : "false"); },
               [](RunOptions& o, const std::string& v) { o.sim.interference_noise = flag("interference_noise", v); }});
  t.push_back({"interference_fallback",
               "what the interference model may guess outside its data: none (an unknown application or GPU type is "
               "an error), apps (from the job's features), gpu-types (mean over the model's types) or all",
               OptionType::text, {"none", "apps", "gpu-types", "all"}, false,
               [](const RunOptions& o) { return to_string(o.sim.fallback); },
               [](RunOptions& o, const std::string& v) { o.sim.fallback = parse_model_fallback(v); }});
  t.push_back({"allow_multi_node", "gangs larger than any node may span whole nodes", OptionType::boolean, {"true", "false"}, false,
               [](const RunOptions& o) { return std::string(o.sim.allow_multi_node ? "true" : "false"); },
               [](RunOptions& o, const std::string& v) { o.sim.allow_multi_node = flag("allow_multi_node", v); }});
  auto seconds_option = [&t](const char* key, const char* help, Tick PreemptionCost::*field, Tick PreemptionCost::Delays::*delay) {
    t.push_back({key, help, OptionType::real, {}, false,
                 [=](const RunOptions& o) {
                   return shortest_text(ticks_to_seconds(field ? o.sim.preemption.*field : o.sim.preemption.delays.*delay));
                 },
                 [=](RunOptions& o, const std::string& v) {
                   const Tick ticks = seconds_to_ticks(real_in(key, v, 0, kMaxSeconds, "seconds from 0 to 9e12"));
                   (field ? o.sim.preemption.*field : o.sim.preemption.delays.*delay) = ticks;
                 }});
  };
  seconds_option("suspend_delay_s", "seconds a preempted job holds its GPUs while it checkpoints, making no progress",
                 nullptr, &PreemptionCost::Delays::suspend);
  seconds_option("resume_delay_s", "seconds a resumed job spends restoring its checkpoint before it makes progress",
                 nullptr, &PreemptionCost::Delays::resume);
  seconds_option("checkpoint_interval_s",
                 "solo-work seconds between a job's periodic checkpoints; work since the last one is lost on preemption "
                 "(0: the suspend checkpoints, nothing is lost)",
                 &PreemptionCost::checkpoint_interval, nullptr);
  t.push_back({"per_app_preemption_delays", "per-application suspend/resume delays overriding the two above: app=SUSPEND/RESUME,... (seconds)",
               OptionType::text, {}, true,
               [](const RunOptions& o) { return PreemptionCost::per_app_text(o.sim.preemption.per_app); },
               [](RunOptions& o, const std::string& v) { o.sim.preemption.per_app = PreemptionCost::parse_per_app(v); }});
  t.push_back({"round_s",
               "round-based scheduling: passes only every this many seconds, where the policy re-decides and may move "
               "running jobs (0: the policy's own, 360 for gavel, event-driven for the others)",
               OptionType::real, {}, false,
               [](const RunOptions& o) { return shortest_text(ticks_to_seconds(o.sim.round)); },
               [](RunOptions& o, const std::string& v) {
                 o.sim.round = seconds_to_ticks(real_in("round_s", v, 0, kMaxSeconds, "seconds from 0 to 9e12"));
               }});
  t.push_back({"stop_at_s",
               "simulated time ends here: jobs still running are reported unfinished, the others never started (0: the "
               "horizon, about 73,000 years)",
               OptionType::real, {}, false,
               [](const RunOptions& o) { return shortest_text(o.sim.stop_at >= kHorizon ? 0.0 : ticks_to_seconds(o.sim.stop_at)); },
               [](RunOptions& o, const std::string& v) {
                 const double s = real_in("stop_at_s", v, 0, kMaxSeconds, "seconds from 0 to 9e12");
                 o.sim.stop_at = s == 0 ? kHorizon : seconds_to_ticks(s);
               }});
  t.push_back({"gpu_execution",
               "how the jobs sharing a GPU run at the start: concurrent (together, slowed by interference) or time-sliced "
               "(taking turns of time_slice_s with context_switch_s between turns); a policy may switch GPUs (gandiva)",
               OptionType::text, {"concurrent", "time-sliced"}, false,
               [](const RunOptions& o) { return std::string(o.sim.time_slicing.every_gpu ? "time-sliced" : "concurrent"); },
               [](RunOptions& o, const std::string& v) {
                 if (v != "concurrent" && v != "time-sliced") bad_value("gpu_execution", v, "concurrent or time-sliced");
                 o.sim.time_slicing.every_gpu = v == "time-sliced";
               }});
  auto slice_option = [&t](const char* key, const char* help, Tick TimeSlicing::*field, double low) {
    t.push_back({key, help, OptionType::real, {}, false,
                 [=](const RunOptions& o) { return shortest_text(ticks_to_seconds(o.sim.time_slicing.*field)); },
                 [=](RunOptions& o, const std::string& v) {
                   const double seconds = real_in(key, v, low, kMaxSeconds, low > 0 ? "seconds above 0, up to 9e12" : "seconds from 0 to 9e12");
                   const Tick ticks = seconds_to_ticks(seconds);
                   if (low > 0 && ticks <= 0) bad_value(key, v, "at least one microsecond");
                   o.sim.time_slicing.*field = ticks;
                 }});
  };
  slice_option("time_slice_s", "seconds of one turn on a time-sliced GPU (Gandiva's quantum: 60)", &TimeSlicing::quantum, 1e-300);
  slice_option("context_switch_s", "seconds lost between two turns on a time-sliced GPU", &TimeSlicing::context_switch, 0);
  t.push_back({"composition", "how pair slowdowns combine for 3+ jobs on a GPU (pair tables): multiplicative or additive",
               OptionType::text, {"multiplicative", "additive"}, false,
               [](const RunOptions& o) { return std::string(to_string(o.pairs.composition)); },
               [](RunOptions& o, const std::string& v) { o.pairs.composition = parse_composition(v); }});
  t.push_back({"unknown_pair_slowdown", "slowdown of a pair missing from the pair table (unset: such a pair is an error)",
               OptionType::real, {}, true,
               [](const RunOptions& o) { return o.pairs.unknown_pair_slowdown ? shortest_text(*o.pairs.unknown_pair_slowdown) : std::string(); },
               [](RunOptions& o, const std::string& v) {
                 if (v.empty()) {
                   o.pairs.unknown_pair_slowdown.reset();
                   return;
                 }
                 const double x = real_in("unknown_pair_slowdown", v, 0, 1e9, "a positive slowdown");
                 if (!(x > 0)) bad_value("unknown_pair_slowdown", v, "a positive slowdown");
                 o.pairs.unknown_pair_slowdown = x;
               }});
  return t;
}

std::string normalise(std::string_view key) {
  std::string k(key);
  while (k.starts_with("-")) k.erase(0, 1);
  for (char& c : k)
    if (c == '-') c = '_';
  return k;
}

}  // namespace

std::string OptionDef::cli_flag() const {
  std::string flag = "--" + key;
  for (char& c : flag)
    if (c == '_') c = '-';
  return flag;
}

const std::vector<OptionDef>& run_option_table() {
  static const std::vector<OptionDef> table = make_table();  // constant data, built once
  return table;
}

const OptionDef* find_run_option(std::string_view key) {
  const std::string k = normalise(key);
  for (const OptionDef& d : run_option_table())
    if (d.key == k) return &d;
  return nullptr;
}

void set_run_option(RunOptions& options, std::string_view key, const std::string& value) {
  const OptionDef* def = find_run_option(key);
  if (!def) {
    std::string known;
    for (const OptionDef& d : run_option_table()) known += (known.empty() ? "" : ", ") + d.key;
    throw Error("unknown option '" + std::string(key) + "' (options: " + known + ")");
  }
  try {
    def->set(options, value);
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.find(def->key) != std::string::npos) throw;
    throw Error("option " + def->key + ": " + what);
  }
}

std::vector<std::pair<std::string, std::string>> run_option_values(const RunOptions& options) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const OptionDef& d : run_option_table()) out.emplace_back(d.key, d.get(options));
  return out;
}

}  // namespace colosim

// run(): one simulation with the GIL released, and its results (per-job records, summary, time
// series) in forms that NumPy and pandas take without copying row by row in Python.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "colosim/simulator.h"
#include "colosim/traces/results_io.h"
#include "colosim/traces/trace_reader.h"

#include "python_policy.h"

namespace colosim::py_bindings {
namespace {

// The state after each instant (it holds until the next one): what the time-series plots show.
class TimeSeriesCollector final : public SimObserver {
 public:
  void on_instant(Tick now, const ClusterView& cluster, std::size_t queued, std::size_t running) override {
    time.push_back(now);
    busy_gpus.push_back(cluster.busy_gpu_count());
    used_mib.push_back(cluster.total_used_mib());
    this->queued.push_back(static_cast<std::int64_t>(queued));
    this->running.push_back(static_cast<std::int64_t>(running));
  }
  std::vector<Tick> time;
  std::vector<std::int64_t> busy_gpus, used_mib, queued, running;
};

// Jobs of a Trace without copying them; the Trace object outlives the run (run() holds it).
class SpanJobSource final : public JobSource {
 public:
  SpanJobSource(const std::vector<JobSpec>& jobs, std::string name) : jobs_(jobs), name_(std::move(name)) {}
  std::optional<JobSpec> next() override {
    if (pos_ == jobs_.size()) return std::nullopt;
    return jobs_[pos_++];
  }
  std::string name() const override { return name_; }

 private:
  const std::vector<JobSpec>& jobs_;
  std::string name_;
  std::size_t pos_ = 0;
};

struct PyRunResult {
  std::vector<JobRecord> jobs;
  Summary summary;
  RunStats stats;
  TimeSeriesCollector series;
  std::string policy;
  int gpus = 0;
  std::int64_t capacity_mib = 0;
};

double seconds_or_nan(Tick t) { return t < 0 ? std::nan("") : ticks_to_seconds(t); }

// jobs.csv prints the slowdown with 6 decimals; the DataFrame carries the same value.
double as_printed(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", x);
  return std::strtod(buf, nullptr);
}

template <class T>
py::array_t<T> array_of(const std::vector<T>& v) {
  py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

py::dict jobs_columns(const PyRunResult& r) {
  const auto n = static_cast<py::ssize_t>(r.jobs.size());
  py::list id(n), app(n), outcome(n), gpu_list(n), note(n);
  py::array_t<double> submit(n), start(n), end(n), delay(n), jct(n), slowdown(n);
  py::array_t<std::int64_t> gpus(n), retries(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    const JobRecord& j = r.jobs[static_cast<std::size_t>(i)];
    const bool done = j.outcome == JobOutcome::finished;
    id[i] = j.id;
    app[i] = j.app;
    submit.mutable_at(i) = seconds_or_nan(j.submit);
    start.mutable_at(i) = seconds_or_nan(j.start);
    end.mutable_at(i) = seconds_or_nan(j.end);
    gpus.mutable_at(i) = j.gpus;
    delay.mutable_at(i) = j.start >= 0 ? seconds_or_nan(j.queueing_delay()) : std::nan("");
    jct.mutable_at(i) = done ? seconds_or_nan(j.jct()) : std::nan("");
    slowdown.mutable_at(i) = done ? as_printed(j.slowdown()) : std::nan("");
    retries.mutable_at(i) = j.oom_retries;
    outcome[i] = to_string(j.outcome);
    std::string list;
    for (GpuIndex g : j.gpu_list) list += (list.empty() ? "" : "|") + std::to_string(g);
    gpu_list[i] = list;
    note[i] = j.note;
  }
  py::dict out;  // the column order of jobs.csv
  out["id"] = id;
  out["app"] = app;
  out["submit_s"] = submit;
  out["start_s"] = start;
  out["end_s"] = end;
  out["gpus"] = gpus;
  out["queueing_delay_s"] = delay;
  out["jct_s"] = jct;
  out["slowdown"] = slowdown;
  out["oom_retries"] = retries;
  out["outcome"] = outcome;
  out["gpu_list"] = gpu_list;
  out["note"] = note;
  return out;
}

py::dict summary_dict(const Summary& s) {
  py::dict d;
  d["jobs"] = s.jobs;
  d["finished"] = s.finished;
  d["makespan_s"] = s.makespan_s;
  d["jct_mean_s"] = s.jct_mean_s;
  d["jct_p50_s"] = s.jct_p50_s;
  d["jct_p95_s"] = s.jct_p95_s;
  d["jct_p99_s"] = s.jct_p99_s;
  d["queueing_delay_mean_s"] = s.queueing_delay_mean_s;
  d["slowdown_mean"] = s.slowdown_mean;
  d["slowdown_p95"] = s.slowdown_p95;
  d["gpu_time_utilisation"] = s.gpu_time_utilisation;
  d["memory_utilisation"] = s.memory_utilisation;
  d["oom_events"] = s.oom_events;
  d["oom_failed"] = s.oom_failed;
  d["unschedulable"] = s.unschedulable;
  d["never_started"] = s.never_started;
  return d;
}

py::dict series_dict(const PyRunResult& r) {
  const auto& s = r.series;
  const auto n = static_cast<py::ssize_t>(s.time.size());
  py::array_t<double> time(n), util(n), mem(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    time.mutable_at(i) = ticks_to_seconds(s.time[k]);
    util.mutable_at(i) = r.gpus > 0 ? static_cast<double>(s.busy_gpus[k]) / r.gpus : 0.0;
    mem.mutable_at(i) = r.capacity_mib > 0 ? static_cast<double>(s.used_mib[k]) / static_cast<double>(r.capacity_mib) : 0.0;
  }
  py::dict d;
  d["time_s"] = time;
  d["busy_gpus"] = array_of(s.busy_gpus);
  d["gpu_utilisation"] = util;
  d["used_mib"] = array_of(s.used_mib);
  d["memory_utilisation"] = mem;
  d["queued"] = array_of(s.queued);
  d["running"] = array_of(s.running);
  return d;
}

PyRunResult run(const ClusterSpec& cluster, const py::object& trace, const Interference& interference,
                const py::object& policy, std::uint64_t seed, const std::string& discipline, const std::string& memory,
                std::optional<int> max_oom_retries, std::optional<double> oom_delay_s, std::optional<int> backfill_depth,
                bool allow_multi_node, bool time_series) {
  SimConfig config;  // what is not given keeps the library's default, as in the CLI
  config.seed = seed;
  config.discipline = parse_discipline(discipline);
  config.memory = parse_memory_mode(memory);
  if (max_oom_retries) {
    if (*max_oom_retries < 0) throw Error("max_oom_retries must be >= 0");
    config.max_oom_retries = *max_oom_retries;
  }
  if (oom_delay_s) {
    if (!(*oom_delay_s >= 0 && *oom_delay_s < 9.0e12)) throw Error("oom_delay_s must be >= 0 seconds");
    config.oom_delay = seconds_to_ticks(*oom_delay_s);
  }
  if (backfill_depth) {
    if (*backfill_depth < 0) throw Error("backfill_depth must be >= 0 (0: all)");
    config.backfill_depth = *backfill_depth;
  }
  config.allow_multi_node = allow_multi_node;

  PolicyHandle handle;
  if (py::isinstance<PolicyHandle>(policy)) {
    handle = policy.cast<PolicyHandle>();
  } else if (py::isinstance<PythonPolicy>(policy)) {
    handle = hold_python_policy(policy, python_policy_name(policy));
  } else {
    throw py::type_error("policy must be a colosim.Policy instance or a PolicyHandle (colosim.run() also takes a name)");
  }
  // A policy instance keeps state between passes: two runs must not share one.
  std::atomic<bool>& busy = handle.python ? handle.python->in_use : *handle.busy;
  bool expected = false;
  if (!busy.compare_exchange_strong(expected, true))
    throw Error("policy '" + handle.name + "' is already in use by another run: give each run its own instance");
  struct Release {
    std::atomic<bool>& busy;
    ~Release() { busy = false; }
  } release_policy{busy};

  const Trace* in_memory = nullptr;
  std::string path;
  if (py::isinstance<Trace>(trace)) in_memory = &trace.cast<const Trace&>();
  else if (py::isinstance<py::str>(trace)) path = trace.cast<std::string>();
  else throw py::type_error("trace must be a colosim.Trace or a path");

  PyRunResult result;
  result.policy = handle.name;
  result.gpus = cluster.total_gpus();
  for (const auto& n : cluster.nodes)
    if (const GpuType* t = cluster.find_gpu_type(n.gpu_type)) result.capacity_mib += t->memory_mib * n.gpus;
  const auto model = interference.model;  // kept alive for the run
  try {
    py::gil_scoped_release release;
    std::unique_ptr<JobSource> source;
    if (in_memory) source = std::make_unique<SpanJobSource>(in_memory->jobs, in_memory->name);
    else source = traces::open_trace(path);
    Simulator sim(cluster, *model, *handle.policy, config);
    MetricsCollector metrics;
    RecordCollector records;
    sim.add_observer(metrics);
    sim.add_observer(records);
    if (time_series) sim.add_observer(result.series);
    result.stats = sim.run(*source);
    result.summary = metrics.summary();
    result.jobs = std::move(records.records);
  } catch (const PythonPolicyFailure& f) {
    restore_policy_failure(f);
    throw py::error_already_set();
  }
  return result;
}

}  // namespace

void bind_run(py::module_& m) {
  py::class_<PyRunResult>(m, "RunResult", "What one run produced; colosim.run() wraps it in colosim.Result.")
      .def_readonly("policy", &PyRunResult::policy)
      .def_readonly("gpus", &PyRunResult::gpus)
      .def("jobs_columns", &jobs_columns, "per-job records as columns, exactly as in the CLI's jobs.csv")
      .def_property_readonly("summary", [](const PyRunResult& r) { return summary_dict(r.summary); })
      .def_property_readonly("stats",
                             [](const PyRunResult& r) {
                               return py::dict(py::arg("events") = r.stats.events, py::arg("passes") = r.stats.passes,
                                               py::arg("rate_updates") = r.stats.rate_updates,
                                               py::arg("warnings") = r.stats.warnings);
                             })
      .def("time_series", &series_dict,
           "state after each instant (holds until the next): time_s, busy_gpus, gpu_utilisation, used_mib, "
           "memory_utilisation, queued, running")
      .def(
          "write_jobs_csv",
          [](const PyRunResult& r, const std::string& path) {
            std::ofstream out(path);
            if (!out) throw Error("cannot write " + path);
            out << traces::kJobsCsvHeader << '\n';
            for (const auto& j : r.jobs) out << traces::format_job_row(j) << '\n';
            out.flush();
            if (!out) throw Error("error while writing " + path);
          },
          py::arg("path"), "writes jobs.csv exactly as `colosim run --out` does")
      .def("summary_json",
           [](const PyRunResult& r, const std::map<std::string, std::string>& meta) {
             return traces::summary_to_json(r.summary, meta);
           },
           py::arg("meta") = std::map<std::string, std::string>{},
           "summary.json as `colosim run --out` writes it, with `meta` as its run object")
      .def("__len__", [](const PyRunResult& r) { return r.jobs.size(); });

  const SimConfig defaults;
  m.attr("DEFAULT_CONFIG") = py::dict(
      py::arg("seed") = defaults.seed, py::arg("discipline") = to_string(defaults.discipline),
      py::arg("memory") = to_string(defaults.memory), py::arg("max_oom_retries") = defaults.max_oom_retries,
      py::arg("oom_delay_s") = ticks_to_seconds(defaults.oom_delay), py::arg("backfill_depth") = defaults.backfill_depth,
      py::arg("allow_multi_node") = defaults.allow_multi_node);
  m.def("run", &run, py::arg("cluster"), py::arg("trace"), py::arg("interference"), py::arg("policy"),
        py::arg("seed") = 1, py::arg("discipline") = "backfill", py::arg("memory") = "enforce",
        py::arg("max_oom_retries") = py::none(), py::arg("oom_delay_s") = py::none(),
        py::arg("backfill_depth") = py::none(),
        py::arg("allow_multi_node") = true, py::arg("time_series") = true,
        "The compiled run(); use colosim.run(), which takes names, files and DataFrames too. Releases the GIL.");
}

}  // namespace colosim::py_bindings

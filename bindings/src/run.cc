// run(): one simulation with the GIL released, and its results (per-job records, summary, time
// series) in forms that NumPy and pandas take without copying row by row in Python.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdio>
#include <cstdlib>

#include "colosim/traces/queue_tree_io.h"
#include "colosim/experiments/validation.h"
#include "colosim/job_columns.h"
#include "colosim/metric_table.h"
#include "colosim/run_options.h"
#include "colosim/simulator.h"
#include "colosim/traces/inputs.h"
#include "colosim/traces/results_io.h"

#include "python_policy.h"
#include "signal_check.h"

namespace colosim::py_bindings {
namespace {

// The state after each instant (it holds until the next one): what the time-series plots show.
// Added after the run's MetricsCollector, whose fragmentation it reads (NaN when not measured).
class TimeSeriesCollector final : public SimObserver {
 public:
  void on_instant(Tick now, const ClusterView& cluster, std::size_t queued, std::size_t running) override {
    time.push_back(now);
    busy_gpus.push_back(cluster.busy_gpu_count());
    used_mib.push_back(cluster.total_used_mib());
    this->queued.push_back(static_cast<std::int64_t>(queued));
    this->running.push_back(static_cast<std::int64_t>(running));
    const FragmentationTracker* tracker = metrics ? metrics->fragmentation() : nullptr;
    fragmentation.push_back(tracker ? tracker->ratio() : std::nan(""));
  }
  const MetricsCollector* metrics = nullptr;
  std::vector<Tick> time;
  std::vector<std::int64_t> busy_gpus, used_mib, queued, running;
  std::vector<double> fragmentation;
};

struct PyRunResult {
  std::vector<JobRecord> jobs;
  Summary summary;
  RunStats stats;
  TimeSeriesCollector series;
  std::string policy;
  int gpus = 0;
  std::int64_t capacity_mib = 0;
  std::optional<experiments::ValidationReport> validation;  // run(validate_mape_floor_s=...)
};

// jobs.csv prints reals with kJobRealDecimals; the DataFrame carries the same value.
double as_printed(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", kJobRealDecimals, x);
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
  py::dict out;  // the column order of jobs.csv: job_columns()
  for (const JobColumn& c : job_columns()) {
    switch (c.type) {
      case ColumnType::text: {
        py::list values(n);
        for (py::ssize_t i = 0; i < n; ++i) {
          const Cell cell = c.get(r.jobs[static_cast<std::size_t>(i)]);
          values[i] = std::string(cell_text(cell).value_or(""));
        }
        out[c.key] = values;
        break;
      }
      case ColumnType::real: {
        py::array_t<double> values(n);
        for (py::ssize_t i = 0; i < n; ++i) {
          const Cell cell = c.get(r.jobs[static_cast<std::size_t>(i)]);
          const auto* real = std::get_if<double>(&cell);
          values.mutable_at(i) = real ? as_printed(*real) : std::nan("");
        }
        out[c.key] = values;
        break;
      }
      case ColumnType::count: {
        py::array_t<std::int64_t> values(n);
        for (py::ssize_t i = 0; i < n; ++i) {
          const Cell cell = c.get(r.jobs[static_cast<std::size_t>(i)]);
          const auto* count = std::get_if<std::int64_t>(&cell);
          values.mutable_at(i) = count ? *count : 0;
        }
        out[c.key] = values;
        break;
      }
    }
  }
  return out;
}

py::list option_table() {
  py::list out;
  const RunOptions defaults;
  for (const OptionDef& d : run_option_table()) {
    const char* type = d.type == OptionType::integer ? "int" : d.type == OptionType::real ? "float"
                       : d.type == OptionType::boolean ? "bool" : "str";
    out.append(py::dict(py::arg("key") = d.key, py::arg("flag") = d.cli_flag(), py::arg("help") = d.help,
                        py::arg("type") = type, py::arg("choices") = d.choices, py::arg("default") = d.get(defaults),
                        py::arg("may_be_unset") = d.may_be_unset));
  }
  return out;
}

py::list metric_table() {
  py::list out;
  for (const MetricDef& m : summary_metrics())
    out.append(py::dict(py::arg("key") = m.key, py::arg("label") = m.label, py::arg("help") = m.help,
                        py::arg("type") = m.is_count() ? "int" : "float", py::arg("lower_is_better") = m.lower_is_better,
                        py::arg("in_compare_table") = m.in_compare_table));
  return out;
}

py::list column_table() {
  py::list out;
  for (const JobColumn& c : job_columns())
    out.append(py::dict(py::arg("key") = c.key,
                        py::arg("type") = c.type == ColumnType::text ? "str" : c.type == ColumnType::real ? "float" : "int",
                        py::arg("help") = c.help));
  return out;
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
  d["fragmentation_ratio"] = array_of(s.fragmentation);
  return d;
}

PyRunResult run(const ClusterSpec& cluster, const py::object& trace, const Interference& interference,
                const py::object& policy, std::uint64_t seed, const std::map<std::string, std::string>& option_values,
                bool time_series, const traces::TraceInputOptions& input, std::optional<double> validate_mape_floor_s) {
  RunOptions options = run_options_from(option_values);  // what is not given keeps the library's default
  options.sim.seed = seed;
  traces::load_queue_tree_option(options);
  SimConfig config = options.sim;

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
  if (in_memory && !input.format.empty())
    throw Error("trace_format '" + input.format + "' is for trace files; this trace is already in memory");
  const traces::VariationSpec variation = traces::VariationSpec::parse(input.vary);

  PyRunResult result;
  result.policy = handle.name;
  result.gpus = cluster.total_gpus();
  for (const auto& n : cluster.nodes)
    if (const GpuType* t = cluster.find_gpu_type(n.gpu_type)) result.capacity_mib += t->memory_mib * n.gpus;
  const auto model = interference.model;  // kept alive for the run
  PythonSignalCheck signals;
  try {
    py::gil_scoped_release release;
    auto open = [&]() -> std::unique_ptr<JobSource> {
      if (in_memory) return traces::vary_jobs(std::make_unique<SpanJobSource>(in_memory->jobs, in_memory->name), variation, seed);
      return traces::JobInput::resolve(path, input).open(seed, cluster.total_gpus());
    };
    std::unique_ptr<JobSource> source = open();
    if (options.fragmentation_from_trace) config.target_workload = typical_shapes_of(*open());
    // Validation reads each job's recorded run back after the run: the jobs are held.
    std::vector<JobSpec> held;
    if (validate_mape_floor_s) {
      while (auto job = source->next()) held.push_back(std::move(*job));
      source = std::make_unique<SpanJobSource>(held, source->name());
    }
    Simulator sim(cluster, *model, *handle.policy, config);
    MetricsCollector metrics(config.target_workload);
    RecordCollector records;
    experiments::ValidationCollector validation;
    sim.add_observer(metrics);
    sim.add_observer(records);
    if (validate_mape_floor_s) sim.add_observer(validation);
    result.series.metrics = &metrics;
    if (time_series) sim.add_observer(result.series);
    signals.attach(sim);
    result.stats = sim.run(*source);
    result.series.metrics = nullptr;
    result.summary = metrics.summary();
    if (validate_mape_floor_s) result.validation = experiments::validate_run(held, validation, cluster, *validate_mape_floor_s);
    result.jobs = std::move(records.records);
  } catch (const PythonPolicyFailure& f) {
    restore_policy_failure(f);
    throw py::error_already_set();
  } catch (const Interrupted&) {
    signals.rethrow_if_raised();
    throw;
  }
  return result;
}

}  // namespace

py::dict summary_dict(const Summary& s) {
  py::dict d;  // summary_metrics() order; counts stay integers
  for (const MetricDef& m : summary_metrics()) {
    if (m.is_count()) d[m.key] = m.count(s);
    else d[m.key] = m.value(s);
  }
  return d;
}

RunOptions run_options_from(const std::map<std::string, std::string>& values) {
  RunOptions options;
  for (const auto& [key, value] : values) set_run_option(options, key, value);
  return options;
}

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
                                               py::arg("predictions") = r.stats.predictions,
                                               py::arg("app_fallbacks") = r.stats.app_fallbacks,
                                               py::arg("gpu_type_fallbacks") = r.stats.gpu_type_fallbacks,
                                               py::arg("warnings") = r.stats.warnings,
                                               py::arg("queue_order") = r.stats.queue_order);
                             })
      .def("time_series", &series_dict,
           "state after each instant (holds until the next): time_s, busy_gpus, gpu_utilisation, used_mib, "
           "memory_utilisation, queued, running")
      .def(
          "write_jobs_csv",
          [](const PyRunResult& r, const std::string& path) { traces::write_jobs_csv(path, r.jobs); },
          py::arg("path"), "writes jobs.csv exactly as `colosim run --out` does (as <path>.partial, then renamed)")
      .def(
          "write",
          [](const PyRunResult& r, const std::string& dir, const std::map<std::string, std::string>& meta) {
            traces::write_run_outputs(dir, r.jobs, traces::summary_to_json(r.summary, meta));
          },
          py::arg("dir"), py::arg("meta"),
          "writes dir/jobs.csv and dir/summary.json as one set, as `colosim run --out` does: both complete or neither")
      .def("summary_json",
           [](const PyRunResult& r, const std::map<std::string, std::string>& meta) {
             return traces::summary_to_json(r.summary, meta);
           },
           py::arg("meta") = std::map<std::string, std::string>{},
           "summary.json as `colosim run --out` writes it, with `meta` as its run object")
      .def("__len__", [](const PyRunResult& r) { return r.jobs.size(); })
      .def(
          "validation_csv",
          [](const PyRunResult& r) {
            if (!r.validation) throw Error("this run did not validate (run(..., validate_mape_floor_s=...))");
            return experiments::validation_jobs_csv(*r.validation);
          },
          "validate.csv of `colosim validate --out`: each job, recorded against simulated")
      .def(
          "validation_json",
          [](const PyRunResult& r, const std::map<std::string, std::string>& meta) {
            if (!r.validation) throw Error("this run did not validate (run(..., validate_mape_floor_s=...))");
            return experiments::validation_json(*r.validation, meta);
          },
          py::arg("meta") = std::map<std::string, std::string>{}, "validate.json of `colosim validate --out`");

  m.def("run_options", &option_table,
        "The run options (one dict each: key, flag, help, type, choices, default, may_be_unset), as the CLI's flags "
        "and sweep files name them");
  m.def("summary_metrics", &metric_table,
        "The summary metrics (one dict each: key, label, help, type, lower_is_better, in_compare_table)");
  m.def("job_columns", &column_table, "The columns of jobs.csv and Result.jobs (one dict each: key, type, help)");
  m.def(
      "resolve_cluster",
      [](const std::string& source, const std::string& trace, const std::string& trace_format) {
        if (!source.empty() || trace.empty()) return traces::resolve_cluster(source, trace);
        return traces::resolve_cluster("", traces::JobInput::resolve(trace, {.format = trace_format}));
      },
      py::arg("source"), py::arg("trace") = "", py::arg("trace_format") = "",
      "A cluster file, a 'uniform:...' spec, or (source empty) the cluster in the header of the trace file, read "
      "as trace_format (default: by its extension)");
  m.def(
      "write_files_atomically",
      [](const std::vector<std::pair<std::string, py::bytes>>& files) {
        std::vector<std::pair<std::filesystem::path, std::string>> set;
        for (const auto& [path, data] : files) set.emplace_back(path, std::string(data));
        py::gil_scoped_release release;
        traces::write_files_atomically(set);
      },
      py::arg("files"),
      "Writes [(path, bytes), ...] as one set: each as <path>.partial, then all renamed; a failure leaves none");
  m.def("check_options", [](const std::map<std::string, std::string>& values) { run_options_from(values); }, py::arg("options"),
        "Raises colosim.Error for an unknown option or a bad value");
  m.def(
      "run",
      [](const ClusterSpec& cluster, const py::object& trace, const Interference& interference, const py::object& policy,
         std::uint64_t seed, const std::map<std::string, std::string>& options, bool time_series,
         std::string trace_format, std::string vary, bool allow_empty, std::optional<double> validate_mape_floor_s) {
        return run(cluster, trace, interference, policy, seed, options, time_series,
                   {std::move(trace_format), std::move(vary), allow_empty}, validate_mape_floor_s);
      },
      py::arg("cluster"), py::arg("trace"), py::arg("interference"), py::arg("policy"), py::arg("seed") = 1,
      py::arg("options") = std::map<std::string, std::string>{}, py::arg("time_series") = true, py::kw_only(),
      py::arg("trace_format") = "", py::arg("vary") = "", py::arg("allow_empty") = false,
      py::arg("validate_mape_floor_s") = py::none(),
      "The compiled run(); use colosim.run(), which takes names, files and DataFrames too. trace_format, vary and "
      "allow_empty are those of `colosim run` (trace_format is for trace files); validate_mape_floor_s set: also "
      "set the run against the jobs' recorded runs, as `colosim validate` (colosim.validate()). Releases the GIL.");
}

}  // namespace colosim::py_bindings

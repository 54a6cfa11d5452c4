// The comparison grid (experiments/) for colosim.compare() and colosim.sweep(): a spec, resolved
// once; single grid points (what a Dask task runs) and the whole grid on the C++ thread pool, with
// the GIL released; and the outputs (runs.csv rows, summary.json, statistics) made by the same
// functions as `colosim compare`, so that the bytes are the same whoever ran the points.
#include <pybind11/stl.h>

#include <sstream>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <variant>

#include "colosim/errors.h"
#include "colosim/experiments/experiment.h"
#include "colosim/experiments/output.h"
#include "colosim/experiments/runner.h"
#include "colosim/experiments/sweep.h"
#include "colosim/metric_table.h"

#include "bindings.h"
#include "python_policy.h"

namespace colosim::py_bindings {
namespace {

using experiments::CompareSpec;
using experiments::Experiment;
using experiments::RunOutcome;

// The spec with its options kept as the text the caller gave, so that it pickles (to Dask
// workers) as plain values.
struct PySpec {
  CompareSpec spec;
  std::map<std::string, std::string> options;
};

PySpec make_spec(std::string trace, std::vector<std::string> clusters, std::vector<std::string> policies,
                 std::string seeds, std::vector<double> loads, std::string interference, std::string baseline,
                 std::map<std::string, std::string> options, std::string trace_format, std::string vary,
                 bool allow_empty) {
  PySpec s;
  s.spec.trace = std::move(trace);
  s.spec.trace_format = std::move(trace_format);
  s.spec.vary = std::move(vary);
  s.spec.allow_empty = allow_empty;
  s.spec.clusters = std::move(clusters);
  s.spec.policies = std::move(policies);
  s.spec.seeds = std::move(seeds);
  s.spec.loads = std::move(loads);
  s.spec.interference = std::move(interference);
  s.spec.baseline = std::move(baseline);
  s.spec.options = run_options_from(options);
  s.options = std::move(options);
  return s;
}

// A resolved experiment with the registry its policies come from; shared by every run.
struct PyExperiment {
  std::shared_ptr<const Experiment> e;
  std::shared_ptr<const PolicyRegistry> registry;
};

// The counters of RunStats a finished grid point carries, in the order state() sends them.
struct OutcomeCounts {
  std::uint64_t events = 0, passes = 0, rate_updates = 0, predictions = 0, app_fallbacks = 0, gpu_type_fallbacks = 0;
};

// A finished grid point. Pickles as (index, metric dict, events, passes, rate_updates,
// predictions, app_fallbacks, gpu_type_fallbacks): Python floats are doubles and ints are exact,
// so an outcome that crossed to a Dask worker and back is the same value.
RunOutcome outcome_from(const Experiment& e, std::size_t index, const py::dict& metrics, const OutcomeCounts& c) {
  const auto shape = e.shape();
  if (index >= shape.size()) throw Error("run index " + std::to_string(index) + " is outside the grid");
  RunOutcome r{experiments::point_at(shape, index), {}, {}};
  r.stats.events = c.events;
  r.stats.passes = c.passes;
  r.stats.rate_updates = c.rate_updates;
  r.stats.predictions = c.predictions;
  r.stats.app_fallbacks = c.app_fallbacks;
  r.stats.gpu_type_fallbacks = c.gpu_type_fallbacks;
  for (const MetricDef& m : summary_metrics()) {
    if (!metrics.contains(m.key)) throw Error(std::string("run outcome lacks metric '") + m.key + "'");
    const py::handle v = metrics[m.key];
    std::visit(
        [&](auto field) {
          using T = std::remove_reference_t<decltype(r.summary.*field)>;
          r.summary.*field = v.cast<T>();
        },
        m.field);
  }
  return r;
}

py::tuple outcome_state(const RunOutcome& r) {
  return py::make_tuple(r.point.index, summary_dict(r.summary), r.stats.events, r.stats.passes, r.stats.rate_updates,
                        r.stats.predictions, r.stats.app_fallbacks, r.stats.gpu_type_fallbacks);
}

RunOutcome point_outcome(const PyExperiment& x, std::size_t index) {
  const auto shape = x.e->shape();
  if (index >= shape.size())
    throw py::index_error("run index " + std::to_string(index) + " is outside the grid of " + std::to_string(shape.size()));
  try {
    py::gil_scoped_release release;
    return experiments::run_point(*x.e, *x.registry, experiments::point_at(shape, index));
  } catch (const PythonPolicyFailure& f) {
    restore_policy_failure(f);
    throw py::error_already_set();
  }
}

// The whole grid on `threads` threads. The calling thread waits without the GIL and takes it
// every tick to let Python see signals: Ctrl-C stops the pool and raises KeyboardInterrupt.
std::vector<RunOutcome> grid_outcomes(const PyExperiment& x, unsigned threads) {
  if (threads < 1) throw Error("jobs must be >= 1");
  std::atomic<bool> stop{false};
  std::optional<py::error_already_set> interrupt;
  experiments::GridOptions options;
  options.threads = threads;
  options.stop = &stop;
  options.tick = std::chrono::milliseconds(50);
  options.on_progress = [&](std::size_t, std::size_t) {
    if (interrupt) return;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      interrupt.emplace();  // takes the pending exception (KeyboardInterrupt) out of the interpreter
      stop = true;
    }
  };
  experiments::GridResult result;
  try {
    py::gil_scoped_release release;
    result = experiments::run_grid(*x.e, *x.registry, options);
  } catch (const PythonPolicyFailure& f) {
    restore_policy_failure(f);
    throw py::error_already_set();
  }
  if (interrupt) throw std::move(*interrupt);
  if (!result.complete()) throw Error("the comparison was interrupted");
  std::vector<RunOutcome> runs;
  runs.reserve(result.runs.size());
  for (auto& r : result.runs) runs.push_back(std::move(*r));
  return runs;
}

// Every run of the grid, by grid index (whatever order they came in); Error if one is missing
// or repeated.
std::vector<RunOutcome> complete_grid(const Experiment& e, std::vector<RunOutcome> runs) {
  const std::size_t total = e.shape().size();
  std::vector<std::optional<RunOutcome>> slots(total);
  for (auto& r : runs) {
    if (r.point.index >= total) throw Error("run index " + std::to_string(r.point.index) + " is outside the grid");
    if (slots[r.point.index]) throw Error("run " + std::to_string(r.point.index) + " is given twice");
    slots[r.point.index] = std::move(r);
  }
  std::vector<RunOutcome> out;
  out.reserve(total);
  for (std::size_t i = 0; i < total; ++i) {
    if (!slots[i]) throw Error("run " + std::to_string(i) + " of the grid is missing");
    out.push_back(std::move(*slots[i]));
  }
  return out;
}

py::object optional_number(const std::optional<double>& x) { return x ? py::cast(*x) : py::none(); }

// None without an interval (one seed), as summary.json's null.
py::object interval_end(const experiments::MeanInterval& m, double end) { return m.half_width ? py::cast(end) : py::none(); }

// The statistics as rows (one per group or pair and metric), ready for pandas.
py::dict analysis_dict(const Experiment& e, const experiments::Analysis& a) {
  const auto& metrics = summary_metrics();
  py::list groups, paired;
  for (const auto& g : a.groups)
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const auto& s = g.metrics[m];
      groups.append(py::dict(py::arg("cluster") = e.clusters[g.cluster].label, py::arg("load") = e.loads[g.load],
                             py::arg("policy") = e.policies[g.policy].label, py::arg("metric") = metrics[m].key,
                             py::arg("n") = s.n, py::arg("mean") = s.mean, py::arg("sd") = s.sd,
                             py::arg("ci_low") = interval_end(s, s.low()), py::arg("ci_high") = interval_end(s, s.high())));
    }
  for (const auto& p : a.paired)
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const auto& c = p.metrics[m];
      paired.append(py::dict(py::arg("cluster") = e.clusters[p.cluster].label, py::arg("load") = e.loads[p.load],
                             py::arg("policy") = e.policies[p.policy].label,
                             py::arg("baseline") = e.policies[*e.baseline].label, py::arg("metric") = metrics[m].key,
                             py::arg("n") = c.difference.n, py::arg("difference") = c.difference.mean,
                             py::arg("ci_low") = interval_end(c.difference, c.difference.low()),
                             py::arg("ci_high") = interval_end(c.difference, c.difference.high()),
                             py::arg("baseline_mean") = c.baseline_mean,
                             py::arg("relative_change") = optional_number(c.relative_change),
                             py::arg("significant") = c.excludes_zero));
    }
  return py::dict(py::arg("groups") = groups, py::arg("paired") = paired,
                  py::arg("summary_json") = experiments::summary_json(e, a));
}

}  // namespace

void bind_compare(py::module_& m) {
  py::class_<PySpec>(m, "CompareSpec",
                     "A comparison as written: inputs by name (paths, gen:/uniform: specs), axes, baseline and run "
                     "options as text. Use colosim.compare() / colosim.sweep().")
      .def(py::init(&make_spec), py::kw_only(), py::arg("trace"), py::arg("clusters") = std::vector<std::string>{},
           py::arg("policies") = std::vector<std::string>{}, py::arg("seeds") = "1",
           py::arg("loads") = std::vector<double>{1.0}, py::arg("interference") = "none", py::arg("baseline") = "",
           py::arg("options") = std::map<std::string, std::string>{}, py::arg("trace_format") = "",
           py::arg("vary") = "", py::arg("allow_empty") = false,
           "Raises colosim.Error for an unknown option or a bad value; the rest is checked by resolve().")
      .def_property_readonly("trace", [](const PySpec& s) { return s.spec.trace; })
      .def_property_readonly("trace_format", [](const PySpec& s) { return s.spec.trace_format; })
      .def_property_readonly("vary", [](const PySpec& s) { return s.spec.vary; })
      .def_property_readonly("allow_empty", [](const PySpec& s) { return s.spec.allow_empty; })
      .def_property_readonly("clusters", [](const PySpec& s) { return s.spec.clusters; })
      .def_property_readonly("policies", [](const PySpec& s) { return s.spec.policies; })
      .def_property_readonly("seeds", [](const PySpec& s) { return s.spec.seeds; })
      .def_property_readonly("loads", [](const PySpec& s) { return s.spec.loads; })
      .def_property_readonly("interference", [](const PySpec& s) { return s.spec.interference; })
      .def_property_readonly("baseline", [](const PySpec& s) { return s.spec.baseline; })
      .def_property_readonly("options", [](const PySpec& s) { return s.options; })
      .def(py::pickle(
          [](const PySpec& s) {
            return py::make_tuple(s.spec.trace, s.spec.clusters, s.spec.policies, s.spec.seeds, s.spec.loads,
                                  s.spec.interference, s.spec.baseline, s.options, s.spec.trace_format, s.spec.vary,
                                  s.spec.allow_empty);
          },
          [](const py::tuple& t) {
            if (t.size() != 11) throw Error("CompareSpec: bad pickled state");
            return make_spec(t[0].cast<std::string>(), t[1].cast<std::vector<std::string>>(),
                             t[2].cast<std::vector<std::string>>(), t[3].cast<std::string>(),
                             t[4].cast<std::vector<double>>(), t[5].cast<std::string>(), t[6].cast<std::string>(),
                             t[7].cast<std::map<std::string, std::string>>(), t[8].cast<std::string>(),
                             t[9].cast<std::string>(), t[10].cast<bool>());
          }));

  m.def(
      "runs_csv_columns",
      [] {
        std::vector<std::string> columns;
        std::stringstream header(experiments::RunsCsv::header());
        for (std::string c; std::getline(header, c, ',');) columns.push_back(c);
        return columns;
      },
      "The columns of runs.csv, in order (the frame Comparison.runs has the same).");

  m.def(
      "read_sweep",
      [](const std::string& path) {
        CompareSpec s = experiments::read_sweep(path);
        PySpec out{s, experiments::changed_options(s.options)};
        return out;
      },
      py::arg("path"), "A sweep file (colosim.v1.Sweep, .json or .textproto) as a CompareSpec; relative paths in it are "
                       "taken relative to its directory. Raises InputError naming the file and field.");

  py::class_<RunOutcome>(m, "RunOutcome", "One finished grid point: its index, summary metrics and event counts.")
      .def_property_readonly("index", [](const RunOutcome& r) { return r.point.index; })
      .def_property_readonly("summary", [](const RunOutcome& r) { return summary_dict(r.summary); })
      .def_property_readonly("events", [](const RunOutcome& r) { return r.stats.events; })
      .def_property_readonly("passes", [](const RunOutcome& r) { return r.stats.passes; })
      .def_property_readonly("rate_updates", [](const RunOutcome& r) { return r.stats.rate_updates; })
      .def_property_readonly("predictions", [](const RunOutcome& r) { return r.stats.predictions; })
      .def_property_readonly("app_fallbacks", [](const RunOutcome& r) { return r.stats.app_fallbacks; })
      .def_property_readonly("gpu_type_fallbacks", [](const RunOutcome& r) { return r.stats.gpu_type_fallbacks; })
      .def("state", &outcome_state,
           "(index, summary dict, events, passes, rate_updates, predictions, app_fallbacks, gpu_type_fallbacks): "
           "plain values to send");

  py::class_<PyExperiment>(m, "Experiment", "A resolved comparison: inputs read, names checked, axes expanded.")
      .def_property_readonly("size", [](const PyExperiment& x) { return x.e->shape().size(); })
      .def_property_readonly("shape",
                             [](const PyExperiment& x) {
                               const auto s = x.e->shape();
                               return py::make_tuple(s.clusters, s.loads, s.policies, s.seeds);
                             })
      .def_property_readonly("clusters",
                             [](const PyExperiment& x) {
                               std::vector<std::string> out;
                               for (const auto& c : x.e->clusters) out.push_back(c.label);
                               return out;
                             })
      .def_property_readonly("policies",
                             [](const PyExperiment& x) {
                               std::vector<std::string> out;
                               for (const auto& p : x.e->policies) out.push_back(p.label);
                               return out;
                             })
      .def_property_readonly("seeds", [](const PyExperiment& x) { return x.e->seeds; })
      .def_property_readonly("loads", [](const PyExperiment& x) { return x.e->loads; })
      .def_property_readonly("baseline",
                             [](const PyExperiment& x) -> py::object {
                               if (!x.e->baseline) return py::none();
                               return py::cast(x.e->policies[*x.e->baseline].label);
                             })
      .def_property_readonly("note", [](const PyExperiment& x) { return x.e->note; })
      .def("point", [](const PyExperiment& x, std::size_t index) {
             const auto p = experiments::point_at(x.e->shape(), index);
             return py::make_tuple(p.cluster, p.load, p.policy, p.seed);
           }, py::arg("index"), "(cluster, load, policy, seed) axis indexes of a run")
      .def("run_point", &point_outcome, py::arg("index"), "Runs one grid point (GIL released).")
      .def("run_grid", &grid_outcomes, py::arg("threads") = 1,
           "Runs every point on a pool of C++ threads (GIL released); Ctrl-C raises KeyboardInterrupt. Returns the "
           "outcomes in grid order.")
      .def(
          "outcome",
          [](const PyExperiment& x, std::size_t index, const py::dict& summary, std::uint64_t events,
             std::uint64_t passes, std::uint64_t rate_updates, std::uint64_t predictions, std::uint64_t app_fallbacks,
             std::uint64_t gpu_type_fallbacks) {
            return outcome_from(*x.e, index, summary,
                                {events, passes, rate_updates, predictions, app_fallbacks, gpu_type_fallbacks});
          },
          py::arg("index"), py::arg("summary"), py::arg("events"), py::arg("passes") = 0, py::arg("rate_updates") = 0,
          py::arg("predictions") = 0, py::arg("app_fallbacks") = 0, py::arg("gpu_type_fallbacks") = 0,
          "A RunOutcome from RunOutcome.state() values (e.g. sent back by a Dask worker)")
      .def(
          "runs_csv",
          [](const PyExperiment& x, std::vector<RunOutcome> runs) {
            const auto all = complete_grid(*x.e, std::move(runs));
            std::string out = experiments::RunsCsv::header() + '\n';
            for (const auto& r : all) out += experiments::RunsCsv::row(*x.e, r) + '\n';
            return py::bytes(out);
          },
          py::arg("runs"), "runs.csv as `colosim compare --out` writes it (bytes)")
      .def(
          "analyse",
          [](const PyExperiment& x, std::vector<RunOutcome> runs) {
            const auto all = complete_grid(*x.e, std::move(runs));
            return analysis_dict(*x.e, experiments::analyse(*x.e, all));
          },
          py::arg("runs"),
          "dict groups (rows: cluster, load, policy, metric, n, mean, sd, ci_low, ci_high; None without an interval), "
          "paired (rows vs the baseline) and summary_json (the text `colosim compare --out` writes)");

  m.def(
      "resolve",
      [](const PySpec& s, const PolicyRegistry& registry) {
        auto reg = std::make_shared<const PolicyRegistry>(registry);
        auto e = std::make_shared<const Experiment>(experiments::resolve(s.spec, *reg));
        return PyExperiment{std::move(e), std::move(reg)};
      },
      py::arg("spec"), py::arg("registry"),
      "Reads every input and checks every name before any run; raises colosim.Error / InputError.");
}

}  // namespace colosim::py_bindings

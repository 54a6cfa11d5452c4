#pragma once
// Shared declarations of the _colosim extension. Each bind_*() lives in its own file; module.cc
// calls them in order (errors first: the other files' docstrings name the exception classes).
#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "colosim/interference.h"
#include "colosim/job.h"
#include "colosim/metrics.h"
#include "colosim/run_options.h"

namespace colosim::py_bindings {

namespace py = pybind11;

void bind_errors(py::module_& m);
void bind_cluster(py::module_& m);
void bind_trace(py::module_& m);
void bind_interference(py::module_& m);
void bind_policy_views(py::module_& m);
void bind_python_policy(py::module_& m);
void bind_policy_registry(py::module_& m);
void bind_run(py::module_& m);
void bind_compare(py::module_& m);
void bind_inflation(py::module_& m);

// Run options from Python's {key: text} (colosim/run_options.h); Error names a bad key or value.
RunOptions run_options_from(const std::map<std::string, std::string>& values);

// A run's summary as a dict in summary_metrics() order, counts as ints (run.cc).
py::dict summary_dict(const Summary& summary);

// The Python exception classes, created by bind_errors().
struct ErrorTypes {
  py::handle error, input_error, policy_error, simulation_error;
};
const ErrorTypes& error_types();

// A trace held in memory (from a file, columns, an importer or the generator).
struct Trace {
  std::string name = "jobs";
  std::vector<JobSpec> jobs;
};

// An interference model shared by every run that uses it (models are immutable and safe to
// call from several simulations at once).
struct Interference {
  std::shared_ptr<const InterferenceModel> model;
  std::string kind;  // "none", "pair table", "calibrated", "python"
};

}  // namespace colosim::py_bindings

// The FGD paper's experiment (experiments/inflation.h) for colosim.inflate(): the same grid as
// `colosim inflate`, on the C++ thread pool with the GIL released, and the same curves CSV.
#include <pybind11/stl.h>

#include "colosim/experiments/grid.h"
#include "colosim/experiments/inflation.h"
#include "colosim/traces/inputs.h"

#include "bindings.h"

namespace colosim::py_bindings {

void bind_inflation(py::module_& m) {
  py::class_<experiments::InflationResult>(m, "InflationResult", "Curves of the inflation experiment (colosim.inflate)")
      .def_readonly("max_percent", &experiments::InflationResult::max_percent)
      .def_readonly("wall_s", &experiments::InflationResult::wall_seconds)
      .def("curves_csv", &experiments::inflation_curves_csv, "the curves as `colosim inflate --out` writes curves.csv")
      .def("summary_csv", &experiments::inflation_summary_csv, py::arg("at") = 100,
           "per policy at `at`% arrived, as `colosim inflate --out` writes summary.csv");

  m.def(
      "inflate",
      [](const ClusterSpec& cluster, const py::object& trace, std::vector<std::string> policies, const std::string& seeds,
         double max_ratio, unsigned threads, const std::map<std::string, std::string>& option_values) {
        experiments::InflationOptions o;
        o.policies = std::move(policies);
        o.seeds = experiments::parse_seeds(seeds);
        o.max_ratio = max_ratio;
        o.threads = threads;
        o.config = run_options_from(option_values).sim;
        std::vector<JobSpec> jobs;
        if (py::isinstance<Trace>(trace)) {
          jobs = trace.cast<const Trace&>().jobs;
        } else {
          auto source = traces::JobInput::resolve(trace.cast<std::string>()).open(1, cluster.total_gpus());
          while (auto job = source->next()) jobs.push_back(std::move(*job));
        }
        py::gil_scoped_release release;
        return experiments::run_inflation_grid(cluster, jobs, o);
      },
      py::arg("cluster"), py::arg("trace"), py::arg("policies"), py::arg("seeds"), py::arg("max_ratio"), py::arg("threads"),
      py::arg("options"));
}

}  // namespace colosim::py_bindings

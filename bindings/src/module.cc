// The compiled half of the colosim Python package; the facade (python/colosim/__init__.py)
// re-exports it and adds DataFrames and plots.
#include "colosim/time.h"

#include "bindings.h"

PYBIND11_MODULE(_colosim, m) {
  using namespace colosim::py_bindings;
  m.doc() = "colosim's compiled core (pybind11). Import colosim, not this module.";
  bind_errors(m);
  bind_cluster(m);
  bind_trace(m);
  bind_interference(m);
  bind_policy_views(m);
  bind_python_policy(m);
  bind_policy_registry(m);
  bind_run(m);
  bind_compare(m);
  bind_inflation(m);
  m.attr("TICKS_PER_SECOND") = colosim::kTicksPerSecond;
}

#pragma once
// Ctrl-C during a run that holds no GIL (a built-in policy): an interrupt check for the simulator
// (Simulator::set_interrupt_check) that takes the GIL about every 100 ms of wall time, never per
// event, and runs Python's signal handlers (PyErr_CheckSignals). When one raises
// (KeyboardInterrupt), it keeps that exception and stops the run (colosim::Interrupted);
// rethrow_if_raised() raises it in Python once the run has unwound and the GIL is back.
#include <chrono>
#include <optional>

#include "colosim/simulator.h"

#include "bindings.h"

namespace colosim::py_bindings {

class PythonSignalCheck {
 public:
  void attach(Simulator& sim);
  // GIL held. Throws the exception a signal handler raised, if any.
  void rethrow_if_raised();

 private:
  void check();
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::optional<py::error_already_set> raised_;
};

}  // namespace colosim::py_bindings

#include "signal_check.h"

#include "colosim/errors.h"

namespace colosim::py_bindings {
namespace {

constexpr auto kSignalPeriod = std::chrono::milliseconds(100);
// The simulator calls check() this often; a clock read per call is all it costs below kSignalPeriod.
constexpr std::uint64_t kEventsPerCheck = 1024;

}  // namespace

void PythonSignalCheck::attach(Simulator& sim) {
  sim.set_interrupt_check([this] { check(); }, kEventsPerCheck);
}

void PythonSignalCheck::check() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < kSignalPeriod) return;
  last_ = now;
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) {
    raised_.emplace();  // takes the pending exception out of the interpreter
    throw Interrupted();
  }
}

void PythonSignalCheck::rethrow_if_raised() {
  if (raised_) {
    py::error_already_set e = std::move(*raised_);
    raised_.reset();
    throw e;
  }
}

}  // namespace colosim::py_bindings

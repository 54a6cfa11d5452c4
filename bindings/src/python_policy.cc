// Policies from Python: the trampoline that calls a subclass of colosim.Policy, the GIL and
// error handling around each call, and the binding of the base class.
#include "python_policy.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "policy_views.h"

namespace colosim::py_bindings {

namespace {

constexpr double kNoTime = std::numeric_limits<double>::quiet_NaN();

// Turns the exception being handled, thrown by a call into Python, into a PolicyError naming the
// policy and where it was (`where`: "at simulated time T s", "in gpu_room()"). A Python exception
// travels along as the cause; `hint` follows other failures. Call only inside a catch block.
[[noreturn]] void throw_policy_failure(const std::string& policy, const std::string& where, double time_s,
                                       const std::string& hint) {
  try {
    throw;
  } catch (py::error_already_set& e) {
    const bool base_exception = !e.matches(PyExc_Exception);
    py::object value = e.value() ? py::reinterpret_borrow<py::object>(e.value()) : py::none();
    if (e.trace() && !value.is_none()) PyException_SetTraceback(value.ptr(), e.trace().ptr());
    std::string what = py::str(py::handle(e.type()).attr("__name__")).cast<std::string>();
    const std::string text = value.is_none() ? "" : py::str(value).cast<std::string>();
    if (!text.empty()) what += ": " + text;
    auto original = std::shared_ptr<py::object>(new py::object(std::move(value)), [](py::object* o) {
      py::gil_scoped_acquire g;
      delete o;
    });
    throw PythonPolicyFailure("Python policy '" + policy + "' raised " + where + ": " + what, std::move(original),
                              policy, time_s, base_exception);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw PolicyError("Python policy '" + policy + "' failed " + where + ": " + e.what() + hint);
  }
}

bool is_bool(const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return true;
  // numpy.bool_, what a vectorised policy's comparisons return.
  py::object dtype = py::getattr(value, "dtype", py::none());
  return !dtype.is_none() && py::str(dtype.attr("kind")).cast<std::string>() == "b";
}

bool returned_bool(const py::object& value, const char* hook) {
  if (!is_bool(value))
    throw py::type_error(std::string(hook) + "() must return a bool, got " + py::repr(value).cast<std::string>());
  return value.cast<bool>();
}

// Which hooks a Python policy overrides: the others never take the GIL.
bool overridden(const PythonPolicy* policy, const char* hook) {
  try {
    return static_cast<bool>(py::get_override(policy, hook));
  } catch (const py::type_error&) {
    throw py::type_error(std::string("colosim.Policy.") + hook + " must be a method; this policy sets it to " +
                         py::repr(py::getattr(py::cast(policy), hook)).cast<std::string>());
  }
}

class PythonPolicyTrampoline : public PythonPolicy {
 public:
  void schedule_view(std::shared_ptr<PyPass> pass) override {
    PYBIND11_OVERRIDE_PURE_NAME(void, PythonPolicy, "schedule", schedule_view, pass);
  }
  // Called only when overridden (PythonPolicy::overrides); the views are handed over as copies,
  // which the scope keeps from dangling.
  bool may_fit_view(const PyCluster& cluster, const PyJob& job, const std::string& memory_mode) const override {
    if (py::function f = py::get_override(static_cast<const PythonPolicy*>(this), "may_fit"))
      return returned_bool(f(py::cast(cluster), py::cast(job), memory_mode), "may_fit");
    return PythonPolicy::may_fit_view(cluster, job, memory_mode);
  }
  std::int64_t gpu_room_view(const PyCluster& cluster, const std::string& memory_mode) const override {
    if (py::function f = py::get_override(static_cast<const PythonPolicy*>(this), "gpu_room")) {
      py::object room = f(py::cast(cluster), memory_mode);
      if (py::isinstance<py::bool_>(room) || !PyIndex_Check(room.ptr()))
        throw py::type_error("gpu_room() must return an int, got " + py::repr(room).cast<std::string>());
      return room.cast<std::int64_t>();
    }
    return PythonPolicy::gpu_room_view(cluster, memory_mode);
  }
  bool waits_only_for_capacity_view() const override {
    if (py::function f = py::get_override(static_cast<const PythonPolicy*>(this), "waits_only_for_capacity"))
      return returned_bool(f(), "waits_only_for_capacity");
    return PythonPolicy::waits_only_for_capacity_view();
  }
};

}  // namespace

bool PythonPolicy::may_fit_view(const PyCluster& cluster, const PyJob& job, const std::string& memory_mode) const {
  return PlacementPolicy::may_fit(cluster.ref.cluster(), job.spec(), parse_memory_mode(memory_mode));
}

std::int64_t PythonPolicy::gpu_room_view(const PyCluster& cluster, const std::string& memory_mode) const {
  return PlacementPolicy::gpu_room(cluster.ref.cluster(), parse_memory_mode(memory_mode));
}

void PythonPolicy::schedule(SchedulingPass& pass) {
  py::gil_scoped_acquire gil;
  ScopedViews views(pass.cluster(), &pass);
  auto view = std::make_shared<PyPass>(views.ref());
  try {
    schedule_view(view);
  } catch (...) {
    views.close();
    const double now_s = ticks_to_seconds(pass.now());
    char time[64];
    std::snprintf(time, sizeof time, "%.6f", now_s);
    // pybind11 reports a subclass without schedule() as a call to a pure virtual function.
    throw_policy_failure(display_name, std::string("at simulated time ") + time + " s", now_s,
                         " (does its class define schedule(self, pass_)?)");
  }
}

bool PythonPolicy::may_fit(const ClusterView& cluster, const JobSpec& job, MemoryMode mode) const {
  if (!overrides.may_fit.load(std::memory_order_relaxed)) return PlacementPolicy::may_fit(cluster, job, mode);
  py::gil_scoped_acquire gil;
  ScopedViews views(cluster, nullptr);
  try {
    return may_fit_view(PyCluster{views.ref()}, PyJob{views.ref(), &job}, to_string(mode));
  } catch (...) {
    views.close();
    throw_policy_failure(display_name, "in may_fit()", kNoTime, "");
  }
}

std::int64_t PythonPolicy::gpu_room(const ClusterView& cluster, MemoryMode mode) const {
  if (!overrides.gpu_room.load(std::memory_order_relaxed)) return PlacementPolicy::gpu_room(cluster, mode);
  py::gil_scoped_acquire gil;
  ScopedViews views(cluster, nullptr);
  try {
    return gpu_room_view(PyCluster{views.ref()}, to_string(mode));
  } catch (...) {
    views.close();
    throw_policy_failure(display_name, "in gpu_room()", kNoTime, "");
  }
}

bool PythonPolicy::waits_only_for_capacity() const {
  if (!overrides.waits_only_for_capacity.load(std::memory_order_relaxed))
    return PlacementPolicy::waits_only_for_capacity();
  py::gil_scoped_acquire gil;
  try {
    return waits_only_for_capacity_view();
  } catch (...) {
    throw_policy_failure(display_name, "in waits_only_for_capacity()", kNoTime, "");
  }
}

std::string python_policy_name(const py::object& object) {
  py::object name = py::getattr(object, "name", py::none());
  if (py::isinstance<py::str>(name) && !name.cast<std::string>().empty()) return name.cast<std::string>();
  return py::str(py::type::of(object).attr("__name__")).cast<std::string>();
}

PolicyHandle hold_python_policy(const py::object& object, const std::string& name) {
  if (!py::isinstance<PythonPolicy>(object))
    throw py::type_error("a Python policy must be an instance of a subclass of colosim.Policy, got " +
                         py::repr(object).cast<std::string>());
  auto* raw = object.cast<PythonPolicy*>();
  raw->overrides.may_fit = overridden(raw, "may_fit");
  raw->overrides.gpu_room = overridden(raw, "gpu_room");
  raw->overrides.waits_only_for_capacity = overridden(raw, "waits_only_for_capacity");
  const py::object preempts = py::getattr(object, "preempts", py::bool_(false));
  if (!is_bool(preempts))
    throw py::type_error("colosim.Policy.preempts must be a bool (a class attribute), got " + py::repr(preempts).cast<std::string>());
  raw->preempting = preempts.cast<bool>();
  const py::object rearranges = py::getattr(object, "rearranges", py::bool_(false));
  if (!is_bool(rearranges))
    throw py::type_error("colosim.Policy.rearranges must be a bool (a class attribute), got " + py::repr(rearranges).cast<std::string>());
  raw->rearranging = rearranges.cast<bool>();
  const py::object order = py::getattr(object, "queue_order", py::str(""));
  if (!py::isinstance<py::str>(order))
    throw py::type_error("colosim.Policy.queue_order must be a str (a class attribute), got " + py::repr(order).cast<std::string>());
  raw->own_queue_order = order.cast<std::string>();
  auto* keep = new py::object(object);
  std::shared_ptr<PlacementPolicy> held(raw, [keep](PlacementPolicy*) {
    py::gil_scoped_acquire g;
    delete keep;
  });
  raw->display_name = name;
  return PolicyHandle{std::move(held), name, raw};
}

void restore_policy_failure(const PythonPolicyFailure& f) {
  py::object original = f.original ? *f.original : py::none();
  if (f.base_exception && !original.is_none()) {
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(original.ptr())), original.ptr());
    return;
  }
  py::object error = py::reinterpret_borrow<py::object>(error_types().policy_error)(f.what());
  error.attr("policy") = f.policy;
  error.attr("time_s") = std::isnan(f.time_s) ? py::object(py::none()) : py::object(py::float_(f.time_s));
  if (!original.is_none()) PyException_SetCause(error.ptr(), original.inc_ref().ptr());  // steals
  PyErr_SetObject(error_types().policy_error.ptr(), error.ptr());
}

void bind_python_policy(py::module_& m) {
  py::class_<PythonPolicy, PythonPolicyTrampoline, std::shared_ptr<PythonPolicy>>(
      m, "Policy",
      "Base class of placement policies written in Python.\n\n"
      "Subclass it and implement schedule(self, pass_): called at every scheduling point with the whole pending "
      "batch (pass_.pending, in arrival order); place jobs with pass_.place(job, gpus) and change nothing else. "
      "Jobs left unplaced stay queued. Use pass_.rng for randomness so that runs are reproducible. Set a class "
      "attribute `name` to name the policy in errors (default: the class name). Call super().__init__() if you "
      "define __init__.\n\n"
      "Optional hooks keep a long queue cheap (override them and the core asks Python; leave them and the "
      "C++ defaults run without taking the GIL): may_fit(cluster, job, memory_mode), gpu_room(cluster, "
      "memory_mode) and waits_only_for_capacity().\n\n"
      "A preempting policy sets the class attribute `preempts = True`: it then sees every pass, lists running jobs "
      "with pass_.running_last_first(limit) and displaces them with pass_.preempt(job, reason). `queue_order` "
      "(e.g. '2d-las') names the order it is designed for, used when the run names none. `rearranges = True` "
      "asks for a pass after every job end, also with nothing queued, to move running jobs (preempt, then place).")
      .def(py::init<>())
      .def("schedule", &PythonPolicy::schedule_view, py::arg("pass_"),
           "Places zero or more of pass_.pending; to be overridden.")
      .def(
          "may_fit",
          [](const PythonPolicy& self, const PyCluster& cluster, const py::object& job, const std::string& memory_mode) {
            const PyJob view = py::isinstance<PyPending>(job) ? job.cast<const PyPending&>().job() : job.cast<PyJob>();
            return self.PythonPolicy::may_fit_view(cluster, view, memory_mode);
          },
          py::arg("cluster"), py::arg("job"), py::arg("memory_mode"),
          "A cheap necessary condition for `job` to start now; False keeps it out of this pass (under FIFO it "
          "also holds back the jobs behind it). Default: some GPU has the job's memory free when memory_mode is "
          "'enforce'.")
      .def(
          "gpu_room",
          [](const PythonPolicy& self, const PyCluster& cluster, const std::string& memory_mode) {
            return self.PythonPolicy::gpu_room_view(cluster, memory_mode);
          },
          py::arg("cluster"), py::arg("memory_mode"),
          "An upper bound on the GPUs this policy could hand out now: 0 skips the pass (schedule() is not "
          "called), otherwise jobs are offered until their GPUs exceed it. Default: unbounded while some GPU "
          "has free memory (when memory_mode is 'enforce').")
      .def(
          "waits_only_for_capacity",
          [](const PythonPolicy& self) { return self.PythonPolicy::waits_only_for_capacity_view(); },
          "True when a job this policy leaves pending can only start after a job ends or fails (it never holds "
          "a job back by choice): then an instant with arrivals only offers the new arrivals. Default False.");
}

}  // namespace colosim::py_bindings

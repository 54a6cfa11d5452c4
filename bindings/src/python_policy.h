#pragma once
// Placement policies written in Python: the bound base class `colosim.Policy`, its trampoline,
// and what run() needs to hold one safely.
//
// Lifetimes: the Python object is held by a std::shared_ptr whose deleter keeps a reference to
// it (released under the GIL), so the simulator never outlives the object it calls. The views a
// policy receives (pass, cluster, pending jobs) are invalidated when schedule() returns; using
// one later raises colosim.Error instead of reading freed memory.
#include <atomic>
#include <memory>
#include <string>

#include "colosim/errors.h"
#include "colosim/policy.h"

#include "bindings.h"

namespace colosim::py_bindings {

class PyPass;

class PythonPolicy : public PlacementPolicy {
 public:
  // What Python overrides, under the name `schedule`.
  virtual void schedule_view(std::shared_ptr<PyPass> pass) = 0;
  // Called by the core with the GIL released: takes the GIL, calls Python, invalidates the views.
  void schedule(SchedulingPass& pass) final;

  std::string display_name = "Python policy";  // set from the object before each run
  std::atomic<bool> in_use{false};             // one run at a time per policy object
};

// A Python policy raised: carries the Python exception (released under the GIL) out of the
// simulator, to be re-raised by run() as colosim.PolicyError from the original.
class PythonPolicyFailure : public PolicyError {
 public:
  PythonPolicyFailure(const std::string& message, std::shared_ptr<py::object> original, std::string policy,
                      double time_s, bool base_exception)
      : PolicyError(message), original(std::move(original)), policy(std::move(policy)), time_s(time_s),
        base_exception(base_exception) {}
  std::shared_ptr<py::object> original;
  std::string policy;
  double time_s;
  bool base_exception;  // KeyboardInterrupt, SystemExit...: re-raised as they are
};

// A policy ready for a run: built-in (from a registry) or a Python object kept alive.
struct PolicyHandle {
  std::shared_ptr<PlacementPolicy> policy;
  std::string name;
  PythonPolicy* python = nullptr;  // set for Python policies
  // Shared by the copies of one registry-made handle: one run at a time per policy instance.
  std::shared_ptr<std::atomic<bool>> busy = std::make_shared<std::atomic<bool>>(false);
};

// A handle that keeps `object` (an instance of colosim.Policy) alive while C++ holds it.
PolicyHandle hold_python_policy(const py::object& object, const std::string& name);
// The policy's name for messages: its `name` attribute, else its class name.
std::string python_policy_name(const py::object& object);
// Sets the Python error indicator for `failure` (GIL held).
void restore_policy_failure(const PythonPolicyFailure& failure);

}  // namespace colosim::py_bindings

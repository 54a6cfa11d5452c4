#pragma once
// Placement policies written in Python: the bound base class `colosim.Policy` and what run()
// needs to hold one safely. python_policy.cc has the trampoline and the class's binding.
//
// Lifetimes: the Python object is held by a std::shared_ptr whose deleter keeps a reference to
// it (released under the GIL), so the simulator never outlives the object it calls. The views a
// policy receives are invalidated when the call returns (policy_views.h).
//
// GIL: the core calls the PlacementPolicy methods with the GIL released. schedule() always calls
// Python; the optional hooks (may_fit, gpu_room, waits_only_for_capacity) take the GIL only when
// the Python class overrides them, and otherwise run the C++ defaults at C++ speed.
#include <atomic>
#include <memory>
#include <string>

#include "colosim/errors.h"
#include "colosim/policy.h"

#include "bindings.h"

namespace colosim::py_bindings {

class PyPass;
struct PyCluster;
struct PyJob;

class PythonPolicy : public PlacementPolicy {
 public:
  // What Python overrides, under the names schedule, may_fit, gpu_room and
  // waits_only_for_capacity. The hooks' bodies are the C++ defaults, reached by super().
  virtual void schedule_view(std::shared_ptr<PyPass> pass) = 0;
  virtual bool may_fit_view(const PyCluster& cluster, const PyJob& job, const std::string& memory_mode) const;
  virtual std::int64_t gpu_room_view(const PyCluster& cluster, const std::string& memory_mode) const;
  virtual bool waits_only_for_capacity_view() const { return PlacementPolicy::waits_only_for_capacity(); }

  // Called by the core with the GIL released: take the GIL, call Python, invalidate the views.
  void schedule(SchedulingPass& pass) final;
  bool may_fit(const ClusterView& cluster, const JobSpec& job, MemoryMode mode) const final;
  std::int64_t gpu_room(const ClusterView& cluster, MemoryMode mode) const final;
  bool waits_only_for_capacity() const final;
  // From the class attributes `preempts` (bool) and `queue_order` (str), read once per run.
  bool preempts() const final { return preempting; }
  bool rearranges() const final { return rearranging; }
  std::string preferred_queue_order() const final { return own_queue_order; }
  bool preempting = false;
  bool rearranging = false;
  std::string own_queue_order;

  // Which hooks the Python class overrides, found by hold_python_policy() under the GIL and read
  // by the core without it (atomics: another thread may hold the same object meanwhile).
  struct Overrides {
    std::atomic<bool> may_fit{false}, gpu_room{false}, waits_only_for_capacity{false};
  } overrides;
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
  double time_s;        // NaN when raised by a hook that is not given the time (PolicyError.time_s None)
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

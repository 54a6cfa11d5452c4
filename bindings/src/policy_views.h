#pragma once
// The read-only views a Python policy receives (colosim.SchedulingPass, ClusterView, Job,
// PendingJob, Rng). Each view reaches the core through a ViewScope that is cleared when the
// policy call that made it returns, so a view kept for later raises colosim.Error instead of
// reading freed memory.
#include <memory>

#include "colosim/errors.h"
#include "colosim/policy.h"

#include "bindings.h"

namespace colosim::py_bindings {

// What the views of one policy call point at: the cluster in every call, the pass only in
// schedule(). Both are cleared when the call returns.
struct ViewScope {
  SchedulingPass* pass = nullptr;
  const ClusterView* cluster = nullptr;
};

class ViewRef {
 public:
  explicit ViewRef(std::shared_ptr<ViewScope> scope) : scope_(std::move(scope)) {}
  SchedulingPass& pass() const {
    if (!scope_->pass) throw_closed();
    return *scope_->pass;
  }
  const ClusterView& cluster() const {
    if (!scope_->cluster) throw_closed();
    return *scope_->cluster;
  }
  GpuIndex gpu(GpuIndex g) const;    // g, or IndexError
  NodeIndex node(NodeIndex v) const;  // v, or IndexError
  bool same_scope(const ViewRef& other) const { return scope_ == other.scope_; }

 private:
  [[noreturn]] static void throw_closed() {
    throw Error("this view belongs to a policy call (a scheduling pass or a hook) that is over: keep ids or slots, "
                "not views, between calls");
  }
  std::shared_ptr<ViewScope> scope_;
};

// Opens the views of one policy call; closes them when it goes out of scope (also on exceptions).
class ScopedViews {
 public:
  ScopedViews(const ClusterView& cluster, SchedulingPass* pass)
      : scope_(std::make_shared<ViewScope>(ViewScope{pass, &cluster})) {}
  ~ScopedViews() { close(); }
  ScopedViews(const ScopedViews&) = delete;
  ScopedViews& operator=(const ScopedViews&) = delete;
  ViewRef ref() const { return ViewRef(scope_); }
  void close() { *scope_ = ViewScope{}; }

 private:
  std::shared_ptr<ViewScope> scope_;
};

struct PyJob {
  ViewRef ref;
  const JobSpec* spec_;
  const JobSpec& spec() const {
    ref.cluster();  // checks the view is still valid
    return *spec_;
  }
};

struct PyPending {
  ViewRef ref;
  PendingJob pending;
  PyJob job() const { return PyJob{ref, pending.spec}; }
};

struct PyCluster {
  ViewRef ref;
};

struct PyRng {
  ViewRef ref;
};

// A running job as a preempting Python policy sees it (SchedulingPass.running_last_first).
struct PyRunning {
  ViewRef ref;
  RunningJob running;  // its gpus span is copied into `gpus`
  std::vector<GpuIndex> gpus;
  PyJob job() const { return PyJob{ref, running.spec}; }
};

class PyPass {
 public:
  explicit PyPass(ViewRef ref) : ref(std::move(ref)) {}
  ViewRef ref;
  py::list pending_cache;
  bool pending_built = false;
};

// The request behind a PendingJob or Job view (TypeError for anything else).
const JobSpec& spec_of(const py::object& job);

}  // namespace colosim::py_bindings

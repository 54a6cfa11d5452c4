// Policies from Python: the base class, the read-only views a policy sees, and the registry.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <functional>

#include "colosim/placement_helpers.h"
#include "colosim/policies/builtin.h"
#include "colosim/registry.h"

#include "python_policy.h"

namespace colosim::py_bindings {

// --- Views, valid only during the schedule() call that created them ---

struct PassToken {
  SchedulingPass* pass = nullptr;
};

class PassRef {
 public:
  explicit PassRef(std::shared_ptr<PassToken> token) : token_(std::move(token)) {}
  SchedulingPass& pass() const {
    if (!token_->pass)
      throw Error("this view belongs to a scheduling pass that is over: keep ids or slots, not views, between passes");
    return *token_->pass;
  }
  const ClusterView& cluster() const { return pass().cluster(); }
  GpuIndex gpu(GpuIndex g) const {
    const int n = cluster().gpu_count();
    if (g < 0 || g >= n) throw py::index_error("GPU " + std::to_string(g) + " does not exist (0.." + std::to_string(n - 1) + ")");
    return g;
  }
  NodeIndex node(NodeIndex v) const {
    const int n = cluster().node_count();
    if (v < 0 || v >= n) throw py::index_error("node " + std::to_string(v) + " does not exist (0.." + std::to_string(n - 1) + ")");
    return v;
  }
  const std::shared_ptr<PassToken>& token() const { return token_; }

 private:
  std::shared_ptr<PassToken> token_;
};

struct PyJob {
  PassRef ref;
  const JobSpec* spec_;
  const JobSpec& spec() const {
    ref.pass();  // checks the view is still valid
    return *spec_;
  }
};

struct PyPending {
  PassRef ref;
  PendingJob pending;
  PyJob job() const { return PyJob{ref, pending.spec}; }
};

struct PyCluster {
  PassRef ref;
};

struct PyRng {
  PassRef ref;
};

class PyPass {
 public:
  explicit PyPass(PassRef ref) : ref(std::move(ref)) {}
  PassRef ref;
  py::list pending_cache;
  bool pending_built = false;
};

void PythonPolicy::schedule(SchedulingPass& pass) {
  py::gil_scoped_acquire gil;
  auto token = std::make_shared<PassToken>();
  token->pass = &pass;
  struct Invalidate {
    PassToken& t;
    ~Invalidate() { t.pass = nullptr; }
  } invalidate{*token};
  auto view = std::make_shared<PyPass>(PassRef(token));
  const double now_s = ticks_to_seconds(pass.now());
  try {
    schedule_view(view);
  } catch (py::error_already_set& e) {
    token->pass = nullptr;
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
    char time[64];
    std::snprintf(time, sizeof time, "%.6f", now_s);
    throw PythonPolicyFailure("Python policy '" + display_name + "' raised at simulated time " + time + " s: " + what,
                              std::move(original), display_name, now_s, base_exception);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    // pybind11 reports a subclass without schedule() as a call to a pure virtual function.
    throw PolicyError("Python policy '" + display_name + "' failed at simulated time " + std::to_string(now_s) +
                      " s: " + e.what() + " (does its class define schedule(self, pass_)?)");
  }
}

class PythonPolicyTrampoline : public PythonPolicy {
 public:
  void schedule_view(std::shared_ptr<PyPass> pass) override {
    PYBIND11_OVERRIDE_PURE_NAME(void, PythonPolicy, "schedule", schedule_view, pass);
  }
};

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
  error.attr("time_s") = f.time_s;
  if (!original.is_none()) PyException_SetCause(error.ptr(), original.inc_ref().ptr());  // steals
  PyErr_SetObject(error_types().policy_error.ptr(), error.ptr());
}

namespace {

const JobSpec& spec_of(const py::object& job) {
  if (py::isinstance<PyPending>(job)) return job.cast<const PyPending&>().job().spec();
  if (py::isinstance<PyJob>(job)) return job.cast<const PyJob&>().spec();
  throw py::type_error("expected a PendingJob or a Job view, got " + py::repr(job).cast<std::string>());
}

py::list gpu_list(const std::vector<GpuIndex>& gpus) {
  py::list out;
  for (GpuIndex g : gpus) out.append(g);
  return out;
}

NodeOrder parse_order(const std::string& order) {
  if (order == "pack" || order == "fewest_empty_first") return NodeOrder::fewest_empty_first;
  if (order == "spread" || order == "most_empty_first") return NodeOrder::most_empty_first;
  throw py::value_error("order must be 'pack' (fewest idle GPUs first) or 'spread' (most idle first), got '" + order + "'");
}

void bind_views(py::module_& m) {
  py::class_<PyJob>(m, "Job", "Read-only view of a job's request (valid during one schedule() call).")
      .def_property_readonly("id", [](const PyJob& j) { return j.spec().id; })
      .def_property_readonly("app", [](const PyJob& j) { return j.spec().app; })
      .def_property_readonly("submit_s", [](const PyJob& j) { return ticks_to_seconds(j.spec().submit); })
      .def_property_readonly("duration_s", [](const PyJob& j) { return ticks_to_seconds(j.spec().solo_duration); },
                             "solo run time at speed 1.0")
      .def_property_readonly("gpus", [](const PyJob& j) { return j.spec().gpus; }, "gang size")
      .def_property_readonly("memory_mib", [](const PyJob& j) { return j.spec().memory_mib; }, "per GPU")
      .def_property_readonly("gpu_util", [](const PyJob& j) { return j.spec().gpu_util; })
      .def_property_readonly("gpu_milli", [](const PyJob& j) { return j.spec().gpu_milli; })
      .def_property_readonly("priority", [](const PyJob& j) { return j.spec().priority; })
      .def_property_readonly("user", [](const PyJob& j) { return j.spec().user; })
      .def_property_readonly("gpu_types", [](const PyJob& j) { return j.spec().gpu_types; })
      .def_property_readonly("features", [](const PyJob& j) { return j.spec().features; })
      .def("allows_gpu_type", [](const PyJob& j, const std::string& t) { return j.spec().allows_gpu_type(t); })
      .def("__repr__", [](const PyJob& j) {
        return "Job(" + py::repr(py::str(j.spec().id)).cast<std::string>() + ", app=" +
               py::repr(py::str(j.spec().app)).cast<std::string>() + ", gpus=" + std::to_string(j.spec().gpus) +
               ", memory_mib=" + std::to_string(j.spec().memory_mib) + ")";
      });

  py::class_<PyPending>(m, "PendingJob", "A job offered in this scheduling pass: place it with pass_.place(job, gpus).")
      .def_property_readonly("slot", [](const PyPending& p) { p.ref.pass(); return p.pending.slot; })
      .def_property_readonly("seq", [](const PyPending& p) { p.ref.pass(); return p.pending.seq; }, "arrival order")
      .def_property_readonly("oom_retries", [](const PyPending& p) { p.ref.pass(); return p.pending.oom_retries; })
      .def_property_readonly("job", &PyPending::job)
      .def_property_readonly("id", [](const PyPending& p) { return p.job().spec().id; })
      .def_property_readonly("app", [](const PyPending& p) { return p.job().spec().app; })
      .def_property_readonly("gpus", [](const PyPending& p) { return p.job().spec().gpus; })
      .def_property_readonly("memory_mib", [](const PyPending& p) { return p.job().spec().memory_mib; })
      .def("__repr__", [](const PyPending& p) {
        return "PendingJob(" + py::repr(py::str(p.job().spec().id)).cast<std::string>() + ", gpus=" +
               std::to_string(p.job().spec().gpus) + ", memory_mib=" + std::to_string(p.job().spec().memory_mib) + ")";
      });

  py::class_<PyCluster>(m, "ClusterView",
                        "Read-only occupancy of the cluster during one schedule() call. GPUs are numbered node by "
                        "node from 0; an index out of range raises IndexError.")
      .def_property_readonly("gpu_count", [](const PyCluster& c) { return c.ref.cluster().gpu_count(); })
      .def_property_readonly("node_count", [](const PyCluster& c) { return c.ref.cluster().node_count(); })
      .def("node_of", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().node_of(c.ref.gpu(g)); })
      .def("first_gpu", [](const PyCluster& c, NodeIndex n) { return c.ref.cluster().first_gpu(c.ref.node(n)); })
      .def("gpus_on", [](const PyCluster& c, NodeIndex n) { return c.ref.cluster().gpus_on(c.ref.node(n)); })
      .def("empty_gpus_on", [](const PyCluster& c, NodeIndex n) { return c.ref.cluster().empty_gpus_on(c.ref.node(n)); })
      .def("gpu_type", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().type_of(c.ref.gpu(g)).name; })
      .def("capacity_mib", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().capacity_mib(c.ref.gpu(g)); })
      .def("used_mib", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().used_mib(c.ref.gpu(g)); })
      .def("free_mib", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().free_mib(c.ref.gpu(g)); })
      .def("util_sum", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().util_sum(c.ref.gpu(g)); },
           "summed solo GPU utilisation (percent) of the GPU's residents")
      .def("milli_sum", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().milli_sum(c.ref.gpu(g)); })
      .def("is_empty", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().is_empty(c.ref.gpu(g)); })
      .def("residents",
           [](const PyCluster& c, GpuIndex g) {
             py::list out;
             for (const Resident& r : c.ref.cluster().residents(c.ref.gpu(g))) out.append(r.slot);
             return out;
           },
           "slots of the jobs on GPU g (pass_.job(slot) gives their requests)")
      .def("resident_apps",
           [](const PyCluster& c, GpuIndex g) {
             py::list out;
             const auto& view = c.ref.cluster();
             for (const Resident& r : view.residents(c.ref.gpu(g))) out.append(view.app_name(r.app));
             return out;
           })
      .def("empty_gpus",
           [](const PyCluster& c) { return std::vector<GpuIndex>(c.ref.cluster().empty_gpus().begin(), c.ref.cluster().empty_gpus().end()); },
           "GPUs without residents, ascending")
      .def("by_free_memory",
           [](const PyCluster& c) {
             const auto& s = c.ref.cluster().by_free_memory();
             return std::vector<std::pair<std::int64_t, GpuIndex>>(s.begin(), s.end());
           },
           "(free MiB, GPU) ascending")
      .def("by_utilisation",
           [](const PyCluster& c) {
             const auto& s = c.ref.cluster().by_utilisation();
             return std::vector<std::pair<double, GpuIndex>>(s.begin(), s.end());
           },
           "(summed utilisation, GPU) ascending")
      .def("nodes_by_empty_gpus",
           [](const PyCluster& c) {
             const auto& s = c.ref.cluster().nodes_by_empty_gpus();
             return std::vector<std::pair<int, NodeIndex>>(s.begin(), s.end());
           },
           "(idle GPUs, node) ascending")
      .def("least_free_fitting",
           [](const PyCluster& c, std::int64_t mib) -> std::optional<GpuIndex> { return c.ref.cluster().least_free_fitting(mib); },
           py::arg("mib"), "GPU with the least free memory that still has `mib` free (None if none)")
      .def_property_readonly("max_free_mib", [](const PyCluster& c) { return c.ref.cluster().max_free_mib(); })
      .def_property_readonly("busy_gpu_count", [](const PyCluster& c) { return c.ref.cluster().busy_gpu_count(); })
      .def_property_readonly("total_used_mib", [](const PyCluster& c) { return c.ref.cluster().total_used_mib(); })
      .def_property_readonly("total_capacity_mib", [](const PyCluster& c) { return c.ref.cluster().total_capacity_mib(); })
      .def("free_mib_array",
           [](const PyCluster& c) {
             const auto& v = c.ref.cluster();
             py::array_t<std::int64_t> out(v.gpu_count());
             for (int g = 0; g < v.gpu_count(); ++g) out.mutable_at(g) = v.free_mib(g);
             return out;
           },
           "free MiB of every GPU as a NumPy array (for vectorised policies)")
      .def("node_array",
           [](const PyCluster& c) {
             const auto& v = c.ref.cluster();
             py::array_t<std::int32_t> out(v.gpu_count());
             for (int g = 0; g < v.gpu_count(); ++g) out.mutable_at(g) = v.node_of(g);
             return out;
           },
           "node of every GPU as a NumPy array");

  py::class_<PyRng>(m, "Rng", "The run's seeded generator: the only randomness a policy may use.")
      .def("below",
           [](const PyRng& r, std::uint64_t n) {
             if (n == 0) throw py::value_error("Rng.below(n) needs n > 0");
             return r.ref.pass().rng().below(n);
           },
           py::arg("n"), "uniform integer in [0, n)")
      .def("uniform", [](const PyRng& r) { return r.ref.pass().rng().uniform01(); }, "uniform float in [0, 1)")
      .def("next", [](const PyRng& r) { return r.ref.pass().rng().next(); }, "64 random bits");

  py::class_<PyPass, std::shared_ptr<PyPass>>(
      m, "SchedulingPass",
      "One scheduling point as a Python policy sees it. Valid only during the schedule() call it is given to.")
      .def_property_readonly("now", [](const PyPass& p) { return p.ref.pass().now(); }, "simulated time, microseconds")
      .def_property_readonly("now_s", [](const PyPass& p) { return ticks_to_seconds(p.ref.pass().now()); })
      .def_property_readonly("cluster", [](const PyPass& p) { p.ref.pass(); return PyCluster{p.ref}; })
      .def_property_readonly(
          "pending",
          [](PyPass& p) {
            SchedulingPass& pass = p.ref.pass();
            if (!p.pending_built) {
              for (const PendingJob& j : pass.pending()) p.pending_cache.append(PyPending{p.ref, j});
              p.pending_built = true;
            }
            return p.pending_cache;
          },
          "the jobs offered in this pass, in queue (arrival) order")
      .def_property_readonly("memory_mode", [](const PyPass& p) { return std::string(to_string(p.ref.pass().memory_mode())); })
      .def_property_readonly("rng", [](const PyPass& p) { p.ref.pass(); return PyRng{p.ref}; })
      .def("job", [](const PyPass& p, JobSlot slot) { return PyJob{p.ref, &p.ref.pass().job(slot)}; }, py::arg("slot"),
           "request of any active job, e.g. of a GPU's resident")
      .def("fits", [](const PyPass& p, const py::object& job, GpuIndex g) { return p.ref.pass().fits(spec_of(job), g); },
           py::arg("job"), py::arg("gpu"),
           "whether the job may go on GPU g now (type, share, memory, known-infeasible pairs), counting this pass's "
           "placements")
      .def("fits_ignoring_memory",
           [](const PyPass& p, const py::object& job, GpuIndex g) {
             return fits_ignoring_memory(p.ref.pass(), spec_of(job), p.ref.gpu(g));
           },
           py::arg("job"), py::arg("gpu"))
      .def(
          "place",
          [](const PyPass& p, const PyPending& job, std::vector<GpuIndex> gpus, const std::string& note) {
            if (job.ref.token() != p.ref.token())
              throw Error("place(): this PendingJob was offered in another scheduling pass");
            p.ref.pass().place(job.pending, gpus, note);
          },
          py::arg("job"), py::arg("gpus"), py::arg("note") = "",
          "starts `job` on `gpus` (its gang size, distinct). The core validates the decision and raises "
          "PolicyError when it breaks the rules (nonexistent GPU, over memory, wrong type, placed twice...).")
      .def("is_placed",
           [](const PyPass& p, const py::object& job) {
             if (py::isinstance<PyPending>(job)) return p.ref.pass().is_placed(job.cast<const PyPending&>().pending.slot);
             return p.ref.pass().is_placed(job.cast<JobSlot>());
           },
           py::arg("job"), "whether a pending job (or slot) was placed in this pass")
      .def("slowdown",
           [](const PyPass& p, const py::object& job, GpuIndex g) {
             SchedulingPass& pass = p.ref.pass();
             const auto& view = pass.cluster();
             std::vector<const JobSpec*> corunners;
             for (const Resident& r : view.residents(p.ref.gpu(g))) corunners.push_back(&pass.job(r.slot));
             return pass.interference().slowdown(spec_of(job), corunners, view.type_of(g));
           },
           py::arg("job"), py::arg("gpu"),
           "the interference model's slowdown of `job` beside GPU g's current residents (1.0 on an idle GPU)")
      .def("needs_several_nodes",
           [](const PyPass& p, const py::object& job) { return needs_several_nodes(p.ref.pass(), spec_of(job)); },
           py::arg("job"))
      .def(
          "gang_on_one_node",
          [](const PyPass& p, const py::object& job, const std::string& order, const py::object& usable,
             const py::object& score) {
            SchedulingPass& pass = p.ref.pass();
            const JobSpec& spec = spec_of(job);
            GpuFilter filter = [&](GpuIndex g) { return usable.is_none() ? pass.fits(spec, g) : usable(g).cast<bool>(); };
            GpuScore scorer = [&](GpuIndex g) { return score.is_none() ? 0.0 : score(g).cast<double>(); };
            return gpu_list(gang_on_one_node(pass, spec, parse_order(order), filter, scorer));
          },
          py::arg("job"), py::arg("order") = "pack", py::arg("usable") = py::none(), py::arg("score") = py::none(),
          "`job.gpus` GPUs of one node that pass `usable(g)` (default: pass_.fits), the lowest `score(g)` first "
          "(ties: lower index), from the first node in `order` ('pack': fewest idle GPUs first, 'spread': most); "
          "[] when no node has enough.")
      .def("gang_on_whole_nodes",
           [](const PyPass& p, const py::object& job) { return gpu_list(gang_on_whole_nodes(p.ref.pass(), spec_of(job))); },
           py::arg("job"), "the documented rule for gangs larger than any node: whole idle nodes; [] if too few");
}

PolicyHandle make_policy(const PolicyRegistry& r, const std::string& spec) {
  auto policy = r.make(spec);
  PolicyHandle h{policy, PolicySpec::parse(spec).to_string(), nullptr};
  if (auto* py_policy = dynamic_cast<PythonPolicy*>(policy.get())) h.python = py_policy;
  return h;
}

}  // namespace

void bind_policy(py::module_& m) {
  bind_views(m);

  py::class_<PythonPolicy, PythonPolicyTrampoline, std::shared_ptr<PythonPolicy>>(
      m, "Policy",
      "Base class of placement policies written in Python.\n\n"
      "Subclass it and implement schedule(self, pass_): called at every scheduling point with the whole pending "
      "batch (pass_.pending, in arrival order); place jobs with pass_.place(job, gpus) and change nothing else. "
      "Jobs left unplaced stay queued. Use pass_.rng for randomness so that runs are reproducible. Set a class "
      "attribute `name` to name the policy in errors (default: the class name). Call super().__init__() if you "
      "define __init__.")
      .def(py::init<>())
      .def("schedule", &PythonPolicy::schedule_view, py::arg("pass_"),
           "Places zero or more of pass_.pending; to be overridden.");

  py::class_<PolicyHandle>(m, "PolicyHandle", "A policy instance made by a registry, ready for run().")
      .def_readonly("name", &PolicyHandle::name)
      .def("__repr__", [](const PolicyHandle& h) { return "PolicyHandle(" + py::repr(py::str(h.name)).cast<std::string>() + ")"; });

  py::class_<PolicyRegistry>(m, "PolicyRegistry",
                             "Policies by name: name -> description, parameter schema, factory. A value, not global "
                             "state: colosim.registry is the module's default one.")
      .def(py::init<>())
      .def_static("builtin", &builtin_policies, "A registry holding the built-in policies.")
      .def("copy", [](const PolicyRegistry& r) { return r; })
      .def("names",
           [](const PolicyRegistry& r) {
             std::vector<std::string> out;
             for (const auto* i : r.list()) out.push_back(i->name);
             return out;
           })
      .def(
          "info",
          [](const PolicyRegistry& r, const std::string& name) -> py::object {
            const PolicyInfo* i = r.find(name);
            if (!i) return py::none();
            py::list params;
            for (const auto& p : i->params) params.append(py::make_tuple(p.name, p.default_value, p.help));
            return py::dict(py::arg("name") = i->name, py::arg("description") = i->description,
                            py::arg("params") = params);
          },
          py::arg("name"), "dict name, description, params [(name, default, help)], or None")
      .def("__contains__", [](const PolicyRegistry& r, const std::string& name) { return r.find(name) != nullptr; })
      .def(
          "add_python",
          [](PolicyRegistry& r, const std::string& name, const std::string& description,
             const std::vector<std::tuple<std::string, std::string, std::string>>& params, py::function factory) {
            PolicyInfo info;
            info.name = name;
            info.description = description;
            for (const auto& [n, d, h] : params) info.params.push_back(ParamSpec{n, d, h});
            // Copies of the std::function may be destroyed without the GIL: hold the callable through
            // a pointer released under the GIL.
            auto callable = std::shared_ptr<py::object>(new py::object(std::move(factory)), [](py::object* o) {
              py::gil_scoped_acquire g;
              delete o;
            });
            info.make = [callable, name](const PolicyParams& p) -> std::shared_ptr<PlacementPolicy> {
              py::gil_scoped_acquire g;
              py::dict kwargs;
              for (const auto& [k, v] : p.values()) kwargs[py::str(k)] = v;
              py::object instance = (*callable)(kwargs);
              return hold_python_policy(instance, name).policy;
            };
            r.add(std::move(info));
          },
          py::arg("name"), py::arg("description"), py::arg("params"), py::arg("factory"),
          "Registers a Python policy: factory(params: dict[str, str]) returns a colosim.Policy instance. Use "
          "colosim.register_policy() rather than this.")
      .def("make", &make_policy, py::arg("spec"),
           "A new policy instance from 'name' or 'name:key=value,...'; unknown names and keys raise colosim.Error.");
}

}  // namespace colosim::py_bindings

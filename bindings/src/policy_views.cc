// Python bindings of the read-only views a Python policy receives: Job, PendingJob, ClusterView,
// Rng and SchedulingPass (policy_views.h says how they stay safe after the call).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <functional>
#include <optional>

#include "colosim/placement_helpers.h"

#include "policy_views.h"

namespace colosim::py_bindings {

GpuIndex ViewRef::gpu(GpuIndex g) const {
  const int n = cluster().gpu_count();
  if (g < 0 || g >= n) throw py::index_error("GPU " + std::to_string(g) + " does not exist (0.." + std::to_string(n - 1) + ")");
  return g;
}

NodeIndex ViewRef::node(NodeIndex v) const {
  const int n = cluster().node_count();
  if (v < 0 || v >= n) throw py::index_error("node " + std::to_string(v) + " does not exist (0.." + std::to_string(n - 1) + ")");
  return v;
}

const JobSpec& spec_of(const py::object& job) {
  if (py::isinstance<PyPending>(job)) return job.cast<const PyPending&>().job().spec();
  if (py::isinstance<PyJob>(job)) return job.cast<const PyJob&>().spec();
  throw py::type_error("expected a PendingJob or a Job view, got " + py::repr(job).cast<std::string>());
}

namespace {

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

}  // namespace

void bind_policy_views(py::module_& m) {
  py::class_<PyJob>(m, "Job", "Read-only view of a job's request (valid during the policy call that gave it).")
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
      .def_property_readonly("rank", [](const PyPending& p) { p.ref.pass(); return p.pending.rank; },
                             "its rank under the run's queue order: (rank, seq) lower goes first")
      .def_property_readonly("job", &PyPending::job)
      .def_property_readonly("id", [](const PyPending& p) { return p.job().spec().id; })
      .def_property_readonly("app", [](const PyPending& p) { return p.job().spec().app; })
      .def_property_readonly("gpus", [](const PyPending& p) { return p.job().spec().gpus; })
      .def_property_readonly("memory_mib", [](const PyPending& p) { return p.job().spec().memory_mib; })
      .def("__repr__", [](const PyPending& p) {
        return "PendingJob(" + py::repr(py::str(p.job().spec().id)).cast<std::string>() + ", gpus=" +
               std::to_string(p.job().spec().gpus) + ", memory_mib=" + std::to_string(p.job().spec().memory_mib) + ")";
      });

  py::class_<PyRunning>(m, "RunningJob", "A running job, as SchedulingPass.running_last_first() lists it.")
      .def_property_readonly("slot", [](const PyRunning& r) { r.ref.pass(); return r.running.slot; })
      .def_property_readonly("seq", [](const PyRunning& r) { r.ref.pass(); return r.running.seq; }, "arrival order")
      .def_property_readonly("rank", [](const PyRunning& r) { r.ref.pass(); return r.running.rank; },
                             "its current rank under the run's queue order")
      .def_property_readonly("gpus", [](const PyRunning& r) { r.ref.pass(); return r.gpus; })
      .def_property_readonly("job", &PyRunning::job)
      .def_property_readonly("id", [](const PyRunning& r) { return r.job().spec().id; })
      .def("outranked_by",
           [](const PyRunning& r, const PyPending& p) {
             r.ref.pass();
             return r.running.outranked_by(p.pending);
           },
           py::arg("pending"), "whether the pending job comes before this one in queue order")
      .def("__repr__", [](const PyRunning& r) {
        return "RunningJob(" + py::repr(py::str(r.job().spec().id)).cast<std::string>() + ", rank=" +
               py::repr(py::float_(r.running.rank)).cast<std::string>() + ")";
      });

  py::class_<PyCluster>(m, "ClusterView",
                        "Read-only occupancy of the cluster during one policy call (schedule, may_fit, gpu_room). GPUs are numbered node by "
                        "node from 0; an index out of range raises IndexError.")
      .def_property_readonly("gpu_count", [](const PyCluster& c) { return c.ref.cluster().gpu_count(); })
      .def_property_readonly("node_count", [](const PyCluster& c) { return c.ref.cluster().node_count(); })
      .def("node_of", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().node_of(c.ref.gpu(g)); })
      .def("first_gpu", [](const PyCluster& c, NodeIndex n) { return c.ref.cluster().first_gpu(c.ref.node(n)); })
      .def("gpus_on", [](const PyCluster& c, NodeIndex n) { return c.ref.cluster().gpus_on(c.ref.node(n)); })
      .def("empty_gpus_on", [](const PyCluster& c, NodeIndex n) { return c.ref.cluster().empty_gpus_on(c.ref.node(n)); })
      .def("cpu_capacity_milli", [](const PyCluster& c, NodeIndex n) { return c.ref.cluster().cpu_capacity_milli(c.ref.node(n)); },
           "the node's CPU, milli-cores (0: not limited)")
      .def("used_cpu_milli", [](const PyCluster& c, NodeIndex n) { return c.ref.cluster().used_cpu_milli(c.ref.node(n)); },
           "CPU its jobs ask for (0 when the run ignores node resources)")
      .def("host_memory_capacity_mib",
           [](const PyCluster& c, NodeIndex n) { return c.ref.cluster().host_memory_capacity_mib(c.ref.node(n)); },
           "the node's host memory, MiB (0: not limited)")
      .def("used_host_memory_mib", [](const PyCluster& c, NodeIndex n) { return c.ref.cluster().used_host_memory_mib(c.ref.node(n)); },
           "host memory its jobs ask for (0 when the run ignores node resources)")
      .def("gpu_type", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().type_of(c.ref.gpu(g)).name; })
      .def("capacity_mib", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().capacity_mib(c.ref.gpu(g)); })
      .def("used_mib", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().used_mib(c.ref.gpu(g)); })
      .def("free_mib", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().free_mib(c.ref.gpu(g)); })
      .def("util_sum", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().util_sum(c.ref.gpu(g)); },
           "summed solo GPU utilisation (percent) of the GPU's residents")
      .def("milli_sum", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().milli_sum(c.ref.gpu(g)); })
      .def("is_empty", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().is_empty(c.ref.gpu(g)); })
      .def("time_sliced", [](const PyCluster& c, GpuIndex g) { return c.ref.cluster().time_sliced(c.ref.gpu(g)); },
           "whether the jobs on GPU g take turns (time-slicing) rather than run concurrently")
      .def("speed_of", [](const PyCluster& c, const py::object& job, GpuIndex g) { return c.ref.cluster().speed_of(spec_of(job), c.ref.gpu(g)); },
           py::arg("job"), py::arg("gpu"),
           "the job's speed on GPU g: its application's entry in the cluster's app_speeds for the GPU type, else the type's speed")
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
      .def_property_readonly("queue_order", [](const PyPass& p) { return p.ref.pass().queue_order(); },
                             "the run's queue order, canonical ('fifo', '2d-las', ...)")
      .def(
          "running_last_first",
          [](const PyPass& p, std::optional<std::size_t> limit) {
            py::list out;
            p.ref.pass().visit_running_last_first([&](const RunningJob& r) {
              if (limit && out.size() >= *limit) return false;
              out.append(PyRunning{p.ref, r, std::vector<GpuIndex>(r.gpus.begin(), r.gpus.end())});
              return true;
            });
            return out;
          },
          py::arg("limit") = py::none(),
          "running jobs from the last in queue order (the first to displace) towards the first, at most `limit` "
          "(O(log n) each: ask for the few you need)")
      .def(
          "preempt",
          [](const PyPass& p, const py::object& job, const std::string& reason) {
            const JobSlot slot = py::isinstance<PyRunning>(job) ? job.cast<const PyRunning&>().running.slot : job.cast<JobSlot>();
            p.ref.pass().preempt(slot, reason);
          },
          py::arg("job"), py::arg("reason") = "",
          "preempts a running job (a RunningJob or its slot): it frees its GPUs (after the suspend delay) and returns "
          "to the queue with its progress; PolicyError unless it was running when the pass began, and once per pass")
      .def(
          "set_time_sliced", [](const PyPass& p, GpuIndex g, bool on) { p.ref.pass().set_time_sliced(g, on); },
          py::arg("gpu"), py::arg("on"),
          "switches GPU g between time-slicing (its jobs take turns) and concurrent running; its jobs' rates change now")
      .def(
          "call_back_at", [](const PyPass& p, Tick when) { p.ref.pass().call_back_at(when); }, py::arg("time"),
          "asks for a scheduling pass at `time` (microseconds, after now) even if nothing else happens then")
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
            if (!job.ref.same_scope(p.ref))
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

}  // namespace colosim::py_bindings

// Cluster specs: GpuType, Node, Cluster (uniform, from a file, or built field by field).
#include <pybind11/stl.h>

#include "colosim/cluster_spec.h"
#include "colosim/traces/cluster_io.h"

#include "bindings.h"

namespace colosim::py_bindings {

void bind_cluster(py::module_& m) {
  py::class_<GpuType>(m, "GpuType", "A GPU type: name, usable memory (MiB) and relative speed.")
      .def(py::init([](std::string name, std::int64_t memory_mib, double speed) {
             return GpuType{std::move(name), memory_mib, speed};
           }),
           py::arg("name"), py::arg("memory_mib"), py::arg("speed") = 1.0)
      .def_readwrite("name", &GpuType::name)
      .def_readwrite("memory_mib", &GpuType::memory_mib)
      .def_readwrite("speed", &GpuType::speed, "relative compute speed; solo durations are at speed 1.0")
      .def("__repr__", [](const GpuType& t) {
        return "GpuType(name=" + py::repr(py::str(t.name)).cast<std::string>() + ", memory_mib=" +
               std::to_string(t.memory_mib) + ", speed=" + py::repr(py::float_(t.speed)).cast<std::string>() + ")";
      });

  py::class_<NodeSpec>(m, "Node", "A node: name, GPU type name, GPU count (host CPU and memory are informational).")
      .def(py::init([](std::string name, std::string gpu_type, int gpus, std::int64_t cpu_milli, std::int64_t memory_mib) {
             return NodeSpec{std::move(name), std::move(gpu_type), gpus, cpu_milli, memory_mib};
           }),
           py::arg("name"), py::arg("gpu_type"), py::arg("gpus"), py::arg("cpu_milli") = 0, py::arg("memory_mib") = 0)
      .def_readwrite("name", &NodeSpec::name)
      .def_readwrite("gpu_type", &NodeSpec::gpu_type)
      .def_readwrite("gpus", &NodeSpec::gpus)
      .def_readwrite("cpu_milli", &NodeSpec::cpu_milli)
      .def_readwrite("memory_mib", &NodeSpec::memory_mib)
      .def("__repr__", [](const NodeSpec& n) {
        return "Node(name=" + py::repr(py::str(n.name)).cast<std::string>() + ", gpu_type=" +
               py::repr(py::str(n.gpu_type)).cast<std::string>() + ", gpus=" + std::to_string(n.gpus) + ")";
      });

  py::class_<AppSpeed>(m, "AppSpeed",
                       "One application's speed on one GPU type, overriding the type's speed for it (a throughput table: "
                       "throughput there over throughput on the reference type, where solo durations are measured); gpus > 0: "
                       "only for gangs of that size")
      .def(py::init([](std::string app, std::string gpu_type, double speed, int gpus) {
             return AppSpeed{std::move(app), std::move(gpu_type), gpus, speed};
           }),
           py::arg("app"), py::arg("gpu_type"), py::arg("speed"), py::arg("gpus") = 0)
      .def_readwrite("app", &AppSpeed::app)
      .def_readwrite("gpu_type", &AppSpeed::gpu_type)
      .def_readwrite("gpus", &AppSpeed::gpus)
      .def_readwrite("speed", &AppSpeed::speed);

  py::class_<ClusterSpec>(m, "Cluster",
                          "A cluster: GPU types and nodes. GPUs are numbered node by node from 0.\n\n"
                          "`gpu_types` and `nodes` are copied in and out: assign whole lists.")
      .def(py::init([](std::string name, std::vector<GpuType> gpu_types, std::vector<NodeSpec> nodes, std::vector<AppSpeed> app_speeds) {
             ClusterSpec c{std::move(name), std::move(gpu_types), std::move(nodes), std::move(app_speeds)};
             c.validate("Cluster");
             return c;
           }),
           py::arg("name") = "cluster", py::arg("gpu_types"), py::arg("nodes"), py::arg("app_speeds") = std::vector<AppSpeed>{},
           "Raises InputError when a node names an unknown GPU type, a count is not positive or names repeat.")
      .def_static(
          "uniform",
          [](int nodes, int gpus_per_node, const std::string& gpu_type, std::int64_t memory_mib, double speed) {
            ClusterSpec c = ClusterSpec::uniform(nodes, gpus_per_node, GpuType{gpu_type, memory_mib, speed});
            c.validate("Cluster.uniform");
            return c;
          },
          py::arg("nodes"), py::arg("gpus_per_node"), py::arg("gpu_type") = "V100", py::arg("memory_mib") = 16384,
          py::arg("speed") = 1.0, "`nodes` nodes of `gpus_per_node` GPUs of one type, named node0, node1, ...")
      .def_static("load", &traces::read_cluster, py::arg("path"),
                  "Reads a cluster spec (.textproto, .txtpb, .pbtxt, .json or .pb), as `colosim run --cluster` does.")
      .def("save", [](const ClusterSpec& c, const std::string& path) { traces::write_cluster(c, path); },
           py::arg("path"), "Writes the spec; the format follows the extension, as for load().")
      .def_readwrite("name", &ClusterSpec::name)
      .def_readwrite("gpu_types", &ClusterSpec::gpu_types)
      .def_readwrite("nodes", &ClusterSpec::nodes)
      .def_readwrite("app_speeds", &ClusterSpec::app_speeds)
      .def_property_readonly("total_gpus", &ClusterSpec::total_gpus)
      .def("validate", [](const ClusterSpec& c) { c.validate("Cluster"); }, "Raises InputError when inconsistent.")
      .def("gpu_types_by_gpu",
           [](const ClusterSpec& c) {
             c.validate("Cluster");
             std::vector<std::string> out;
             for (const auto& n : c.nodes)
               for (int i = 0; i < n.gpus; ++i) out.push_back(n.gpu_type);
             return out;
           },
           "GPU type name of every GPU, in GPU index order.")
      .def("__repr__", [](const ClusterSpec& c) {
        return "Cluster(name=" + py::repr(py::str(c.name)).cast<std::string>() + ", " + std::to_string(c.nodes.size()) +
               " nodes, " + std::to_string(c.total_gpus()) + " GPUs)";
      });
}

}  // namespace colosim::py_bindings

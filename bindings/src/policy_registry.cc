// Python bindings of the policy registry (name -> description, parameter schema, factory) and of
// the handles it makes; Python policies join it through add_python().
#include <pybind11/stl.h>

#include <tuple>

#include "colosim/policies/builtin.h"
#include "colosim/registry.h"

#include "python_policy.h"

namespace colosim::py_bindings {

namespace {

PolicyHandle make_policy(const PolicyRegistry& r, const std::string& spec) {
  auto policy = r.make(spec);
  PolicyHandle h{policy, PolicySpec::parse(spec).to_string(), nullptr};
  if (auto* py_policy = dynamic_cast<PythonPolicy*>(policy.get())) h.python = py_policy;
  return h;
}

}  // namespace

void bind_policy_registry(py::module_& m) {
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

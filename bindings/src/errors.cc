// C++ errors -> Python exceptions: colosim.Error (a RuntimeError) and its subclasses
// InputError (with file, line, field, problem), PolicyError and SimulationError.
#include "colosim/errors.h"

#include "bindings.h"

namespace colosim::py_bindings {
namespace {

ErrorTypes g_types;  // set once at import; the module's attributes keep the classes alive

py::handle new_exception(py::module_& m, const char* name, py::handle base, const char* doc) {
  const std::string qualified = std::string("colosim.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base.ptr(), nullptr);
  if (!type) throw py::error_already_set();
  m.add_object(name, py::handle(type));  // steals the new reference
  return py::handle(type);
}

void raise(py::handle type, const std::exception& e) {
  py::object instance = py::reinterpret_borrow<py::object>(type)(e.what());
  PyErr_SetObject(type.ptr(), instance.ptr());
}

}  // namespace

const ErrorTypes& error_types() { return g_types; }

void bind_errors(py::module_& m) {
  g_types.error = new_exception(m, "Error", PyExc_RuntimeError, "Base class of every colosim error.");
  g_types.input_error = new_exception(
      m, "InputError", g_types.error,
      "Bad input: a file, a record or a field. Attributes: file, line (0 when not applicable), field, problem.");
  g_types.policy_error = new_exception(
      m, "PolicyError", g_types.error,
      "A placement policy broke its contract (nonexistent GPU, over memory, placed twice...), or a Python "
      "policy raised. Attributes for a Python policy's exception: policy, time_s; __cause__ is the original.");
  g_types.simulation_error = new_exception(
      m, "SimulationError", g_types.error,
      "The simulation cannot go on with this configuration (e.g. a pair the interference model cannot answer).");

  // Most derived first; anything else falls through to pybind11's own translators.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      py::object instance = py::reinterpret_borrow<py::object>(g_types.input_error)(e.what());
      instance.attr("file") = e.file();
      instance.attr("line") = e.line();
      instance.attr("field") = e.field();
      instance.attr("problem") = e.problem();
      PyErr_SetObject(g_types.input_error.ptr(), instance.ptr());
    } catch (const PolicyError& e) {
      raise(g_types.policy_error, e);
    } catch (const SimulationError& e) {
      raise(g_types.simulation_error, e);
    } catch (const Error& e) {
      raise(g_types.error, e);
    }
  });
}

}  // namespace colosim::py_bindings

#pragma once
// Typed errors. InputError always says where the bad input is (file, line or record, field)
// so that the CLI and the Python module can show it as it is.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace colosim {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InputError : public Error {
 public:
  // line: 1-based line or record number, 0 when not applicable.
  InputError(std::string file, std::int64_t line, std::string field, std::string problem);

  const std::string& file() const { return file_; }
  std::int64_t line() const { return line_; }
  const std::string& field() const { return field_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::int64_t line_;
  std::string field_;
  std::string problem_;
};

// A placement policy broke its contract (placed on a nonexistent GPU, over memory, twice...).
class PolicyError : public Error {
 public:
  using Error::Error;
};

// The simulation cannot go on with the given configuration (e.g. an interference pair that
// the model cannot answer and no default was configured).
class SimulationError : public Error {
 public:
  using Error::Error;
};

// A run abandoned on request (Ctrl-C through an interrupt check, Simulator::set_interrupt_check),
// not a failure: the CLI exits 130. Not an Error, so that no handler of errors mistakes it for one.
struct Interrupted : std::exception {
  const char* what() const noexcept override { return "interrupted"; }
};

}  // namespace colosim

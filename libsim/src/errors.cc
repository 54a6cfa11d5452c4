#include "colosim/errors.h"

namespace colosim {
namespace {
std::string format_input_error(const std::string& file, std::int64_t line, const std::string& field,
                               const std::string& problem) {
  std::string where;
  where.reserve(file.size() + field.size() + problem.size() + 32);
  where.append(file);
  if (line > 0) where.append(":").append(std::to_string(line));
  if (!field.empty()) where.append(": field '").append(field).append("'");
  where.append(": ").append(problem);
  return where;
}
}  // namespace

InputError::InputError(std::string file, std::int64_t line, std::string field, std::string problem)
    : Error(format_input_error(file, line, field, problem)),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)),
      problem_(std::move(problem)) {}

}  // namespace colosim

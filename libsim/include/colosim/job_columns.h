#pragma once
// The columns of a per-job result, defined once: jobs.csv, Result.jobs (the Python DataFrame),
// the column list Python exposes and the report read job_columns(). Adding a column = a
// JobRecord field and one row here.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "colosim/observer.h"

namespace colosim {

enum class ColumnType { text, real, count };

// A cell: missing (empty in CSV, NaN in a DataFrame), text, a real or a count.
using Cell = std::variant<std::monostate, std::string, double, std::int64_t>;

struct JobColumn {
  const char* key;
  ColumnType type;
  const char* help;
  Cell (*get)(const JobRecord&);
};

const std::vector<JobColumn>& job_columns();

// Reals are written with 6 decimals (times are whole microseconds, so nothing is lost); the
// DataFrame carries exactly the printed value.
constexpr int kJobRealDecimals = 6;

}  // namespace colosim

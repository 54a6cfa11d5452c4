#pragma once
// The columns of a per-job result, defined once: jobs.csv, Result.jobs (the Python DataFrame),
// the column list Python exposes and the report read job_columns(). Adding a column = a
// JobRecord field and one row here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "colosim/observer.h"

namespace colosim {

enum class ColumnType { text, real, count };

// A cell: missing (empty in CSV, NaN in a DataFrame), text (made for the cell, or a view of the
// record's own or static text, valid while the record lives: no copy per row), a real or a count.
using Cell = std::variant<std::monostate, std::string, std::string_view, double, std::int64_t>;

// The text of a text cell; nothing for a cell of another kind.
inline std::optional<std::string_view> cell_text(const Cell& cell) {
  if (const auto* owned = std::get_if<std::string>(&cell)) return *owned;
  if (const auto* view = std::get_if<std::string_view>(&cell)) return *view;
  return std::nullopt;
}

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

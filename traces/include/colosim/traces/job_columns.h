#pragma once
// The columns of the CSV job format, defined once for every table of jobs: the CSV file reader
// (job_csv.h) and Python's Trace.from_columns / DataFrame path (bindings/src/trace.cc).
//   required: id, app, submit_s, duration_s, gpus
//   optional: memory_mib (default 0), gpu_util (0), gpu_milli (0), priority (0), user (""),
//             gpu_types ('|'-separated; empty: any), feature.<name> (a number; empty: unknown),
//             recorded_start_s, recorded_end_s, recorded_nodes ('|'-separated), recorded_state:
//             the real run of a job from a cluster's log (RecordedRun; all empty: none)
// An unknown column or a missing required one is an error; so is a missing value (empty cell,
// None, NaN) in a required column.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "colosim/job.h"

namespace colosim::traces {

// One row's cells, as its table holds them. Columns are indices into the header.
class JobCells {
 public:
  virtual ~JobCells() = default;
  // True when the cell holds no value: an empty CSV field; None or NaN in Python.
  virtual bool missing(int column) const = 0;
  // The cell as text; nullopt when the table holds something that is not text there.
  virtual std::optional<std::string> text(int column) const = 0;
  // The cell as a finite number; nullopt when it is not one.
  virtual std::optional<double> number(int column) const = 0;
  // The cell as an exact integer; nullopt when it is not one (or is out of range).
  virtual std::optional<std::int64_t> integer(int column) const = 0;
  // The cell as the user wrote it, for messages.
  virtual std::string shown(int column) const = 0;
};

class JobColumns {
 public:
  // Checks the header. Throws InputError(file, header_line, column, problem).
  JobColumns(std::vector<std::string> header, std::string file, std::int64_t header_line);

  // True for the columns read as text (id, app, user, gpu_types, recorded_nodes, recorded_state).
  bool is_text(int column) const;
  const std::vector<std::string>& header() const { return header_; }

  // The job of one row, checked by validate_job (colosim/job.h). Throws InputError(file, line,
  // column, problem), the column named as in the header.
  JobSpec parse(const JobCells& row, std::int64_t line) const;

  // The column of the submit time, for the stream checks (job_checks.h).
  static constexpr const char* kSubmitColumn = "submit_s";

 private:
  enum Kind {
    id, app, submit, duration, gpus, memory, util, milli, priority, user, types,
    recorded_start, recorded_end, recorded_nodes, recorded_state, feature
  };
  [[noreturn]] void fail(std::int64_t line, int column, const std::string& problem) const;
  double number(const JobCells& row, std::int64_t line, int column) const;
  std::int64_t integer(const JobCells& row, std::int64_t line, int column) const;
  std::string text(const JobCells& row, std::int64_t line, int column) const;
  std::vector<std::string> bar_list(const JobCells& row, std::int64_t line, int column, const char* what) const;

  std::vector<std::string> header_;
  std::string file_;
  std::vector<Kind> kinds_;  // per header column
  int column_of_[feature] = {};  // Kind -> header column, -1 when absent
};

}  // namespace colosim::traces

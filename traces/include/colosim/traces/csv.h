#pragma once
// A strict CSV reader (RFC 4180 quoting, comma separated, header row) that knows its file and
// line, so that every parse error can say exactly where it is.
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace colosim::traces {

// `text` as one CSV field: quoted (RFC 4180) when it holds a comma, quote or line break.
std::string csv_quote(const std::string& text);
// The same field appended to `out`.
void append_csv_field(std::string& out, std::string_view text);

class CsvReader {
 public:
  // Throws InputError when the file cannot be opened or has no header.
  explicit CsvReader(std::string path, char separator = ',');

  const std::string& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }
  // Column index of `name`; InputError naming the header line if required and missing.
  int column(std::string_view name) const;
  std::optional<int> find_column(std::string_view name) const;

  // Reads the next non-empty record; false at the end. Throws InputError when its field
  // count differs from the header's.
  bool next();
  std::int64_t line() const { return line_; }
  const std::string& field(int column) const { return fields_[static_cast<std::size_t>(column)]; }

  // Typed fields; each throws InputError(file, line, column name, problem).
  double number(int column) const;
  std::int64_t integer(int column) const;
  const std::string& text(int column) const { return field(column); }
  [[noreturn]] void fail(int column, const std::string& problem) const;

 private:
  bool read_record(std::vector<std::string>& out);

  std::string path_;
  char separator_;
  std::ifstream in_;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;
  std::int64_t line_ = 0;       // line where the current record starts
  std::int64_t next_line_ = 1;  // line the next read starts on
};

}  // namespace colosim::traces

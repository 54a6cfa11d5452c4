#include "colosim/traces/csv.h"

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/proto_file.h"

namespace colosim::traces {

std::string csv_quote(const std::string& text) {
  std::string out;
  append_csv_field(out, text);
  return out;
}

void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

CsvReader::CsvReader(std::string path, char separator) : path_(std::move(path)), separator_(separator), in_(path_) {
  check_not_directory(path_);
  if (!in_) throw InputError(path_, 0, "", "cannot open file");
  if (!read_record(header_)) throw InputError(path_, 1, "", "empty file: expected a header line");
  for (auto& h : header_)
    if (!h.empty() && h.back() == '\r') h.pop_back();
  // A UTF-8 byte-order mark is not part of the first column's name.
  if (!header_.empty() && header_[0].rfind("\xEF\xBB\xBF", 0) == 0) header_[0].erase(0, 3);
  for (std::size_t i = 0; i < header_.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (header_[i] == header_[j])
        throw InputError(path_, 1, header_[i], "column named twice (which one holds the values?)");
}

std::optional<int> CsvReader::find_column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

int CsvReader::column(std::string_view name) const {
  if (auto c = find_column(name)) return *c;
  std::string have;
  for (const auto& h : header_) have += (have.empty() ? "" : ",") + h;
  throw InputError(path_, 1, std::string(name), "missing column (header is: " + have + ")");
}

bool CsvReader::read_record(std::vector<std::string>& out) {
  out.clear();
  std::string line;
  for (;;) {
    if (!std::getline(in_, line)) return false;
    line_ = next_line_++;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) break;
  }
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0;; ++i) {
    if (i == line.size()) {
      if (!quoted) break;
      // A quoted field continues on the next line.
      std::string more;
      if (!std::getline(in_, more)) throw InputError(path_, line_, "", "unterminated quoted field");
      ++next_line_;
      if (!more.empty() && more.back() == '\r') more.pop_back();
      field += '\n';
      line = std::move(more);
      i = static_cast<std::size_t>(-1);
      continue;
    }
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == separator_) {
      out.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  out.push_back(std::move(field));
  return true;
}

bool CsvReader::next() {
  if (!read_record(fields_)) return false;
  if (fields_.size() != header_.size())
    throw InputError(path_, line_, "", "expected " + std::to_string(header_.size()) + " fields as in the header, found " +
                                           std::to_string(fields_.size()));
  return true;
}

void CsvReader::fail(int column, const std::string& problem) const {
  throw InputError(path_, line_, header_[static_cast<std::size_t>(column)], problem);
}

double CsvReader::number(int column) const {
  const std::string& s = field(column);
  if (s.empty()) fail(column, "empty value, expected a number");
  if (auto x = parse_number(s)) return *x;
  fail(column, "'" + s + "' is not a finite number");
}

std::int64_t CsvReader::integer(int column) const {
  const std::string& s = field(column);
  if (auto x = parse_integer(s)) return *x;
  fail(column, "'" + s + "' is not an integer (or out of range)");
}

}  // namespace colosim::traces

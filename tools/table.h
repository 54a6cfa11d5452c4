#pragma once
// Plain-text tables for the terminal: left-aligned first column, right-aligned numbers.
#include <string>
#include <vector>

namespace colosim::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace colosim::cli

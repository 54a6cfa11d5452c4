#pragma once
// Flags and conventions that several commands share, each defined once here:
//   -q/--quiet       no progress or chatter on stderr; results are still printed and written
//   --trace-format   the encoding of a trace file, needed for "-" (standard input, CSV otherwise)
//   --vary           how a trace varies with the seed (traces::VariationSpec)
//   --allow-empty    a trace without jobs is not an error
//   --format         text or json, for commands whose result is a record (run, trace-info)
//   "-" as OUT       the output goes to standard output (OutputFile)
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace colosim::cli {

void add_quiet_flag(CLI::App* cmd, bool& quiet);
void add_trace_format_flag(CLI::App* cmd, std::string& format);
void add_vary_flag(CLI::App* cmd, std::string& vary);
void add_allow_empty_flag(CLI::App* cmd, bool& allow_empty);
void add_output_format_flag(CLI::App* cmd, std::string& format);  // "text" (default) or "json"

// Progress and "wrote ..." lines: on stderr, so that stdout carries only results (and "-"
// outputs), and silent under --quiet.
class Chatter {
 public:
  explicit Chatter(bool quiet) : quiet_(quiet) {}
  template <typename... Args>
  void operator()(fmt::format_string<Args...> format, Args&&... args) const {
    if (!quiet_) fmt::print(stderr, format, std::forward<Args>(args)...);
  }

 private:
  bool quiet_;
};

// An output trace path, or "-": standard output. A trace writer writes a file whole or not at
// all (trace_writer.h), so for "-" it writes a private temporary file, copied to stdout by
// finish(). Without an explicit format (a trace format spec), standard output gets CSV.
class OutputFile {
 public:
  OutputFile(const std::string& path, const std::string& format);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::filesystem::path& path() const { return path_; }  // where to write
  const std::string& format() const { return format_; }  // "": by the path's extension
  bool to_stdout() const { return !temp_dir_.empty(); }
  const std::string& name() const { return name_; }  // the path as given, or "<stdout>"
  void finish() const;  // after the writer's finish(): copies the temporary file to stdout

 private:
  std::filesystem::path path_, temp_dir_;
  std::string format_;
  std::string name_;
};

}  // namespace colosim::cli

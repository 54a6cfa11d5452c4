#include "shared_flags.h"

#include <stdlib.h>

#include <fstream>
#include <vector>

#include "colosim/errors.h"
#include "colosim/traces/trace_format.h"

namespace colosim::cli {

void add_quiet_flag(CLI::App* cmd, bool& quiet) {
  cmd->add_flag("-q,--quiet", quiet, "no progress or chatter on stderr (results are still printed and written)");
}

void add_trace_format_flag(CLI::App* cmd, std::string& format) {
  const traces::TraceFormatRegistry formats = traces::builtin_trace_formats();
  std::vector<std::string> names;
  for (const auto* entry : formats.list()) names.push_back(entry->name);
  cmd->add_option("--trace-format", format,
                  "encoding of the trace: " + formats.names() + " (default: the extension; csv for -; see colosim formats)")
      ->check(CLI::IsMember(names));
}

void add_vary_flag(CLI::App* cmd, std::string& vary) {
  cmd->add_option("--vary", vary,
                  "vary a trace file with the seed: none (default), jitter:seconds=S (submit times move up to S s) or "
                  "bootstrap[:fraction=F] (jobs drawn with replacement); see docs/compare.md");
}

void add_allow_empty_flag(CLI::App* cmd, bool& allow_empty) {
  cmd->add_flag("--allow-empty", allow_empty, "a trace without jobs is not an error (by default it is: docs/errors.md)");
}

void add_output_format_flag(CLI::App* cmd, std::string& format) {
  cmd->add_option("--format", format, "output on stdout: text or json (deterministic key order)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

OutputFile::OutputFile(const std::string& path, const std::string& format) : path_(path), format_(format), name_(path) {
  if (path != "-") return;
  if (format_.empty()) format_ = "csv";
  name_ = "<stdout>";
  std::string pattern = (std::filesystem::temp_directory_path() / "colosim-stdout-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw Error("standard output: cannot create a temporary directory");
  temp_dir_ = pattern;
  path_ = temp_dir_ / "stdout";  // the format is named: the extension does not matter
}

OutputFile::~OutputFile() {
  if (temp_dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(temp_dir_, ec);
}

void OutputFile::finish() const {
  if (!to_stdout()) return;
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw Error("standard output: the temporary file " + path_.string() + " is gone");
  std::vector<char> buffer(1 << 16);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
    if (std::fwrite(buffer.data(), 1, static_cast<std::size_t>(in.gcount()), stdout) != static_cast<std::size_t>(in.gcount()))
      throw Error("standard output: write failed");
  if (std::fflush(stdout) != 0) throw Error("standard output: write failed");
}

}  // namespace colosim::cli

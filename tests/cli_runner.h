#pragma once
// Runs the colosim command line as a user would and captures what it prints.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

struct CliOutcome {
  int status;          // exit status, -1 if it did not exit normally
  std::string output;  // stdout and stderr together
};

// `args` follows the program name; `cwd` (optional) is where it runs.
inline CliOutcome run_colosim(const std::string& args, const std::string& cwd = "") {
  const std::string command = (cwd.empty() ? "" : "cd '" + cwd + "' && ") + std::string(COLOSIM_CLI) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe)) out += buffer.data();
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `shell_command` run by /bin/sh (for ulimit, traps), stdout and stderr together.
inline CliOutcome run_colosim_shell(const std::string& shell_command) {
  FILE* pipe = popen(("(" + shell_command + ") 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe)) out += buffer.data();
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

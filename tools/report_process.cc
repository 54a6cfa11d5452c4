#include "report_process.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "colosim/errors.h"

extern char** environ;

namespace colosim::cli {
namespace {

namespace fs = std::filesystem;

// The Python package: $COLOSIM_PYTHONPATH, else build/python next to this executable's
// build/tools/ directory.
fs::path python_package_dir() {
  if (const char* env = std::getenv("COLOSIM_PYTHONPATH"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot locate the executable; set COLOSIM_PYTHONPATH to the build's python directory");
  return exe.parent_path().parent_path() / "python";
}

}  // namespace

void run_python_module(const std::string& what, const std::string& module, const std::vector<std::string>& module_args) {
  const fs::path pydir = python_package_dir();
  if (!fs::exists(pydir / "colosim" / "__init__.py"))
    throw Error(what + ": the Python package is not at " + pydir.string() +
                " (build with -DCOLOSIM_BUILD_PYTHON=ON, or set COLOSIM_PYTHONPATH)");
  const char* py_env = std::getenv("COLOSIM_PYTHON");
  const std::string python = py_env && *py_env ? py_env : "/usr/bin/python3";
  std::string pythonpath = pydir.string();
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) pythonpath += ":" + std::string(old);
  ::setenv("PYTHONPATH", pythonpath.c_str(), 1);
  ::setenv("MPLBACKEND", "Agg", 1);
  std::vector<std::string> args = {python, "-m", module};
  args.insert(args.end(), module_args.begin(), module_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, python.c_str(), nullptr, nullptr, argv.data(), environ) != 0)
    throw Error(what + ": cannot start " + python);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(what + ": " + python + " -m " + module + " failed (see its message above)");
}

void write_report(const fs::path& out, const fs::path& report) {
  run_python_module("--report", "colosim.report",
                    {"--runs", (out / "runs.csv").string(), "--summary", (out / "summary.json").string(), "--jobs-dir",
                     (out / "jobs").string(), "--out", report.string()});
}

}  // namespace colosim::cli

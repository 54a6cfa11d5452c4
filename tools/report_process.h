#pragma once
// `colosim compare --report`: the HTML report is made by the Python package (colosim.report),
// run as a child process of Debian's interpreter.
#include <filesystem>
#include <string>
#include <vector>

namespace colosim::cli {

// Runs `python -m MODULE ARGS...` (Debian's /usr/bin/python3, or $COLOSIM_PYTHON) with the
// package on PYTHONPATH; `what` names the flag in errors (--report, --dask).
void run_python_module(const std::string& what, const std::string& module, const std::vector<std::string>& module_args);

// Writes `report` from the runs.csv, summary.json and jobs/ in `out`; throws Error on failure.
void write_report(const std::filesystem::path& out, const std::filesystem::path& report);

}  // namespace colosim::cli

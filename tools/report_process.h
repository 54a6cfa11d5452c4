#pragma once
// `colosim compare --report`: the HTML report is made by the Python package (colosim.report),
// run as a child process of Debian's interpreter.
#include <filesystem>

namespace colosim::cli {

// Writes `report` from the runs.csv, summary.json and jobs/ in `out`; throws Error on failure.
void write_report(const std::filesystem::path& out, const std::filesystem::path& report);

}  // namespace colosim::cli

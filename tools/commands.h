#pragma once
// Each subcommand lives in its own file and adds itself to the app here (listed in main.cc).
#include <CLI/CLI.hpp>

namespace colosim::cli {

void add_run_command(CLI::App& app);
void add_policies_command(CLI::App& app);
void add_formats_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_convert_command(CLI::App& app);
void add_trace_info_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_inflate_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_extender_command(CLI::App& app);

}  // namespace colosim::cli

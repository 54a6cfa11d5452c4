// colosim: simulate GPU clusters whose jobs share GPUs and slow each other down.
#include <fmt/format.h>

#include <exception>

#include "colosim/errors.h"
#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"colosim: simulate GPU clusters in which jobs share GPUs and slow each other down"};
  app.require_subcommand(1);
  colosim::cli::add_run_command(app);
  colosim::cli::add_policies_command(app);
  colosim::cli::add_compare_command(app);
  colosim::cli::add_convert_command(app);
  colosim::cli::add_trace_info_command(app);
  colosim::cli::add_generate_command(app);
  colosim::cli::add_calibrate_command(app);
  colosim::cli::add_predict_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const colosim::Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
  return 0;
}

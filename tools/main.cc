// colosim: simulate GPU clusters whose jobs share GPUs and slow each other down.
// Exit codes (docs/errors.md): 0 ok, 1 input or simulation error, 2 usage error, 130 interrupted.
#include <fmt/format.h>

#include <exception>
#include <filesystem>
#include <new>

#include "colosim/errors.h"
#include "commands.h"

namespace {

constexpr int kInputError = 1;
constexpr int kUsageError = 2;

// The subcommand being parsed when a usage error struck, for the hint; the app itself otherwise.
std::string help_command(const CLI::App& app) {
  const auto chosen = app.get_subcommands();
  return chosen.empty() ? "colosim --help" : "colosim " + chosen.front()->get_name() + " --help";
}

// One line and a hint, not the whole help: the help hides the mistake.
int usage_error(const CLI::App& app, const CLI::ParseError& e) {
  fmt::print(stderr, "error: {}\nrun '{}' for the options\n", e.what(), help_command(app));
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"colosim: simulate GPU clusters in which jobs share GPUs and slow each other down"};
  app.set_version_flag("--version", "colosim " COLOSIM_VERSION, "print the version and exit");
  app.require_subcommand(1);
  colosim::cli::add_run_command(app);
  colosim::cli::add_policies_command(app);
  colosim::cli::add_formats_command(app);
  colosim::cli::add_compare_command(app);
  colosim::cli::add_convert_command(app);
  colosim::cli::add_trace_info_command(app);
  colosim::cli::add_generate_command(app);
  colosim::cli::add_calibrate_command(app);
  colosim::cli::add_predict_command(app);
  colosim::cli::add_inflate_command(app);
  colosim::cli::add_validate_command(app);
  colosim::cli::add_extender_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {  // a command's own exit status (130: interrupted)
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    return usage_error(app, e);
  } catch (const colosim::Interrupted&) {  // Ctrl-C in a command that did not say more
    fmt::print(stderr, "colosim: interrupted\n");
    return 130;
  } catch (const colosim::Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kInputError;
  } catch (const std::filesystem::filesystem_error& e) {
    // Commands name the option when they can; this names at least the path.
    fmt::print(stderr, "error: {}: {}\n", e.path1().string(), e.code().message());
    return kInputError;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "error: out of memory\n");
    return kInputError;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: unexpected failure ({}); please report it\n", e.what());
    return kInputError;
  }
  return 0;
}

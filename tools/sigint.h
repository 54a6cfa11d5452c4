#pragma once
// Ctrl-C for long commands (run, compare): while a SigintScope lives, SIGINT only sets a flag
// that the simulations poll (Simulator::set_interrupt_check), so that the command stops soon,
// removes what it had half written and exits 130. A second Ctrl-C ends the program at once.
#include <atomic>
#include <csignal>

namespace colosim::cli {

class SigintScope {
 public:
  SigintScope();   // clears the flag and installs the handler
  ~SigintScope();  // restores the previous handler
  SigintScope(const SigintScope&) = delete;
  SigintScope& operator=(const SigintScope&) = delete;

  // Set by the handler; what GridOptions::stop and interrupt checks read.
  static const std::atomic<bool>& flag();
  // Throws colosim::Interrupted once Ctrl-C was pressed: an interrupt check for a Simulator.
  static void throw_if_interrupted();

 private:
  void (*previous_)(int);
};

}  // namespace colosim::cli

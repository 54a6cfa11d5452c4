#include "sigint.h"

#include "colosim/errors.h"

namespace colosim::cli {
namespace {

// A signal handler can reach nothing but a static; this is the only one.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_sigint(int) {
  g_interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the program at once
}

}  // namespace

SigintScope::SigintScope() {
  g_interrupted = false;
  previous_ = std::signal(SIGINT, on_sigint);
}

SigintScope::~SigintScope() { std::signal(SIGINT, previous_); }

const std::atomic<bool>& SigintScope::flag() { return g_interrupted; }

void SigintScope::throw_if_interrupted() {
  if (g_interrupted.load(std::memory_order_relaxed)) throw Interrupted();
}

}  // namespace colosim::cli

// The event list as a component: schedule, reschedule (a rate change) and pop.
#include <benchmark/benchmark.h>

#include "colosim/event_queue.h"
#include "colosim/rng.h"

namespace {

using namespace colosim;

// n running jobs; each step pops the earliest, reschedules 3 random others (its co-runners'
// rates changed) and schedules a replacement: the simulator's steady state.
void BM_EventQueueSteadyState(benchmark::State& state) {
  const auto n = static_cast<EventQueue::Handle>(state.range(0));
  Rng rng(1);
  EventQueue queue;
  std::uint64_t seq = 0;
  for (EventQueue::Handle h = 0; h < n; ++h)
    queue.schedule(h, {static_cast<Tick>(rng.below(1'000'000'000)), 0, seq++});
  for (auto _ : state) {
    const Tick now = queue.top_key().time;
    const EventQueue::Handle done = queue.pop();
    for (int k = 0; k < 3; ++k) {
      const auto h = static_cast<EventQueue::Handle>(rng.below(static_cast<std::uint64_t>(n)));
      if (queue.contains(h)) queue.schedule(h, {now + static_cast<Tick>(rng.below(1'000'000'000)), 0, seq++});
    }
    queue.schedule(done, {now + static_cast<Tick>(rng.below(1'000'000'000)), 0, seq++});
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventQueueSteadyState)->Arg(1'000)->Arg(10'000)->Arg(100'000);

}  // namespace

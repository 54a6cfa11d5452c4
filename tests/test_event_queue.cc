// The event list: ordering, rescheduling and cancellation against a sorted reference.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "colosim/event_queue.h"
#include "colosim/rng.h"

using namespace colosim;

TEST_CASE("event queue pops in (time, kind, seq) order") {
  EventQueue q;
  q.schedule(0, {10, 1, 0});
  q.schedule(1, {10, 0, 5});
  q.schedule(2, {5, 1, 9});
  q.schedule(3, {10, 0, 2});
  std::vector<EventQueue::Handle> order;
  while (!q.empty()) order.push_back(q.pop());
  CHECK(order == std::vector<EventQueue::Handle>{2, 3, 1, 0});
}

TEST_CASE("event queue matches a reference map under random schedule, reschedule and cancel") {
  Rng rng(3);
  EventQueue q;
  std::map<EventQueue::Handle, EventKey> reference;
  std::uint64_t seq = 0;
  for (int step = 0; step < 20000; ++step) {
    const auto h = static_cast<EventQueue::Handle>(rng.below(200));
    switch (rng.below(4)) {
      case 0:
      case 1: {
        const EventKey key{static_cast<Tick>(rng.below(1000)), static_cast<std::uint32_t>(rng.below(2)), seq++};
        q.schedule(h, key);
        reference[h] = key;
        break;
      }
      case 2:
        q.cancel(h);
        reference.erase(h);
        break;
      default:
        if (!reference.empty()) {
          auto best = std::min_element(reference.begin(), reference.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
          REQUIRE(q.top() == best->first);
          CHECK(q.pop() == best->first);
          reference.erase(best);
        }
    }
    REQUIRE(q.size() == reference.size());
    CHECK(q.contains(h) == (reference.count(h) == 1));
  }
}

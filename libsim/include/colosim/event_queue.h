#pragma once
// The timed-event list: an indexed binary min-heap with one entry per handle (a job slot).
// Scheduling, rescheduling and cancelling are O(log n) and leave no stale entries behind, so the
// heap never holds more than one event per running job however often rates change.
#include <cstdint>
#include <vector>

#include "colosim/time.h"

namespace colosim {

struct EventKey {
  Tick time;
  std::uint32_t kind;  // lower kinds go first at the same time
  std::uint64_t seq;   // then lower sequence numbers
  friend bool operator<(const EventKey& a, const EventKey& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.seq < b.seq;
  }
  friend bool operator==(const EventKey&, const EventKey&) = default;
};

class EventQueue {
 public:
  using Handle = std::int32_t;

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  bool contains(Handle h) const;
  // Adds or moves the event of `h`.
  void schedule(Handle h, EventKey key);
  void cancel(Handle h);  // no-op if `h` has no event
  Handle top() const { return heap_.front(); }
  const EventKey& top_key() const { return keys_[heap_.front()]; }
  const EventKey& key(Handle h) const { return keys_[h]; }
  Handle pop();

 private:
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  void swap_at(std::size_t i, std::size_t j);

  std::vector<Handle> heap_;
  std::vector<std::int64_t> pos_;  // position in heap_, -1 when absent
  std::vector<EventKey> keys_;
};

}  // namespace colosim

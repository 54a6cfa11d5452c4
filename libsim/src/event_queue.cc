#include "colosim/event_queue.h"

#include <cassert>

namespace colosim {

bool EventQueue::contains(Handle h) const {
  return static_cast<std::size_t>(h) < pos_.size() && pos_[h] >= 0;
}

void EventQueue::schedule(Handle h, EventKey key) {
  if (static_cast<std::size_t>(h) >= pos_.size()) {
    pos_.resize(static_cast<std::size_t>(h) + 1, -1);
    keys_.resize(static_cast<std::size_t>(h) + 1, EventKey{0, 0, 0});
  }
  if (pos_[h] < 0) {
    keys_[h] = key;
    pos_[h] = static_cast<std::int64_t>(heap_.size());
    heap_.push_back(h);
    sift_up(heap_.size() - 1);
    return;
  }
  const bool earlier = key < keys_[h];
  keys_[h] = key;
  const auto i = static_cast<std::size_t>(pos_[h]);
  if (earlier) sift_up(i); else sift_down(i);
}

void EventQueue::cancel(Handle h) {
  if (!contains(h)) return;
  const auto i = static_cast<std::size_t>(pos_[h]);
  const std::size_t last = heap_.size() - 1;
  if (i != last) swap_at(i, last);
  heap_.pop_back();
  pos_[h] = -1;
  if (i < heap_.size()) {
    sift_up(i);
    sift_down(static_cast<std::size_t>(pos_[heap_[i]]));
  }
}

EventQueue::Handle EventQueue::pop() {
  const Handle h = heap_.front();
  cancel(h);
  return h;
}

void EventQueue::swap_at(std::size_t i, std::size_t j) {
  std::swap(heap_[i], heap_[j]);
  pos_[heap_[i]] = static_cast<std::int64_t>(i);
  pos_[heap_[j]] = static_cast<std::int64_t>(j);
}

void EventQueue::sift_up(std::size_t i) {
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (!(keys_[heap_[i]] < keys_[heap_[parent]])) break;
    swap_at(i, parent);
    i = parent;
  }
}

void EventQueue::sift_down(std::size_t i) {
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t smallest = i;
    const std::size_t l = 2 * i + 1, r = l + 1;
    if (l < n && keys_[heap_[l]] < keys_[heap_[smallest]]) smallest = l;
    if (r < n && keys_[heap_[r]] < keys_[heap_[smallest]]) smallest = r;
    if (smallest == i) return;
    swap_at(i, smallest);
    i = smallest;
  }
}

}  // namespace colosim

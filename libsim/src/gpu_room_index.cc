#include "colosim/gpu_room_index.h"

#include <algorithm>
#include <limits>

namespace colosim {

namespace {
// Padding leaves beyond the last GPU never match.
constexpr int kNoMilli = std::numeric_limits<int>::min();
constexpr std::int64_t kNoMib = std::numeric_limits<std::int64_t>::min();
}  // namespace

GpuRoomIndex::GpuRoomIndex(std::size_t gpus) {
  while (leaves_ < gpus) leaves_ *= 2;
  milli_.assign(2 * leaves_, kNoMilli);
  mib_.assign(2 * leaves_, kNoMib);
}

void GpuRoomIndex::set(std::int32_t g, int free_milli, std::int64_t free_mib) {
  std::size_t node = leaves_ + static_cast<std::size_t>(g);
  milli_[node] = free_milli;
  mib_[node] = free_mib;
  for (node /= 2; node >= 1; node /= 2) {
    milli_[node] = std::max(milli_[2 * node], milli_[2 * node + 1]);
    mib_[node] = std::max(mib_[2 * node], mib_[2 * node + 1]);
  }
}

std::optional<std::int32_t> GpuRoomIndex::first_with(std::int32_t from, int milli, std::int64_t mib) const {
  if (from < 0 || static_cast<std::size_t>(from) >= leaves_) return std::nullopt;
  return search(1, 0, leaves_, static_cast<std::size_t>(from), milli, mib);
}

std::optional<std::int32_t> GpuRoomIndex::search(std::size_t node, std::size_t lo, std::size_t hi, std::size_t from, int milli,
                                             std::int64_t mib) const {
  if (hi <= from || milli_[node] < milli || mib_[node] < mib) return std::nullopt;
  if (hi - lo == 1) return static_cast<std::int32_t>(lo);
  const std::size_t mid = lo + (hi - lo) / 2;
  if (auto left = search(2 * node, lo, mid, from, milli, mib)) return left;
  return search(2 * node + 1, mid, hi, from, milli, mib);
}

}  // namespace colosim

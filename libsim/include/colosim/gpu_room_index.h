#pragma once
// Free GPU share and free GPU memory of every GPU, indexed so that "the lowest-index GPU with at
// least this much of both" costs O(log GPUs) instead of a walk over the cluster: a segment tree
// of the maxima of each, pruned on both.
#include <cstdint>
#include <optional>
#include <vector>

namespace colosim {

class GpuRoomIndex {
 public:
  explicit GpuRoomIndex(std::size_t gpus = 0);
  // O(log GPUs).
  void set(std::int32_t g, int free_milli, std::int64_t free_mib);
  // The lowest GPU at or after `from` with at least `milli` share and `mib` MiB free, if any.
  // A subtree whose best share or best memory is short is skipped; one whose best of each sit on
  // different GPUs is searched, so a rare match behind many near misses costs more than log.
  std::optional<std::int32_t> first_with(std::int32_t from, int milli, std::int64_t mib) const;

 private:
  std::optional<std::int32_t> search(std::size_t node, std::size_t lo, std::size_t hi, std::size_t from, int milli,
                                 std::int64_t mib) const;
  std::size_t leaves_ = 1;  // a power of two; node 1 is the root, leaf g is node leaves_ + g
  std::vector<int> milli_;
  std::vector<std::int64_t> mib_;
};

}  // namespace colosim

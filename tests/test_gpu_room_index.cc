// GpuRoomIndex against a plain scan: random free shares and memory, random queries.
#include <doctest/doctest.h>

#include <optional>
#include <vector>

#include "colosim/gpu_room_index.h"
#include "colosim/rng.h"

using namespace colosim;

TEST_CASE("issue 13: GpuRoomIndex finds the lowest GPU with the room a scan finds") {
  Rng rng(13);
  for (std::size_t gpus : {1u, 2u, 7u, 64u, 1000u}) {
    CAPTURE(gpus);
    GpuRoomIndex index(gpus);
    std::vector<int> milli(gpus, 0);
    std::vector<std::int64_t> mib(gpus, 0);
    for (std::size_t g = 0; g < gpus; ++g) index.set(static_cast<std::int32_t>(g), 0, 0);
    for (int step = 0; step < 4000; ++step) {
      const auto g = static_cast<std::int32_t>(rng.below(gpus));
      milli[g] = static_cast<int>(rng.below(11)) * 100;
      mib[g] = static_cast<std::int64_t>(rng.below(17)) * 1024;
      index.set(g, milli[g], mib[g]);
      const auto from = static_cast<std::int32_t>(rng.below(gpus + 1));
      const int want_milli = static_cast<int>(rng.below(11)) * 100;
      const std::int64_t want_mib = static_cast<std::int64_t>(rng.below(17)) * 1024;
      std::optional<std::int32_t> scan;
      for (std::size_t i = static_cast<std::size_t>(from); i < gpus && !scan; ++i)
        if (milli[i] >= want_milli && mib[i] >= want_mib) scan = static_cast<std::int32_t>(i);
      CHECK(index.first_with(from, want_milli, want_mib) == scan);
    }
  }
  // Out of range: nothing; the padding past the last GPU never matches.
  GpuRoomIndex three(3);
  for (std::int32_t g = 0; g < 3; ++g) three.set(g, 1000, 1);
  CHECK(three.first_with(3, 0, 0) == std::nullopt);
  CHECK(three.first_with(-1, 0, 0) == std::nullopt);
  CHECK(three.first_with(1, 1000, 1) == std::optional<std::int32_t>{1});
}

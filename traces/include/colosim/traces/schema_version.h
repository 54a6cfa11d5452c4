#pragma once
#include <cstdint>

namespace colosim::traces {
// Version of traces/colosim.proto that this build writes; readers accept 0 (unset) and this.
inline constexpr std::uint32_t kSchemaVersion = 1;
}  // namespace colosim::traces

#pragma once
// Hashes for choices that must be the same on every machine and run (fold assignment, sampled
// model error): fixed arithmetic, unlike std::hash.
#include <cstdint>
#include <string_view>

namespace colosim {

// SplitMix64's finaliser: a well-mixed 64-bit value from any 64-bit value.
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline constexpr std::uint64_t kFnvOffset = 1469598103934665603ULL;

// FNV-1a of `text` into `h`, with a terminator, so that ("ab", "c") and ("a", "bc") differ.
inline std::uint64_t hash_text(std::uint64_t h, std::string_view text) {
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return (h ^ 0xffU) * 1099511628211ULL;
}

}  // namespace colosim

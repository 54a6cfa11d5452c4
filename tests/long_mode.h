#pragma once
// `./scripts/test --long` sets COLOSIM_LONG=1: the randomized tests then run ten times as many
// cases (thousands), for a search before a release rather than on every build.
#include <cstdlib>
#include <string_view>

inline bool long_mode() {
  const char* value = std::getenv("COLOSIM_LONG");
  return value != nullptr && std::string_view(value) != "" && std::string_view(value) != "0";
}

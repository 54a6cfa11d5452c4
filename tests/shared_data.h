#pragma once
// Access to the real public data in ../shared/data through COLOSIM_DATA. Unset: the caller
// skips with a message. Set but the file is missing: the test fails, so CI cannot pass by
// silently skipping.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

inline std::optional<std::filesystem::path> shared_data_file(const std::string& relative) {
  const char* root = std::getenv("COLOSIM_DATA");
  if (root == nullptr || *root == '\0') {
    MESSAGE("skipped: COLOSIM_DATA is unset, so " << relative << " cannot be found");
    return std::nullopt;
  }
  const std::filesystem::path path = std::filesystem::path(root) / relative;
  REQUIRE_MESSAGE(std::filesystem::exists(path), "COLOSIM_DATA is set but " << path.string() << " is missing");
  return path;
}

// A file of the repository, e.g. examples/seed_paper/cluster.textproto.
inline std::string source_file(const std::string& relative) {
  return (std::filesystem::path(COLOSIM_SOURCE_DIR) / relative).string();
}

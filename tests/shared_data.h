#pragma once
// Access to the real public data in ../shared/data through COLOSIM_DATA. Unset: the caller
// skips with a message. Set but the file is missing: the test fails, so CI cannot pass by
// silently skipping.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

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

// A fresh directory for one test, unique to this process, so that suites running side by side
// (ctest -j, several checkouts) never share files.
inline std::filesystem::path test_temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("colosim-test-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Writes `text` to dir/name (binary, as given) and returns the path.
inline std::string write_test_file(const std::filesystem::path& dir, const std::string& name, const std::string& text) {
  const auto path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

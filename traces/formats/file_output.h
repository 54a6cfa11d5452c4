#pragma once
// How the file writers of traces/formats/ write a file whole or not at all (trace_writer.h):
// into `<path>.partial`, renamed to `path` when complete.
#include <filesystem>
#include <fstream>

namespace colosim::traces {

std::filesystem::path partial_path(const std::filesystem::path& path);
// Opened for binary writing, truncated; Error naming the file when it cannot be.
std::ofstream open_out(const std::filesystem::path& path);
// Flushes and closes `out` (written to `from`) and renames `from` to `to`; Error on a write or
// rename failure.
void commit(std::ofstream& out, const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace colosim::traces

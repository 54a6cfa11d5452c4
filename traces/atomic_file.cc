#include "colosim/traces/atomic_file.h"

#include <memory>
#include <system_error>

#include "colosim/errors.h"

namespace colosim::traces {
namespace fs = std::filesystem;

namespace {

fs::path partial_of(const fs::path& path) {
  fs::path p = path;
  p += ".partial";
  return p;
}

bool names_a_directory(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(fs::symlink_status(path, ec));
}

void remove_file(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw Error("cannot remove '" + path.string() + "' of an earlier run: " + ec.message());
}

}  // namespace

AtomicFile::AtomicFile(fs::path path) : path_(std::move(path)), partial_(partial_of(path_)) {
  out_.open(partial_, std::ios::binary | std::ios::trunc);
  if (!out_) throw Error("cannot write '" + partial_.string() + "'");
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  out_.close();
  std::error_code ignored;
  fs::remove(partial_, ignored);
}

void AtomicFile::flush() {
  out_.flush();
  if (!out_) throw Error("write error on '" + partial_.string() + "'");
}

void AtomicFile::commit() {
  if (committed_) throw Error("'" + path_.string() + "' is committed already");
  flush();
  out_.close();
  if (!out_) throw Error("write error on '" + partial_.string() + "'");
  std::error_code ec;
  fs::rename(partial_, path_, ec);
  if (ec) throw Error("cannot rename '" + partial_.string() + "' to '" + path_.string() + "': " + ec.message());
  committed_ = true;
}

void write_file_atomically(const fs::path& path, std::string_view contents) {
  write_files_atomically({{path, std::string(contents)}});
}

void write_files_atomically(const std::vector<std::pair<fs::path, std::string>>& files) {
  std::vector<std::unique_ptr<AtomicFile>> partial;
  for (const auto& [path, contents] : files) {
    partial.push_back(std::make_unique<AtomicFile>(path));
    partial.back()->stream().write(contents.data(), static_cast<std::streamsize>(contents.size()));
    partial.back()->flush();
  }
  std::vector<std::pair<fs::path, std::function<void()>>> commits;
  for (const auto& file : partial) commits.emplace_back(file->path(), [&file] { file->commit(); });
  commit_together(commits);
}

void commit_together(const std::vector<std::pair<fs::path, std::function<void()>>>& commits) {
  for (std::size_t i = 0; i < commits.size(); ++i) {
    try {
      commits[i].second();
    } catch (...) {
      std::error_code ignored;  // never leave a mix of this set and an older one
      for (std::size_t j = 0; j < i; ++j) fs::remove(commits[j].first, ignored);
      throw;
    }
  }
}

void produce_file_atomically(const fs::path& path, const std::function<void(const fs::path& partial)>& produce) {
  const fs::path partial = partial_of(path);
  try {
    produce(partial);
    std::error_code ec;
    fs::rename(partial, path, ec);
    if (ec) throw Error("cannot rename '" + partial.string() + "' to '" + path.string() + "': " + ec.message());
  } catch (...) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw;
  }
}

void remove_stale_outputs(const fs::path& dir, const std::vector<std::string>& names) {
  // All checked first: a refusal removes nothing.
  for (const std::string& name : names)
    for (const fs::path& p : {dir / name, partial_of(dir / name)})
      if (names_a_directory(p)) throw Error("cannot write '" + p.string() + "': it is a directory");
  for (const std::string& name : names) {
    remove_file(dir / name);
    remove_file(partial_of(dir / name));
  }
}

}  // namespace colosim::traces

#pragma once
// Every file colosim writes appears under its name only when complete: it is written as
// `<name>.partial` in the same folder (so the rename stays on one file system) and renamed over
// `<name>` by commit(). An AtomicFile destroyed uncommitted (an error, Ctrl-C) removes its
// partial file, so a failure leaves the old file or none, never a half-written one.
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace colosim::traces {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path path);  // throws Error "cannot write '<partial>'"
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& partial_path() const { return partial_; }

  // Throws Error "write error on '<partial>'" if a write failed (a full disk).
  void flush();
  // Flushes, closes and renames the partial file over path(). Once only.
  void commit();

 private:
  std::filesystem::path path_, partial_;
  std::ofstream out_;
  bool committed_ = false;
};

// `contents` into `path` through an AtomicFile.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// For a file that another process writes: `produce` writes the partial path it is given, which
// is then renamed over `path`; if `produce` throws, the partial file is removed.
void produce_file_atomically(const std::filesystem::path& path,
                             const std::function<void(const std::filesystem::path& partial)>& produce);

// The files of one result set (jobs.csv and summary.json of a run; runs.csv and summary.json of
// a comparison), all written first and then renamed in order, so that a failure while writing
// any of them leaves none: (path, contents) pairs.
void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files);

// Runs the commits of a result set whose files are already written (final path, commit) in
// order; if one fails, the files committed before it are removed, so that the set is whole or
// absent.
void commit_together(const std::vector<std::pair<std::filesystem::path, std::function<void()>>>& commits);

// Removes what an earlier run left under these names in `dir` (and their partial files), before
// a run that will write them starts: if this run fails, nothing of the earlier one stays behind
// to pass for its output. Throws Error naming the file if one cannot be removed (a directory).
void remove_stale_outputs(const std::filesystem::path& dir, const std::vector<std::string>& names);

}  // namespace colosim::traces

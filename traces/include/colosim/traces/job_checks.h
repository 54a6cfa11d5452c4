#pragma once
// Checks that need the jobs seen so far: submit times must not decrease and ids must not
// repeat. Every reader runs its jobs through one of these.
//
// Unsorted input is rejected, never sorted: sorting needs the whole trace in memory and would
// hide a broken file. (Importers of foreign traces sort stably before they hand jobs out, as
// Tiresias does; they say so in docs/traces.md.)
//
// Memory: duplicate ids are found through a set of 64-bit hashes of the ids (an open-addressing
// table kept at most half full: 16-32 bytes per job, 256 MiB for 10M jobs), not of the ids
// themselves. Two different ids collide with probability about n^2 / 2^65 (3e-6 for n = 10M); such a
// collision would be reported as a duplicate id, never silently accepted.
#include <cstdint>
#include <string>
#include <vector>

#include "colosim/job.h"

namespace colosim::traces {

class JobStreamChecker {
 public:
  explicit JobStreamChecker(bool check_duplicate_ids = true, bool allow_empty = false)
      : check_ids_(check_duplicate_ids), allow_empty_(allow_empty) {}
  // Throws InputError(file, record, submit_field|"id", ...) naming the earlier record when it can.
  // `submit_field` is the name of the submit time in the file's encoding ("submit_s" in CSV).
  void check(const JobSpec& job, const std::string& file, std::int64_t record, const char* submit_field = "submit");
  // At the end of the stream: an empty trace is an error unless allowed (an empty file, "{}" or a
  // header-only CSV is far more often a mistake than a wish to simulate nothing).
  void check_end(const std::string& file) const;
  std::int64_t count() const { return count_; }

 private:
  bool insert_hash(std::uint64_t h);  // false when already present
  void grow();

  bool check_ids_;
  bool allow_empty_;
  std::int64_t count_ = 0;
  Tick last_submit_ = 0;
  std::int64_t last_record_ = 0;
  std::vector<std::uint64_t> slots_;  // open addressing, 0 = empty
  std::size_t used_ = 0;
  bool zero_seen_ = false;  // the id whose hash is 0
};

std::uint64_t hash_id(const std::string& id);

}  // namespace colosim::traces

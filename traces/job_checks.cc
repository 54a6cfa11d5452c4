#include "colosim/traces/job_checks.h"

#include "colosim/errors.h"

namespace colosim::traces {

std::uint64_t hash_id(const std::string& id) {
  // FNV-1a over the bytes, then the splitmix64 finalizer to spread the bits over the table.
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

void JobStreamChecker::grow() {
  std::vector<std::uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  used_ = 0;
  for (std::uint64_t h : old)
    if (h != 0) insert_hash(h);
}

bool JobStreamChecker::insert_hash(std::uint64_t h) {
  if (h == 0) {
    if (zero_seen_) return false;
    zero_seen_ = true;
    return true;
  }
  if ((used_ + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h) return false;
    if (slots_[i] == 0) {
      slots_[i] = h;
      ++used_;
      return true;
    }
  }
}

void JobStreamChecker::check(const JobSpec& job, const std::string& file, std::int64_t record,
                             const char* submit_field) {
  if (count_ > 0 && job.submit < last_submit_)
    throw InputError(file, record, submit_field,
                     "submit times must not decrease: " + std::to_string(ticks_to_seconds(job.submit)) +
                         " s is before " + std::to_string(ticks_to_seconds(last_submit_)) + " s of record " +
                         std::to_string(last_record_) + " (sort the trace by submit time)");
  if (check_ids_ && !insert_hash(hash_id(job.id)))
    throw InputError(file, record, "id", "duplicate id '" + job.id + "'");
  last_submit_ = job.submit;
  last_record_ = record;
  ++count_;
}

void JobStreamChecker::check_end(const std::string& file) const {
  if (count_ == 0 && !allow_empty_)
    throw InputError(file, 0, "", "the trace has no jobs (an empty trace is read only when allowed: allow_empty)");
}

}  // namespace colosim::traces

#pragma once
// What a trace reader checks beyond each job's fields.

namespace colosim::traces {

struct TraceReadOptions {
  // See job_checks.h for the memory this costs on huge traces.
  bool check_duplicate_ids = true;
  // A trace without jobs is an error unless this is set (job_checks.h).
  bool allow_empty = false;
};

}  // namespace colosim::traces

#include "colosim/job_columns.h"

#include <charconv>
#include <iterator>

namespace colosim {
namespace {

Cell seconds(Tick t) { return t < 0 ? Cell{} : Cell{ticks_to_seconds(t)}; }
bool finished(const JobRecord& r) { return r.outcome == JobOutcome::finished; }

}  // namespace

const std::vector<JobColumn>& job_columns() {
  static const std::vector<JobColumn> columns = {  // constant data, built once
      {"id", ColumnType::text, "job id from the trace", [](const JobRecord& r) -> Cell { return std::string_view(r.id); }},
      {"app", ColumnType::text, "application", [](const JobRecord& r) -> Cell { return std::string_view(r.app); }},
      {"submit_s", ColumnType::real, "arrival, seconds", [](const JobRecord& r) { return seconds(r.submit); }},
      {"start_s", ColumnType::real, "start of the last attempt, seconds (empty: never started)",
       [](const JobRecord& r) { return seconds(r.start); }},
      {"end_s", ColumnType::real, "completion or final failure, seconds", [](const JobRecord& r) { return seconds(r.end); }},
      {"gpus", ColumnType::count, "gang size", [](const JobRecord& r) -> Cell { return std::int64_t{r.gpus}; }},
      {"queueing_delay_s", ColumnType::real, "submit to start, seconds",
       [](const JobRecord& r) { return seconds(r.queueing_delay()); }},
      {"jct_s", ColumnType::real, "submit to end of a finished job, seconds",
       [](const JobRecord& r) { return finished(r) ? seconds(r.jct()) : Cell{}; }},
      {"slowdown", ColumnType::real,
       "slowdown from sharing: run time over time alone on the same GPUs (1 = no interference), finished jobs",
       [](const JobRecord& r) { return finished(r) ? Cell{r.slowdown()} : Cell{}; }},
      {"speedup", ColumnType::real,
       "speed-up from the GPU type: solo duration (speed 1) over time alone on the GPUs it got, finished jobs",
       [](const JobRecord& r) { return finished(r) ? Cell{r.speedup()} : Cell{}; }},
      {"ftf_rho", ColumnType::real,
       "finish-time fairness rho: JCT over time alone on the GPUs it got (1 = as if alone from submit), finished jobs",
       [](const JobRecord& r) { return finished(r) ? Cell{r.finish_time_fairness()} : Cell{}; }},
      {"preemptions", ColumnType::count, "times the job was preempted",
       [](const JobRecord& r) -> Cell { return std::int64_t{r.preemptions}; }},
      {"suspended_s", ColumnType::real, "from each preemption until progress again (suspend, queue, resume), seconds",
       [](const JobRecord& r) -> Cell { return ticks_to_seconds(r.suspended); }},
      {"lost_gpu_s", ColumnType::real, "GPU-seconds preemptions cost: work done again, suspend and resume, x GPUs",
       [](const JobRecord& r) -> Cell { return r.lost_gpu_ticks / static_cast<double>(kTicksPerSecond); }},
      {"attained_gpu_s", ColumnType::real, "attained service: GPU-seconds the job held GPUs (wall clock x GPUs, every run)",
       [](const JobRecord& r) -> Cell { return r.attained_gpu_ticks / static_cast<double>(kTicksPerSecond); }},
      {"oom_retries", ColumnType::count, "out-of-memory failures that were retried",
       [](const JobRecord& r) -> Cell { return std::int64_t{r.oom_retries}; }},
      {"outcome", ColumnType::text, "finished, oom-failed, unschedulable, never-started or unfinished",
       [](const JobRecord& r) -> Cell { return std::string_view(to_string(r.outcome)); }},
      {"gpu_list", ColumnType::text, "GPUs of the last attempt, '|'-separated",
       [](const JobRecord& r) -> Cell {
         std::string list;
         for (GpuIndex g : r.gpu_list) {
           if (!list.empty()) list += '|';
           char digits[16];
           list.append(digits, std::to_chars(std::begin(digits), std::end(digits), g).ptr);
         }
         return list;
       }},
      {"note", ColumnType::text, "why it was placed where it was, or why it never ran",
       [](const JobRecord& r) -> Cell { return std::string_view(r.note); }},
  };
  return columns;
}

}  // namespace colosim

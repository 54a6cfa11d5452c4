#include "colosim/traces/job_csv.h"

#include <fmt/format.h>

#include <fstream>
#include <set>

#include "colosim/errors.h"

namespace colosim::traces {
namespace {
constexpr std::string_view kFeaturePrefix = "feature.";
const std::set<std::string, std::less<>> kKnownColumns = {
    "id", "app", "submit_s", "duration_s", "gpus", "memory_mib", "gpu_util", "gpu_milli", "priority", "user", "gpu_types"};
}  // namespace

JobCsvSource::JobCsvSource(const std::string& path)
    : csv_(path),
      id_(csv_.column("id")),
      app_(csv_.column("app")),
      submit_(csv_.column("submit_s")),
      duration_(csv_.column("duration_s")),
      gpus_(csv_.column("gpus")),
      memory_(csv_.column("memory_mib")),
      util_(csv_.column("gpu_util")) {
  milli_ = csv_.find_column("gpu_milli").value_or(-1);
  priority_ = csv_.find_column("priority").value_or(-1);
  user_ = csv_.find_column("user").value_or(-1);
  types_ = csv_.find_column("gpu_types").value_or(-1);
  const auto& header = csv_.header();
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& h = header[i];
    if (h.rfind(kFeaturePrefix, 0) == 0 && h.size() > kFeaturePrefix.size()) {
      features_.push_back({static_cast<int>(i), h.substr(kFeaturePrefix.size())});
    } else if (!kKnownColumns.count(h)) {
      throw InputError(path, 1, h, "unknown column (known: id, app, submit_s, duration_s, gpus, memory_mib, gpu_util, "
                                   "gpu_milli, priority, user, gpu_types, feature.<name>)");
    }
  }
}

std::optional<JobSpec> JobCsvSource::next() {
  if (!csv_.next()) return std::nullopt;
  JobSpec job;
  job.id = csv_.text(id_);
  if (job.id.empty()) csv_.fail(id_, "empty job id");
  if (!seen_ids_.insert(job.id).second) csv_.fail(id_, "duplicate job id '" + job.id + "'");
  job.app = csv_.text(app_);
  if (job.app.empty()) csv_.fail(app_, "empty application name");
  const double submit = csv_.number(submit_);
  if (submit < 0) csv_.fail(submit_, "negative submit time");
  job.submit = seconds_to_ticks(submit);
  if (job.submit < last_submit_)
    csv_.fail(submit_, fmt::format("rows must be sorted by submit_s: {} comes after {}", submit, ticks_to_seconds(last_submit_)));
  last_submit_ = job.submit;
  const double duration = csv_.number(duration_);
  if (duration < 0) csv_.fail(duration_, "negative duration");
  job.solo_duration = seconds_to_ticks(duration);
  const std::int64_t gpus = csv_.integer(gpus_);
  if (gpus < 1 || gpus > 1'000'000) csv_.fail(gpus_, "GPU count must be at least 1");
  job.gpus = static_cast<int>(gpus);
  job.memory_mib = csv_.integer(memory_);
  if (job.memory_mib < 0) csv_.fail(memory_, "negative memory");
  job.gpu_util = csv_.number(util_);
  if (job.gpu_util < 0 || job.gpu_util > 100) csv_.fail(util_, "utilisation must be within 0..100 percent");
  if (milli_ >= 0 && !csv_.text(milli_).empty()) {
    const std::int64_t milli = csv_.integer(milli_);
    if (milli < 0 || milli > 1000) csv_.fail(milli_, "GPU share must be within 0..1000");
    job.gpu_milli = static_cast<int>(milli);
  }
  if (priority_ >= 0 && !csv_.text(priority_).empty()) job.priority = static_cast<int>(csv_.integer(priority_));
  if (user_ >= 0) job.user = csv_.text(user_);
  if (types_ >= 0 && !csv_.text(types_).empty()) {
    const std::string& s = csv_.text(types_);
    std::size_t start = 0;
    for (;;) {
      const auto bar = s.find('|', start);
      job.gpu_types.push_back(s.substr(start, bar - start));
      if (job.gpu_types.back().empty()) csv_.fail(types_, "empty GPU type in '" + s + "'");
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
  }
  for (const auto& [column, name] : features_)
    if (!csv_.text(column).empty()) job.features[name] = csv_.number(column);
  return job;
}

std::vector<JobSpec> read_job_csv(const std::string& path) {
  JobCsvSource source(path);
  std::vector<JobSpec> jobs;
  while (auto job = source.next()) jobs.push_back(std::move(*job));
  return jobs;
}


}  // namespace colosim::traces

#pragma once
// Where jobs come from. The simulator pulls one job at a time, so a trace of millions of jobs
// can be streamed from a file or a generator without being held in memory.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "colosim/job.h"

namespace colosim {

class JobSource {
 public:
  virtual ~JobSource() = default;
  // Contract: returns jobs in non-decreasing submit order (the simulator checks and throws
  // InputError naming the record otherwise), then nullopt. May throw InputError.
  virtual std::optional<JobSpec> next() = 0;
  // Name used in error messages (a file path, "generator", ...).
  virtual std::string name() const { return "jobs"; }
};

class VectorJobSource final : public JobSource {
 public:
  explicit VectorJobSource(std::vector<JobSpec> jobs, std::string name = "jobs")
      : jobs_(std::move(jobs)), name_(std::move(name)) {}
  std::optional<JobSpec> next() override {
    if (pos_ == jobs_.size()) return std::nullopt;
    return jobs_[pos_++];
  }
  std::string name() const override { return name_; }

 private:
  std::vector<JobSpec> jobs_;
  std::string name_;
  std::size_t pos_ = 0;
};

// Jobs held elsewhere, without copying them; they must outlive the source.
class SpanJobSource final : public JobSource {
 public:
  explicit SpanJobSource(std::span<const JobSpec> jobs, std::string name = "jobs") : jobs_(jobs), name_(std::move(name)) {}
  std::optional<JobSpec> next() override {
    if (pos_ == jobs_.size()) return std::nullopt;
    return jobs_[pos_++];
  }
  std::string name() const override { return name_; }

 private:
  std::span<const JobSpec> jobs_;
  std::string name_;
  std::size_t pos_ = 0;
};

}  // namespace colosim

// Issue 11: the queue order is pluggable and separate from placement and from the discipline.
// Hand-worked timelines on whole-GPU jobs with no interference: each job runs its solo duration.
#include <doctest/doctest.h>

#include <map>

#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/queue_order.h"
#include "colosim/run_options.h"
#include "colosim/simulator.h"
#include "whole_gpu_job.h"

using namespace colosim;

namespace {

JobSpec job(std::string id, int gpus, double solo_s, double submit_s, int priority = 0) {
  return testing::timeline_job(std::move(id), gpus, solo_s, submit_s, priority);
}

// Start time of each job, in seconds.
std::map<std::string, double> starts(const std::string& order, QueueDiscipline discipline, std::vector<JobSpec> jobs,
                                     int gpus_per_node, const std::string& policy_name = "binpack") {
  const auto policy = builtin_policies().make(policy_name);
  SimConfig config;
  config.discipline = discipline;
  config.queue_order = QueueOrderChoice::parse(order);
  NoInterference none;
  std::map<std::string, double> out;
  for (const auto& r : simulate(ClusterSpec::uniform(1, gpus_per_node, {"G", 16000, 1.0}), std::move(jobs), none,
                                *policy, config).jobs)
    out[r.id] = ticks_to_seconds(r.start);
  return out;
}

}  // namespace

TEST_CASE("issue 11: fifo, priority and sjf order the same queue three ways") {
  // One GPU, held by 'a' from 0 to 100 s. At 1 s three jobs queue:
  //   b: 10 s, priority 0;  c: 50 s, priority 2;  d: 5 s, priority 1.
  // fifo runs them as they came (b, c, d); priority by priority (c, d, b); sjf by work (d, b, c).
  const std::vector<JobSpec> jobs = {job("a", 1, 100, 0), job("b", 1, 10, 1, 0), job("c", 1, 50, 1, 2),
                                     job("d", 1, 5, 1, 1)};
  using M = std::map<std::string, double>;
  for (const auto discipline : {QueueDiscipline::fifo, QueueDiscipline::backfill}) {
    CAPTURE(to_string(discipline));
    CHECK(starts("fifo", discipline, jobs, 1) == M{{"a", 0}, {"b", 100}, {"c", 110}, {"d", 160}});
    CHECK(starts("priority", discipline, jobs, 1) == M{{"a", 0}, {"c", 100}, {"d", 150}, {"b", 155}});
    CHECK(starts("sjf", discipline, jobs, 1) == M{{"a", 0}, {"d", 100}, {"b", 105}, {"c", 115}});
  }
}

TEST_CASE("issue 11: sjf measures GPU-time by default, duration when asked") {
  // Two GPUs, both held by 'a' until 100 s. 'x' needs 2 GPUs for 10 s (20 GPU-s), 'y' 1 GPU for 15 s.
  // by=gpu-time: y first (100-115); x needs both GPUs and starts when y ends, at 115.
  // by=duration: x first (100-110), then y at 110.
  const std::vector<JobSpec> jobs = {job("a", 2, 100, 0), job("x", 2, 10, 1), job("y", 1, 15, 1)};
  using M = std::map<std::string, double>;
  CHECK(starts("sjf", QueueDiscipline::backfill, jobs, 2) == M{{"a", 0}, {"y", 100}, {"x", 115}});
  CHECK(starts("sjf:by=duration", QueueDiscipline::backfill, jobs, 2) == M{{"a", 0}, {"x", 100}, {"y", 110}});
}

TEST_CASE("issue 11: under strict FIFO the head of the queue order blocks, under backfill it does not") {
  // Two GPUs; 'a' holds one until 100 s. At 1 s: 'gang' (2 GPUs, priority 5) and 'small' (1 GPU, priority 0).
  // priority + strict: gang heads the queue, cannot start, and blocks small until it has run.
  // priority + backfill: small starts at once on the free GPU.
  const std::vector<JobSpec> jobs = {job("a", 1, 100, 0), job("gang", 2, 10, 1, 5), job("small", 1, 10, 1, 0)};
  using M = std::map<std::string, double>;
  CHECK(starts("priority", QueueDiscipline::fifo, jobs, 2) == M{{"a", 0}, {"gang", 100}, {"small", 110}});
  CHECK(starts("priority", QueueDiscipline::backfill, jobs, 2) == M{{"a", 0}, {"gang", 100}, {"small", 1}});
}

TEST_CASE("issue 11: an arrival that ranks ahead of a blocked job starts at once under strict FIFO") {
  // Two GPUs; 'a' holds one until 100 s. 'gang' (2 GPUs, priority 0) queues at 1 s and is blocked.
  // 'urgent' (1 GPU, priority 9) arrives at 2 s: with nothing freed, the core offers only the
  // arrivals; under priority order urgent is the head and fits, under arrival order it waits.
  const std::vector<JobSpec> jobs = {job("a", 1, 100, 0), job("gang", 2, 10, 1, 0), job("urgent", 1, 10, 2, 9)};
  using M = std::map<std::string, double>;
  for (const std::string policy : {"binpack", "exclusive", "standalone", "load-balance", "interference-aware"}) {
    CAPTURE(policy);
    CHECK(starts("priority", QueueDiscipline::fifo, jobs, 2, policy) == M{{"a", 0}, {"gang", 100}, {"urgent", 2}});
    CHECK(starts("fifo", QueueDiscipline::fifo, jobs, 2, policy) == M{{"a", 0}, {"gang", 100}, {"urgent", 110}});
  }
}

TEST_CASE("issue 11: queue orders are chosen by spec, canonical in outputs, with errors that list what is known") {
  CHECK(QueueOrderChoice::parse("fifo").order == nullptr);
  CHECK(QueueOrderChoice::parse("sjf:by=gpu-time").spec == "sjf");
  CHECK(QueueOrderChoice::parse("sjf:by=duration").spec == "sjf:by=duration");
  CHECK_THROWS_WITH(QueueOrderChoice::parse("lifo"), "unknown queue order 'lifo' (known: 2d-las, fifo, gittins, las, priority, sjf, srtf)");
  CHECK_THROWS_WITH(QueueOrderChoice::parse("sjf:by=memory"),
                    "queue order 'sjf': parameter 'by' must be gpu-time or duration, got 'memory'");
  RunOptions o;
  CHECK_THROWS_WITH(set_run_option(o, "queue-order", "sjf:x=1"),
                    "option queue_order: queue order 'sjf' has no parameter 'x' (parameters: by)");
  set_run_option(o, "queue_order", "priority");
  CHECK(run_option_values(o)[1] == std::pair<std::string, std::string>{"queue_order", "priority"});
}

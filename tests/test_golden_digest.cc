// Same inputs, same bytes, across versions: every built-in policy runs one mid-size workload, and
// the digest of its job rows and summary (as jobs.csv and summary.json print them) must equal the
// one stored here. An optimisation must leave every digest as it is. A change that means to alter
// results (a new rule, a fixed bug) updates the digests it moves, and its commit says why.
// The workload is drawn with integer arithmetic only (no libm), so it is the same on every machine.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>

#include "checked_run.h"
#include "colosim/pair_table.h"
#include "colosim/policies/builtin.h"
#include "colosim/rng.h"
#include "colosim/stable_hash.h"

using namespace colosim;

namespace {

// 3,000 jobs on 16 nodes of 8 GPUs, offered more than the cluster holds (mean waits of hours):
// shares, gangs up to 16 GPUs (two nodes), GPU models, node CPU and host memory, and one job in
// 25 CPU-only.
std::vector<JobSpec> workload() {
  Rng rng(2026);
  const char* apps[] = {"resnet", "bert", "lstm", "gan", "yolo"};
  const int shares[] = {100, 250, 500, 1000, 1000, 1000};
  const int gangs[] = {1, 1, 1, 1, 2, 4, 8, 16};
  std::vector<JobSpec> jobs;
  Tick t = 0;
  for (int i = 0; i < 3000; ++i) {
    t += static_cast<Tick>(rng.below(40'000'000));
    JobSpec j;
    j.id = "j" + std::to_string(i);
    j.app = apps[rng.below(5)];
    j.submit = t;
    j.solo_duration = static_cast<Tick>(1'000'000 * (30 + rng.below(3600)));
    j.features[kCpuMilliFeature] = static_cast<double>(1000 * (1 + rng.below(16)));
    j.features[kHostMemoryFeature] = static_cast<double>(1024 * (1 + rng.below(64)));
    if (i % 25 == 0) {
      j.gpus = 0;
    } else {
      j.gpus = gangs[rng.below(8)];
      j.gpu_milli = j.gpus == 1 ? shares[rng.below(6)] : 1000;
      j.memory_mib = 256 + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(16 * j.gpu_milli)));
      j.gpu_util = static_cast<double>(rng.below(101));
      if (i % 13 == 0) j.gpu_types = {"A100"};
    }
    jobs.push_back(std::move(j));
  }
  return jobs;
}

ClusterSpec cluster() {
  ClusterSpec c;
  c.name = "golden";
  c.gpu_types = {{"V100", 16384, 1.0}, {"A100", 40960, 2.0}};
  for (int i = 0; i < 16; ++i) c.nodes.push_back({"n" + std::to_string(i), i < 4 ? "A100" : "V100", 8, 96'000, 393'216});
  return c;
}

std::string hex(std::uint64_t h) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

}  // namespace

TEST_CASE("issue 13: every policy's results on the golden workload match the stored digest") {
  // Digests of CheckedRun::text (job rows, then the summary), FNV-1a (stable_hash.h).
  // Stored 2026-12-02 (the commit that added this test).
  const std::map<std::string, std::string> expected{
      {"best-fit", "50a33dd64f191b53"},
      {"binpack", "24f272f4ca337c3f"},
      {"dot-product", "5bc837f4ed1824ea"},
      {"exclusive", "691d28447621e3c2"},
      {"fgd", "d99b3cdccadd49b4"},
      {"first-fit", "b96b427a93f58ba5"},
      {"gandiva", "b55d387ed6fc7492"},
      {"gavel:round=600", "f14c4755b856629c"},
      {"gpu-clustering", "1b8d20a0ab721db7"},
      {"gpu-packing", "e953cfc1b140a7ed"},
      {"interference-aware", "34dbf1f56ccefc6a"},
      {"load-balance", "166cf28eda180065"},
      {"priority-preemption", "db6a122ff6708045"},
      {"random", "1ec92761ff5e3d2e"},
      {"standalone", "aec0e51b7436db16"},
      {"tiresias", "133b6716441f8512"}};
  const PolicyRegistry registry = builtin_policies();
  const std::vector<JobSpec> jobs = workload();
  PairTable model({Composition::multiplicative, 1.3});
  SimConfig config;
  config.seed = 7;
  for (const PolicyInfo* info : registry.list()) {
    const std::string name = info->name == "gavel" ? "gavel:round=600" : info->name;
    CAPTURE(name);
    auto policy = registry.make(name);
    const testing::CheckedRun run = testing::run_checked(cluster(), jobs, model, *policy, config);
    CHECK(run.violations == "");
    CHECK(run.records.size() == jobs.size());
    const std::string digest = hex(hash_text(kFnvOffset, run.text));
    const auto it = expected.find(name);
    CHECK_MESSAGE(it != expected.end(), "no stored digest for " << name << ": " << digest);
    if (it != expected.end()) CHECK(digest == it->second);
  }
}

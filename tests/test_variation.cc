// Issue 9 (new user): a trace file varied with the seed (traces::VariationSpec), so that a
// comparison over seeds has something to average over.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "colosim/errors.h"
#include "colosim/traces/inputs.h"
#include "shared_data.h"

using namespace colosim;

namespace {

std::vector<JobSpec> drain(JobSource& source) {
  std::vector<JobSpec> jobs;
  while (auto job = source.next()) jobs.push_back(std::move(*job));
  return jobs;
}

std::vector<JobSpec> seed_paper_jobs(const std::string& vary, std::uint64_t seed) {
  const auto input = traces::JobInput::resolve(source_file("examples/seed_paper/jobs.csv"), {.vary = vary});
  return drain(*input.open(seed, 4));
}

std::string error_of(const std::string& text) {
  try {
    traces::VariationSpec::parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("issue 9: variation specs parse, and bad ones name the key") {
  CHECK_FALSE(traces::VariationSpec::parse("").varies());
  CHECK_FALSE(traces::VariationSpec::parse("none").varies());
  CHECK(traces::VariationSpec::parse("jitter:seconds=60").seconds == 60);
  CHECK(traces::VariationSpec::parse("bootstrap").fraction == 1);
  CHECK(traces::VariationSpec::parse("bootstrap:fraction=0.5").fraction == 0.5);
  CHECK(error_of("jitter") == "variation 'jitter': give seconds=S (submit times move by up to S seconds)");
  CHECK(error_of("jitter:seconds=-1") == "variation 'jitter:seconds=-1': 'seconds' must be positive");
  CHECK(error_of("bootstrap:seconds=5") == "variation 'bootstrap:seconds=5': unknown key 'seconds' (keys: fraction)");
  CHECK(error_of("shuffle").find("unknown variation 'shuffle'") != std::string::npos);
}

TEST_CASE("issue 9: a trace file varies with the seed only when asked to") {
  const auto fixed = traces::JobInput::resolve(source_file("examples/seed_paper/jobs.csv"));
  CHECK_FALSE(fixed.varies_with_seed());
  CHECK(traces::JobInput::resolve(source_file("examples/seed_paper/jobs.csv"), {.vary = "bootstrap"}).varies_with_seed());
  CHECK(traces::JobInput::resolve("gen:jobs=10").varies_with_seed());
  CHECK_FALSE(traces::JobInput::resolve("gen:jobs=10,seed=3").varies_with_seed());
}

TEST_CASE("issue 9: jitter moves submit times within the range, keeps every job, and is the same for a seed") {
  const auto plain = seed_paper_jobs("", 1);
  const auto a = seed_paper_jobs("jitter:seconds=100", 7);
  CHECK(a.size() == plain.size());
  std::map<std::string, Tick> original;
  for (const auto& j : plain) original[j.id] = j.submit;
  for (const auto& j : a) {
    REQUIRE(original.contains(j.id));
    CHECK(j.submit >= 0);
    CHECK(std::abs(j.submit - original[j.id]) <= 100 * kTicksPerSecond);
  }
  CHECK(std::is_sorted(a.begin(), a.end(), [](const JobSpec& x, const JobSpec& y) { return x.submit < y.submit; }));
  const auto again = seed_paper_jobs("jitter:seconds=100", 7);
  const auto other = seed_paper_jobs("jitter:seconds=100", 8);
  auto submits = [](const std::vector<JobSpec>& v) {
    std::vector<Tick> s;
    for (const auto& j : v) s.push_back(j.submit);
    return s;
  };
  CHECK(submits(a) == submits(again));
  CHECK(submits(a) != submits(other));
}

TEST_CASE("issue 9: bootstrap draws as many jobs with replacement, repeats renamed, in submit order") {
  const auto plain = seed_paper_jobs("", 1);  // the 8 jobs of the seed paper example
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto b = seed_paper_jobs("bootstrap", seed);
    CHECK(b.size() == plain.size());
    std::map<std::string, int> ids;
    for (const auto& j : b) CHECK(++ids[j.id] == 1);  // copies get "#2", "#3": ids stay unique
    CHECK(std::is_sorted(b.begin(), b.end(), [](const JobSpec& x, const JobSpec& y) { return x.submit < y.submit; }));
  }
  CHECK(seed_paper_jobs("bootstrap:fraction=0.5", 1).size() == 4);  // round(0.5 x 8)
  CHECK(seed_paper_jobs("bootstrap:fraction=2", 1).size() == 16);
}

// Issue 3: the seeded generator. Determinism (same seed, same jobs, same bytes), streaming, and
// the load arithmetic, checked by hand.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "colosim/errors.h"
#include "colosim/traces/generator.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"

using namespace colosim;
using namespace colosim::traces;

namespace {

std::string generate_bytes(std::uint64_t seed, std::int64_t jobs, const std::string& name) {
  GeneratorConfig config;
  config.seed = seed;
  config.jobs = jobs;
  v1::TraceHeader header;
  header.set_source(describe(config));
  header.set_job_count(jobs);
  const auto path = std::filesystem::temp_directory_path() / (name + std::to_string(::getpid()) + ".pb");
  auto writer = open_trace_writer(path, header);
  GeneratedJobSource source(config);
  while (auto j = source.next()) writer->write(*j);
  writer->finish();
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  in.close();
  std::filesystem::remove(path);
  return s.str();
}

}  // namespace

TEST_CASE("issue 3: generator: same seed gives the same bytes, another seed other bytes") {
  const std::string a = generate_bytes(7, 2000, "gen-a");
  const std::string b = generate_bytes(7, 2000, "gen-b");
  const std::string c = generate_bytes(8, 2000, "gen-c");
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a.size() > 2000 * 20);
}

TEST_CASE("issue 3: generator jobs are valid, sorted, and follow the configured mix") {
  GeneratorConfig config;
  config.seed = 3;
  config.jobs = 20000;
  config.arrival_rate = 0.5;
  config.apps = {"x", "y"};
  GeneratedJobSource source(config);
  std::int64_t n = 0, whole = 0, x = 0;
  Tick last = 0;
  double duration_sum = 0;
  while (auto j = source.next()) {
    CHECK(j->submit >= last);
    last = j->submit;
    CHECK(j->solo_duration >= kTicksPerSecond);  // min_duration_s
    CHECK(j->memory_mib == 16384 * j->gpu_milli / 1000);
    whole += j->gpu_milli == 1000;
    x += j->app == "x";
    duration_sum += ticks_to_seconds(j->solo_duration);
    ++n;
  }
  CHECK(n == 20000);
  // Whole-GPU shapes: (3911 + 44 + 16 + 15) / 7064 = 0.5643 of the openb pods.
  CHECK(static_cast<double>(whole) / n == doctest::Approx(0.5643).epsilon(0.03));
  CHECK(static_cast<double>(x) / n == doctest::Approx(0.5).epsilon(0.03));
  // 20,000 arrivals at 0.5/s take about 40,000 s.
  CHECK(ticks_to_seconds(last) == doctest::Approx(40000).epsilon(0.05));
  // The built-in table's mean is 15,214 s (sum over its log-linear segments); heavy tail: 15% slack.
  CHECK(duration_sum / n == doctest::Approx(builtin_philly_runtime().mean()).epsilon(0.15));
}

TEST_CASE("issue 3: generator load arithmetic for the benchmark source") {
  GeneratorConfig config;
  // Mean GPU share per job over the openb shapes: (sum of weight x gpus x milli / 1000) / 7064.
  double share = 0, weight = 0;
  for (const auto& s : config.shapes) {
    share += s.weight * s.gpus * s.gpu_milli / 1000.0;
    weight += s.weight;
  }
  CHECK(weight == 7064);
  CHECK(expected_gpu_seconds_per_job(config) == doctest::Approx(config.durations.mean() * share / weight));
  // 10,000 GPUs at load 0.8: rate = 8000 / E[GPU-s per job].
  CHECK(arrival_rate_for_load(config, 10000, 0.8) == doctest::Approx(8000 / expected_gpu_seconds_per_job(config)));
  auto source = make_load_source(1, 1000, 1250 * 8, 0.9);
  std::int64_t n = 0;
  while (source->next()) ++n;
  CHECK(n == 1000);
}

TEST_CASE("issue 3: generator with an arrival profile puts no arrivals in empty bins") {
  GeneratorConfig config;
  config.seed = 11;
  config.jobs = 5000;
  config.arrival_rate = 0.01;
  // Busy for one 600-s bin, idle for the next three: mean rate 0.01/s -> 0.04/s in the busy bin.
  config.profile = ArrivalProfile{600, {1, 0, 0, 0}, "test"};
  GeneratedJobSource source(config);
  while (auto j = source.next()) {
    const auto bin = (j->submit / (600 * kTicksPerSecond)) % 4;
    CHECK(bin == 0);
  }
}

TEST_CASE("issue 3: generator rejects bad configurations") {
  GeneratorConfig config;
  config.arrival_rate = 0;
  CHECK_THROWS_AS(GeneratedJobSource{config}, Error);
  config = {};
  config.apps.clear();
  CHECK_THROWS_AS(GeneratedJobSource{config}, Error);
  config = {};
  config.shapes = {{1, 0, 1}};
  CHECK_THROWS_AS(GeneratedJobSource{config}, Error);
  CHECK_THROWS_AS(QuantileTable({{0, 5}, {1, 3}}, "falling"), Error);
}

// Bad input gets a clear error naming the file, line and field.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "colosim/errors.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/interference_io.h"
#include "colosim/traces/job_csv.h"
#include "shared_data.h"

using namespace colosim;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  static const auto dir = test_temp_dir("inputs");
  const auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

std::string csv_error(const std::string& text) {
  const std::string path = write_temp("jobs.csv", text);
  try {
    traces::read_job_csv(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("job CSV: each bad-input class names file, line and field") {
  const std::string header = "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util\n";
  CHECK(csv_error("id,app,submit_s\n").find("field 'duration_s': missing column") != std::string::npos);
  CHECK(csv_error(header + "a,x,0,10,1,100\n").find("jobs.csv:2: expected 7 fields") != std::string::npos);
  CHECK(csv_error(header + "a,x,0,ten,1,100,5\n").find("jobs.csv:2: field 'duration_s': 'ten' is not a finite number") !=
        std::string::npos);
  CHECK(csv_error(header + "a,x,0,-1,1,100,5\n").find("jobs.csv:2: field 'duration_s': negative") !=
        std::string::npos);
  CHECK(csv_error(header + "a,x,0,nan,1,100,5\n").find("field 'duration_s': 'nan' is not a finite number") !=
        std::string::npos);
  CHECK(csv_error(header + "a,x,5,1,1,100,5\nb,x,1,1,1,100,5\n").find("jobs.csv:3: field 'submit_s': submit times must not decrease") !=
        std::string::npos);
  CHECK(csv_error(header + "a,x,0,1,1,100,5\na,x,1,1,1,100,5\n").find("jobs.csv:3: field 'id': duplicate id 'a'") !=
        std::string::npos);
  CHECK(csv_error(header + "a,x,0,1,-1,100,5\n").find("field 'gpus': must be at least 0 (0: a CPU-only job), got -1") !=
        std::string::npos);
  CHECK(csv_error(header + "a,x,0,1,0,100,5\n").find("field 'memory_mib': a CPU-only job (gpus 0) uses no GPU memory, got 100") !=
        std::string::npos);
  CHECK(csv_error("id,app,submit_s,duration_s,gpus,memory_mib,gpu_util,colour\n")
            .find("field 'colour': unknown column") != std::string::npos);
}

TEST_CASE("job CSV: optional columns and features are read") {
  const std::string path = write_temp("jobs-ok.csv",
                                      "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util,gpu_types,gpu_milli,feature.membw_util\n"
                                      "a,resnet,1.5,100,2,4096,55.5,V100|A100,500,31\n");
  auto jobs = traces::read_job_csv(path);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].submit == 1'500'000);
  CHECK(jobs[0].solo_duration == 100 * kTicksPerSecond);
  CHECK(jobs[0].gpus == 2);
  CHECK(jobs[0].gpu_types == std::vector<std::string>{"V100", "A100"});
  CHECK(jobs[0].gpu_milli == 500);
  CHECK(jobs[0].features.at("membw_util") == 31.0);
}

TEST_CASE("cluster spec: text format errors give line and column; semantic errors name the field") {
  const std::string bad_syntax = write_temp("c1.textproto", "name: \"x\"\ngpu_types { name: \"V100\" memory_mib: oops }\n");
  CHECK_THROWS_WITH_AS(traces::read_cluster(bad_syntax), doctest::Contains("c1.textproto:2: column"), InputError);
  const std::string unknown_type = write_temp(
      "c2.textproto", "gpu_types { name: \"V100\" memory_mib: 16384 }\nnodes { name: \"n0\" gpu_type: \"H100\" gpus: 8 }\n");
  CHECK_THROWS_WITH_AS(traces::read_cluster(unknown_type),
                       doctest::Contains("field 'nodes.gpu_type': node 'n0' names unknown GPU type 'H100'"), InputError);
  const std::string version = write_temp("c3.textproto", "schema_version: 7\n");
  CHECK_THROWS_WITH_AS(traces::read_cluster(version), doctest::Contains("field 'schema_version'"), InputError);
}

TEST_CASE("cluster spec: the seed paper example reads as 1 node x 4 Titan Xp of 12288 MiB") {
  const ClusterSpec c = traces::read_cluster(source_file("examples/seed_paper/cluster.textproto"));
  CHECK(c.total_gpus() == 4);
  CHECK(c.nodes.size() == 1);
  CHECK(c.gpu_types.at(0).memory_mib == 12288);
}

TEST_CASE("pair table CSV: reads the example, rejects duplicates and bad values") {
  const PairTable t = traces::read_pair_table_csv(source_file("examples/seed_paper/slowdowns.csv"));
  CHECK(t.size() == 16);
  // Utilisation-sum rule: (88 + 88) / 100.
  CHECK(t.pair("TensorFlow", "TensorFlow") == 1.76);
  const std::string dup = write_temp("dup.csv", "victim,aggressor,slowdown\nA,B,1.2\nA,B,1.3\n");
  CHECK_THROWS_WITH_AS(traces::read_pair_table_csv(dup), doctest::Contains("dup.csv:3: field 'victim': pair (A | B) given twice"),
                       InputError);
  const std::string zero = write_temp("zero.csv", "victim,aggressor,slowdown\nA,B,0\n");
  CHECK_THROWS_WITH_AS(traces::read_pair_table_csv(zero), doctest::Contains("zero.csv:2: field 'slowdown'"), InputError);
  const std::string infeasible = write_temp("inf.csv", "victim,aggressor,slowdown,feasible\nA,B,,0\n");
  const PairTable t2 = traces::read_pair_table_csv(infeasible);
  JobSpec a, b;
  a.app = "A";
  b.app = "B";
  CHECK_FALSE(t2.feasible(a, b, {"G", 1, 1.0}));
  CHECK_FALSE(t2.feasible(b, a, {"G", 1, 1.0}));
}

// Issue 3: `colosim convert`, `trace-info` and `generate` as users meet them: exit codes,
// messages, determinism.
#include <doctest/doctest.h>

#include <unistd.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "colosim/traces/trace_stats.h"
#include "cli_runner.h"
#include "shared_data.h"

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("colosim-cli-" + std::to_string(::getpid()) + "-" + name)).string();
}

}  // namespace

TEST_CASE("issue 3: colosim generate is deterministic and trace-info reads it back") {
  const auto a = temp_path("a.pb"), b = temp_path("b.pb"), json = temp_path("a.json"), c = temp_path("c.pb");
  REQUIRE(run_colosim("generate " + a + " -n 500 --seed 9 --load 0.8 --gpus 64").status == 0);
  REQUIRE(run_colosim("generate " + b + " -n 500 --seed 9 --load 0.8 --gpus 64").status == 0);
  CHECK(read_file(a) == read_file(b));
  REQUIRE(run_colosim("convert " + a + " " + json).status == 0);
  REQUIRE(run_colosim("convert " + json + " " + c).status == 0);
  CHECK(read_file(a) == read_file(c));
  const auto info = run_colosim("trace-info " + a);
  CHECK(info.status == 0);
  CHECK(info.output.find("jobs:                 500") != std::string::npos);
  CHECK(info.output.find("validation: ok") != std::string::npos);
  for (const auto& p : {a, b, json, c}) std::filesystem::remove(p);
}

TEST_CASE("issue 3: colosim trace-info and convert exit 1 with file, record and field on bad input") {
  const auto good = temp_path("good.pb"), bad = temp_path("bad.pb");
  REQUIRE(run_colosim("generate " + good + " -n 50 --seed 1").status == 0);
  const std::string bytes = read_file(good);
  std::ofstream(bad, std::ios::binary) << bytes.substr(0, bytes.size() - 5);
  const auto info = run_colosim("trace-info " + bad);
  CHECK(info.status == 1);
  CHECK(info.output.find("error: " + bad + ":50: field 'Job': truncated record") != std::string::npos);
  CHECK(info.output.find("validation: FAILED after 49 jobs") != std::string::npos);
  const auto out = temp_path("out.json");
  CHECK(run_colosim("convert " + bad + " " + out).status == 1);
  CHECK_FALSE(std::filesystem::exists(out));  // nothing that looks complete
  CHECK(run_colosim("convert " + good + " " + out + " --from nosuch").status == 1);
  for (const auto& p : {good, bad}) std::filesystem::remove(p);
}

TEST_CASE("issue 3: colosim convert runs an importer on the real Tiresias files") {
  auto jobs = shared_data_file("peer-traces/tiresias/60_job.csv");
  auto spec = shared_data_file("peer-traces/tiresias/n32g4.csv");
  if (!jobs || !spec) return;
  const auto out = temp_path("tiresias.pb");
  const auto r = run_colosim("convert " + jobs->string() + " " + out + " --from tiresias --with " + spec->string());
  CHECK(r.status == 0);
  CHECK(r.output.find(out + ": 60 jobs written") != std::string::npos);
  const auto info = run_colosim("trace-info " + out);
  CHECK(info.output.find("cluster 'tiresias n32g4.csv': 32 nodes, 128 GPUs") != std::string::npos);
  // The 10 8-GPU jobs do not fit one 4-GPU node; they fit when a gang may span nodes.
  CHECK(info.output.find("jobs that cannot run on the cluster: 10") != std::string::npos);
  CHECK(run_colosim("trace-info --multi-node " + out).output.find("jobs that cannot run on the cluster: 0") !=
        std::string::npos);
  std::filesystem::remove(out);
}

TEST_CASE("issue 3: cluster_problem names unknown GPU types and gangs bigger than every node") {
  using namespace colosim;
  ClusterSpec cluster;
  cluster.gpu_types = {{"V100", 16384, 1.0}, {"T4", 16384, 1.0}};
  cluster.nodes = {{"a", "V100", 8}, {"b", "T4", 4}};
  JobSpec job;
  job.id = "j";
  job.gpus = 8;
  CHECK_FALSE(traces::cluster_problem(job, cluster));
  job.gpu_types = {"T4"};
  CHECK(traces::cluster_problem(job, cluster)->find("largest allowed node has 4") != std::string::npos);
  job.gpu_types = {"A100"};
  CHECK(traces::cluster_problem(job, cluster)->find("does not have") != std::string::npos);
  job.gpu_types = {};
  job.gpus = 12;
  CHECK(traces::cluster_problem(job, cluster));
  CHECK_FALSE(traces::cluster_problem(job, cluster, /*allow_multi_node=*/true));
  job.gpus = 1;
  job.memory_mib = 20000;  // more than any GPU has
  CHECK(traces::cluster_problem(job, cluster)->find("20000 MiB") != std::string::npos);
}

TEST_CASE("issue 9: generate --count to standard output, piped through convert and trace-info --format json") {
  const auto dir = test_temp_dir("trace-cli-pipe");
  const auto pb = (dir / "piped.pb").string();
  const auto piped = run_colosim("generate - --count 40 --seed 3 -q | " + std::string(COLOSIM_CLI) + " convert -q - " + pb);
  REQUIRE_MESSAGE(piped.status == 0, piped.output);
  CHECK(piped.output.empty());  // -q: no chatter
  const auto direct = (dir / "direct.pb").string();
  REQUIRE(run_colosim("generate " + direct + " -n 40 --seed 3 -q").status == 0);
  // CSV keeps times to the microsecond, the tick: the round trip through stdin loses nothing
  // but the header's source text, so compare the jobs.
  const auto a = run_colosim("convert -q " + pb + " -"), b = run_colosim("convert -q " + direct + " -");
  CHECK(a.status == 0);
  CHECK(a.output == b.output);
  CHECK(a.output.rfind("id,app,submit_s,", 0) == 0);

  const auto info = run_colosim("trace-info --format json - < " + pb + " --trace-format pb");
  REQUIRE_MESSAGE(info.status == 0, info.output);
  CHECK(info.output.rfind("{\n  \"file\": \"<stdin>\",\n  \"format\": \"pb\",\n", 0) == 0);
  CHECK(info.output.find("\"stats\": {\"jobs\": 40,") != std::string::npos);
  CHECK(info.output.find("\"validation\": \"ok\"") != std::string::npos);
  CHECK(info.output == run_colosim("trace-info --format json - --trace-format pb < " + pb).output);  // deterministic
}

TEST_CASE("issue 9: trace-info --format json on a bad trace still exits 1 and says where") {
  const auto bad = (test_temp_dir("trace-cli-bad-json") / "bad.csv").string();
  std::ofstream(bad) << "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util\na,A,0,5,1,100,5\nb,A,0,x,1,100,5\n";
  const auto info = run_colosim("trace-info --format json - < " + bad);
  CHECK(info.status == 1);
  CHECK(info.output.find("\"validation\": \"FAILED after 1 jobs\"") != std::string::npos);
  CHECK(info.output.find("error: <stdin>:3: field 'duration_s'") != std::string::npos);
}

// The command line as users meet it: exit codes, messages, outputs, determinism.
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include "cli_runner.h"
#include "shared_data.h"

namespace {

std::string example_args(const std::string& policy) {
  return "run --cluster " + source_file("examples/seed_paper/cluster.textproto") + " --trace " +
         source_file("examples/seed_paper/jobs.csv") + " --interference " +
         source_file("examples/seed_paper/slowdowns.csv") + " --gpu-sharing stack --policy " + policy;
}

}  // namespace

TEST_CASE("colosim run writes jobs.csv and summary.json, byte-identical for the same seed") {
  const auto dir = test_temp_dir("cli");
  const auto first = run_colosim(example_args("random") + " --seed 7 --out " + (dir / "a").string());
  REQUIRE(first.status == 0);
  CHECK(first.output.find("makespan (s)") != std::string::npos);
  const auto second = run_colosim(example_args("random") + " --seed 7 --out " + (dir / "b").string());
  REQUIRE(second.status == 0);
  const std::string jobs = read_file((dir / "a" / "jobs.csv").string());
  CHECK(jobs.rfind("id,app,submit_s,start_s,end_s,gpus,queueing_delay_s,jct_s,slowdown,oom_retries,outcome,gpu_list,note\n", 0) == 0);
  CHECK(jobs == read_file((dir / "b" / "jobs.csv").string()));
  // The summary differs only in the output paths it does not record.
  CHECK(read_file((dir / "a" / "summary.json").string()) == read_file((dir / "b" / "summary.json").string()));
}

TEST_CASE("colosim run: load-balance on the seed paper example, by hand") {
  // GPU0/1: TensorFlow + LAMMPS, slowdowns 1.11 both (util sum 111%): 600 s -> 666 s.
  // GPU2/3: GROMACS + QMCPACK, 1.187 both (118.7%): 712.2 s. Makespan 712.2 s.
  const auto out = run_colosim(example_args("load-balance"));
  REQUIRE(out.status == 0);
  CHECK(out.output.find("makespan (s)        712.200") != std::string::npos);
}

TEST_CASE("issue 9: colosim run prints load-balance's warning about jobs without a GPU utilisation") {
  const auto dir = test_temp_dir("missing-util");
  const auto trace = (dir / "jobs.csv").string();
  std::ofstream(trace) << "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util\na,A,0,10,1,0,0\nb,A,0,10,1,0,0\n";
  const std::string args = "run --cluster " + source_file("examples/seed_paper/cluster.textproto") + " --trace " + trace +
                           " --interference none --policy ";
  const auto warned = run_colosim(args + "load-balance");
  CHECK(warned.status == 0);
  CHECK(warned.output.find("warning: load-balance: jobs without a GPU utilisation (gpu_util 0)") != std::string::npos);
  const auto refused = run_colosim(args + "load-balance:missing_util=error");
  CHECK(refused.status == 1);
  CHECK(refused.output.find("error: load-balance: job 'a' has no GPU utilisation") != std::string::npos);
}

TEST_CASE("colosim run: bad inputs exit non-zero with file, line and field") {
  const auto bad_policy = run_colosim(example_args("bestfit"));
  CHECK(bad_policy.status == 1);
  CHECK(bad_policy.output.find("error: unknown policy 'bestfit'") != std::string::npos);

  const auto dir = test_temp_dir("cli-bad");
  const auto trace = (dir / "bad.csv").string();
  std::ofstream(trace) << "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util\nx,LAMMPS,0,abc,1,100,5\n";
  const auto bad_trace = run_colosim("run --cluster " + source_file("examples/seed_paper/cluster.textproto") + " --trace " +
                                 trace + " --interference none --policy binpack");
  CHECK(bad_trace.status == 1);
  CHECK(bad_trace.output.find("bad.csv:2: field 'duration_s': 'abc' is not a finite number") != std::string::npos);

  const auto missing = run_colosim("run --cluster /nonexistent.textproto --trace x.csv --interference none --policy binpack");
  CHECK(missing.status == 1);
  CHECK(missing.output.find("/nonexistent.textproto: cannot open file") != std::string::npos);

  const auto usage = run_colosim("run --cluster");
  CHECK(usage.status != 0);
}

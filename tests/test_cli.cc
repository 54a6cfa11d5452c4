// The command line as users meet it: exit codes, messages, outputs, determinism.
#include <doctest/doctest.h>

#include <algorithm>
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
  CHECK(jobs.rfind("id,app,submit_s,start_s,end_s,gpus,queueing_delay_s,jct_s,slowdown,speedup,ftf_rho,preemptions,suspended_s,lost_gpu_s,attained_gpu_s,oom_retries,outcome,gpu_list,note\n", 0) == 0);
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

namespace {

std::size_t line_count(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("issue 9: colosim --version prints the project version and exits 0") {
  const auto out = run_colosim("--version");
  CHECK(out.status == 0);
  CHECK(out.output == std::string("colosim ") + COLOSIM_VERSION + "\n");  // CMake's PROJECT_VERSION
}

TEST_CASE("issue 9: usage errors exit 2 with one line and a hint, not the whole help") {
  const auto missing_value = run_colosim("run --cluster");
  CHECK(missing_value.status == 2);
  CHECK(missing_value.output.rfind("error: ", 0) == 0);
  CHECK(missing_value.output.find("run 'colosim run --help' for the options\n") != std::string::npos);
  CHECK(line_count(missing_value.output) == 2);

  const auto unknown_flag = run_colosim(example_args("binpack") + " --nosuch");
  CHECK(unknown_flag.status == 2);
  CHECK(unknown_flag.output.find("--nosuch") != std::string::npos);
  CHECK(line_count(unknown_flag.output) == 2);

  const auto bad_type = run_colosim(example_args("binpack") + " --seed abc");
  CHECK(bad_type.status == 2);
  CHECK(line_count(bad_type.output) == 2);

  const auto bad_choice = run_colosim(example_args("binpack") + " --format yaml");
  CHECK(bad_choice.status == 2);

  const auto no_command = run_colosim("");
  CHECK(no_command.status == 2);
  CHECK(no_command.output.find("run 'colosim --help' for the options") != std::string::npos);

  // generate's job count is --count: --jobs means parallel runs everywhere.
  const auto old_flag = run_colosim("generate - --jobs 5");
  CHECK(old_flag.status == 2);
}

TEST_CASE("issue 9: an --out that cannot be created is an input error naming the option") {
  const auto dir = test_temp_dir("cli-out");
  const auto file = (dir / "plain-file").string();
  std::ofstream(file) << "x";
  const auto out = run_colosim(example_args("binpack") + " --out " + file + "/sub");
  CHECK(out.status == 1);
  CHECK(out.output.find("error: --out " + file + "/sub: cannot create the directory") != std::string::npos);
}

TEST_CASE("issue 9: run --format json prints exactly the summary.json it writes; -q silences the rest") {
  const auto dir = test_temp_dir("cli-json");
  const auto out = run_colosim(example_args("load-balance") + " --format json -q --out " + dir.string());
  REQUIRE(out.status == 0);
  CHECK(out.output == read_file((dir / "summary.json").string()));
  // 712.2: the hand computation of "colosim run: load-balance on the seed paper example".
  CHECK(out.output.find("\"makespan_s\": 712.2") != std::string::npos);
  const auto chatty = run_colosim(example_args("load-balance") + " --out " + dir.string());
  CHECK(chatty.output.find("wrote " + dir.string()) != std::string::npos);
}

TEST_CASE("issue 9: run --trace - reads the trace from standard input (CSV)") {
  const auto out = run_colosim("run --cluster " + source_file("examples/seed_paper/cluster.textproto") + " --trace - --interference " +
                               source_file("examples/seed_paper/slowdowns.csv") + " --gpu-sharing stack --policy load-balance < " +
                               source_file("examples/seed_paper/jobs.csv"));
  REQUIRE_MESSAGE(out.status == 0, out.output);
  CHECK(out.output.find("makespan (s)        712.200") != std::string::npos);

  // Errors in standard input name it, with line and field.
  const auto file = (test_temp_dir("cli-stdin") / "bad.csv").string();
  std::ofstream(file) << "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util\nx,A,0,abc,1,100,5\n";
  const auto bad = run_colosim("run --cluster uniform:nodes=1 --trace - --policy binpack < " + file);
  CHECK(bad.status == 1);
  CHECK(bad.output.find("<stdin>:2: field 'duration_s'") != std::string::npos);
}

TEST_CASE("issue 9 (new user): run and compare use the cluster in a converted Tiresias trace's header") {
  auto jobs = shared_data_file("peer-traces/tiresias/60_job.csv");
  auto spec = shared_data_file("peer-traces/tiresias/n32g4.csv");
  if (!jobs || !spec) return;
  const auto dir = test_temp_dir("cli-header-cluster");
  const auto trace = (dir / "tiresias.pb").string();
  REQUIRE(run_colosim("convert -q " + jobs->string() + " " + trace + " --from tiresias --with " + spec->string()).status == 0);
  const auto run = run_colosim("run --trace " + trace + " --policy binpack");
  REQUIRE_MESSAGE(run.status == 0, run.output);
  CHECK(run.output.find("policy binpack, 128 GPUs") != std::string::npos);  // n32g4: 32 nodes x 4 GPUs
  CHECK(run.output.find("\njobs                      60\n") != std::string::npos);  // 60_job.csv
  const auto compare = run_colosim("compare -q --trace " + trace + " -p binpack exclusive --out " + (dir / "cmp").string());
  REQUIRE_MESSAGE(compare.status == 0, compare.output);
  CHECK(compare.output.find("cluster tiresias n32g4.csv (128 GPUs)") != std::string::npos);
}

TEST_CASE("issue 10 #12: an empty trace is an error unless --allow-empty asks for it") {
  const auto dir = test_temp_dir("allow-empty");
  std::ofstream(dir / "empty.csv") << "id,app,submit_s,duration_s,gpus\n";
  const std::string args = "run --cluster uniform:nodes=1,gpus_per_node=2 --policy binpack --trace " + (dir / "empty.csv").string();
  const auto refused = run_colosim(args);
  CHECK(refused.status == 1);
  CHECK(refused.output.find("empty.csv") != std::string::npos);
  const auto allowed = run_colosim(args + " --allow-empty --format json");
  CHECK(allowed.status == 0);
  CHECK(allowed.output.find("\"jobs\": 0,") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("issue 15: colosim inflate prints unallocated GPUs per policy and writes the curves") {
  // The hand-worked case of test_inflation.cc: one node of 2 GPUs, jobs of 600; at 90% arrived,
  // 60% allocated under every policy and seed.
  const auto dir = test_temp_dir("inflate");
  const auto trace = (dir / "jobs.csv").string();
  std::ofstream(trace) << "id,app,submit_s,duration_s,gpus,memory_mib,gpu_milli\nx,A,0,10,1,0,600\n";
  const std::string args = "inflate --cluster uniform:nodes=1,gpus_per_node=2,memory_mib=16384 --trace " + trace +
                           " --seeds 1-3 --policies fgd best-fit --at 90 -j 2 --out " + (dir / "out").string();
  const auto out = run_colosim(args);
  CHECK(out.status == 0);
  CHECK(out.output.find("unallocated GPU % at 90% (median)") != std::string::npos);
  const auto fgd_row = out.output.find("\nfgd ");
  REQUIRE(fgd_row != std::string::npos);
  CHECK(out.output.substr(fgd_row, out.output.find('\n', fgd_row + 1) - fgd_row).find("40.00  40.00-40.00  40.00-40.00") !=
        std::string::npos);
  CHECK(out.output.find("6 runs:") != std::string::npos);
  const std::string csv = read_file((dir / "out" / "curves.csv").string());
  CHECK(csv.rfind("policy,seed,arrived_pct,allocated_pct,unallocated_pct,fragmentation_pct\n", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 6 * 131);
  // The CPU seconds and rate at the end of each row vary from run to run.
  CHECK(read_file((dir / "out" / "summary.csv").string())
            .rfind("policy,at_pct,unallocated_median,unallocated_p25,unallocated_p75,unallocated_min,unallocated_max,"
                   "fragmentation_median,runs,jobs,cpu_s,jobs_per_cpu_s\n"
                   "fgd,90,40.0000,40.0000,40.0000,40.0000,40.0000,100.0000,3,12,",
                   0) == 0);
  // --report (a Python child process) is tested from pytest: tests/python/test_inflation.py.
  const auto no_out = run_colosim("inflate --cluster uniform:nodes=1,gpus_per_node=2,memory_mib=16384 --trace " + trace +
                                  " --report " + (dir / "r.html").string());
  CHECK(no_out.status == 1);
  CHECK(no_out.output.find("--report needs --out") != std::string::npos);
  const auto bad = run_colosim("inflate --cluster uniform:nodes=1,gpus_per_node=2,memory_mib=16384 --trace " + trace + " --policies nosuch");
  CHECK(bad.status == 1);
  CHECK(bad.output.find("unknown policy 'nosuch'") != std::string::npos);
  const auto bad_at = run_colosim("inflate --cluster uniform:nodes=1,gpus_per_node=2,memory_mib=16384 --trace " + trace + " --at 200");
  CHECK(bad_at.status == 1);
  CHECK(bad_at.output.find("--at 200") != std::string::npos);
  const auto bad_ratio = run_colosim("inflate --cluster uniform:nodes=1,gpus_per_node=2,memory_mib=16384 --trace " + trace +
                                     " --max-ratio 0 --at 0");
  CHECK(bad_ratio.status == 1);
  CHECK(bad_ratio.output.find("ratio must be in (0, 100]") != std::string::npos);
}

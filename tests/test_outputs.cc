// Result files appear complete or not at all (issue 10 #8), and Ctrl-C stops a long command
// soon, leaving nothing half-written (issue 10 #14).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "cli_runner.h"
#include "colosim/errors.h"
#include "colosim/number_text.h"
#include "colosim/rng.h"
#include "colosim/traces/atomic_file.h"
#include "shared_data.h"

namespace fs = std::filesystem;

namespace {

const std::string kCluster = "--cluster uniform:nodes=2,gpus_per_node=4";

// A CSV trace of `good` one-second jobs, one a second, then a record whose duration is not a
// number: the reader streams, so the run fails only when it reaches the last line.
fs::path trace_failing_late(const fs::path& dir, int good) {
  const fs::path path = dir / "late.csv";
  std::ofstream out(path);
  out << "id,app,submit_s,duration_s,gpus\n";
  for (int i = 0; i < good; ++i) out << "j" << i << ",A," << i << ",1,1\n";
  out << "bad,A," << good << ",soon,1\n";
  return path;
}

// `command` (a colosim command line) under a file-size limit of `kib` KiB: writes beyond it fail
// as on a full disk (SIGXFSZ ignored, so write() reports EFBIG instead of killing the process).
CliOutcome run_with_file_limit(const std::string& args, int kib) {
  return run_colosim_shell("trap '' XFSZ; ulimit -f " + std::to_string(kib * 2) + "; " + std::string(COLOSIM_CLI) + " " + args);
}

bool any_partial(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().string().find(".partial") != std::string::npos) return true;
  return false;
}

// Runs the CLI in a child process with stdout and stderr to files in `dir`.
pid_t spawn_colosim(const fs::path& dir, const std::vector<std::string>& args) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int out = ::open((dir / "stdout.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open((dir / "stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(COLOSIM_CLI)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(COLOSIM_CLI, argv.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

TEST_CASE("issue 10 #8: a run that fails late leaves neither its partial jobs.csv nor the previous summary.json") {
  const auto dir = test_temp_dir("late-failure");
  const auto out = dir / "out";
  const auto trace = trace_failing_late(dir, 3000);
  // An earlier, successful run fills the folder.
  const std::string earlier = "run " + kCluster + " --policy binpack --trace gen:jobs=20,load=0.5 --out " + out.string();
  REQUIRE(run_colosim(earlier).status == 0);
  REQUIRE(fs::exists(out / "jobs.csv"));
  REQUIRE(fs::exists(out / "summary.json"));

  const auto failed = run_colosim("run " + kCluster + " --policy binpack --trace " + trace.string() + " --out " + out.string());
  CHECK(failed.status == 1);
  CHECK(failed.output.find("late.csv:3002: field 'duration_s'") != std::string::npos);
  // Before the fix: a jobs.csv of the ~3000 jobs run so far beside the earlier run's summary.json.
  CHECK_FALSE(fs::exists(out / "jobs.csv"));
  CHECK_FALSE(fs::exists(out / "summary.json"));
  CHECK_FALSE(any_partial(out));
  fs::remove_all(dir);
}

TEST_CASE("issue 10 #8: a full disk while writing jobs.csv leaves no partial file and no mixed set") {
  const auto dir = test_temp_dir("full-disk");
  const auto out = dir / "out";
  REQUIRE(run_colosim("run " + kCluster + " --policy binpack --trace gen:jobs=20,load=0.5 --out " + out.string()).status == 0);
  // 2000 jobs make a jobs.csv of about 200 KiB; the limit lets 16 KiB through.
  const auto full = run_with_file_limit("run " + kCluster + " --policy binpack --trace gen:jobs=2000,load=0.5 --out " + out.string(), 16);
  CHECK(full.status == 1);
  CHECK(full.output.find("write error on '" + (out / "jobs.csv.partial").string() + "'") != std::string::npos);
  CHECK_FALSE(fs::exists(out / "jobs.csv"));
  CHECK_FALSE(fs::exists(out / "summary.json"));
  CHECK_FALSE(any_partial(out));
  fs::remove_all(dir);
}

TEST_CASE("issue 10 #8: an --out whose jobs.csv is a directory fails before running and removes nothing") {
  const auto dir = test_temp_dir("jobs-dir");
  const auto out = dir / "out";
  REQUIRE(run_colosim("run " + kCluster + " --policy binpack --trace gen:jobs=20,load=0.5 --out " + out.string()).status == 0);
  fs::remove(out / "jobs.csv");
  fs::create_directories(out / "jobs.csv" / "inside");
  const auto refused = run_colosim("run " + kCluster + " --policy binpack --trace gen:jobs=20,load=0.5 --out " + out.string());
  CHECK(refused.status == 1);
  CHECK(refused.output.find("cannot write '" + (out / "jobs.csv").string() + "': it is a directory") != std::string::npos);
  CHECK(fs::exists(out / "jobs.csv" / "inside"));
  CHECK_FALSE(any_partial(out));
  fs::remove_all(dir);
}

TEST_CASE("issue 10 #8: a comparison that fails while writing leaves no runs.csv, summary.json or jobs files") {
  const auto dir = test_temp_dir("compare-full-disk");
  const auto out = dir / "out";
  const std::string grid = "compare " + kCluster + " --trace gen:jobs=200,load=0.8 --policy binpack exclusive --seeds 1-20 "
                           "--quiet --save-jobs --out " + out.string();
  REQUIRE(run_colosim(grid).status == 0);
  REQUIRE(fs::exists(out / "runs.csv"));
  REQUIRE(fs::exists(out / "jobs" / "run-00039.csv"));
  // 40 jobs files of about 20 KiB each cannot all fit under 16 KiB: one fails part-way.
  const auto full = run_with_file_limit(grid, 16);
  CHECK(full.status == 1);
  CHECK(full.output.find("write error on '") != std::string::npos);
  CHECK_FALSE(fs::exists(out / "runs.csv"));
  CHECK_FALSE(fs::exists(out / "summary.json"));
  CHECK(fs::is_empty(out / "jobs"));  // the earlier comparison's files went before this one started
  CHECK_FALSE(any_partial(out));
  fs::remove_all(dir);
}

TEST_CASE("issue 10 #8: AtomicFile shows its file only when committed; a set is written whole or not at all") {
  const auto dir = test_temp_dir("atomic-file");
  const auto path = dir / "result.txt";
  std::ofstream(path) << "old";
  {
    colosim::traces::AtomicFile f(path);
    f.stream() << "new, half written";
    f.flush();
    CHECK(read_file(path.string()) == "old");  // untouched until commit
  }  // destroyed uncommitted: the old file stays, no partial file
  CHECK(read_file(path.string()) == "old");
  CHECK_FALSE(fs::exists(dir / "result.txt.partial"));
  {
    colosim::traces::AtomicFile f(path);
    f.stream() << "new";
    f.commit();
  }
  CHECK(read_file(path.string()) == "new");

  // The second file of the set cannot be written (its name is a directory): the first one is
  // not written either.
  fs::create_directories(dir / "b.txt" / "x");
  CHECK_THROWS_AS(colosim::traces::write_files_atomically({{dir / "a.txt", "a"}, {dir / "b.txt", "b"}}), colosim::Error);
  CHECK_FALSE(fs::exists(dir / "a.txt"));
  CHECK_FALSE(any_partial(dir));
  fs::remove_all(dir);
}

TEST_CASE("issue 10 #14: Ctrl-C during a long colosim run exits 130 at once and writes nothing") {
  const auto dir = test_temp_dir("run-sigint");
  const auto out = dir / "out";
  // Fifty million jobs: minutes of simulation, far more than the second before the signal.
  const pid_t pid = spawn_colosim(dir, {"run", "--cluster", "uniform:nodes=4,gpus_per_node=8", "--policy", "binpack",
                                        "--trace", "gen:jobs=50000000,load=0.9", "--out", out.string()});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && !fs::exists(out / "jobs.csv.partial"))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // well into the simulation
  REQUIRE(::kill(pid, SIGINT) == 0);
  const auto sent = std::chrono::steady_clock::now();
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(std::chrono::steady_clock::now() - sent < std::chrono::seconds(5));
  REQUIRE(WIFEXITED(status));  // it stopped by itself, not killed by the signal
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(read_file((dir / "stderr.txt").string()).find("colosim run: interrupted; nothing was written to") != std::string::npos);
  CHECK_FALSE(fs::exists(out / "jobs.csv"));
  CHECK_FALSE(fs::exists(out / "summary.json"));
  CHECK_FALSE(any_partial(out));
  fs::remove_all(dir);
}

TEST_CASE("issue 13: append_fixed prints what std::to_chars prints, fast path or not") {
  const auto expected = [](double x, int decimals) {
    char text[400];
    return std::string(text, std::to_chars(std::begin(text), std::end(text), x, std::chars_format::fixed, decimals).ptr);
  };
  const auto printed = [](double x, int decimals) {
    std::string out = "<";
    colosim::append_fixed(out, x, decimals);
    return out.substr(1);
  };
  // Ties of the exact binary value (0.5, 2.5e-6 is not exactly representable), signs, zero,
  // non-finite and huge values, and the edge of the whole-number path (2^43 units).
  for (double x : {0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.0000005, 0.0000025, 1.0000005, 2.5e-6, -1e-9, 1e-9, 123.456789,
                   0.1, 1e300, -1e300, 5e-324, std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(), 0x1p43 / 1e6,
                   0x1p43 / 1e6 - 1e-6, 8796093.0223995, 9007199254.740993})
    for (int decimals : {0, 1, 3, 6, 9}) {
      CAPTURE(x);
      CAPTURE(decimals);
      CHECK(printed(x, decimals) == expected(x, decimals));
    }
  // Random doubles of every magnitude, whole microseconds as seconds, and near-ties.
  colosim::Rng rng(13);
  for (int i = 0; i < 300'000; ++i) {
    const double whole_us = static_cast<double>(rng.below(1ULL << 50)) / 1e6;
    const double any = std::ldexp(static_cast<double>(rng.below(1ULL << 53)), static_cast<int>(rng.below(80)) - 60);
    const double near_tie = (static_cast<double>(rng.below(1ULL << 40)) + 0.5) / 1e6 + (static_cast<double>(rng.below(3)) - 1) * 1e-13;
    for (double x : {whole_us, -whole_us, any, -any, near_tie}) {
      const int decimals = static_cast<int>(rng.below(10));
      if (printed(x, decimals) != expected(x, decimals)) {
        CAPTURE(x);
        CAPTURE(decimals);
        CHECK(printed(x, decimals) == expected(x, decimals));
      }
    }
  }
}

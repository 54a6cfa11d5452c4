// colosim compare on the command line: determinism across thread counts, error messages,
// Ctrl-C, the demo.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <thread>
#include <vector>
#include <unistd.h>

#include "cli_runner.h"
#include "shared_data.h"

namespace {

CliOutcome compare_cli(const std::string& args, const std::string& cwd = "") { return run_colosim("compare " + args, cwd); }

std::string slurp(const std::filesystem::path& path) { return read_file(path.string()); }

std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("colosim-compare-cli-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

const std::string kGrid =
    "--trace gen:workload=seed-paper,jobs=80,load=1.2 --cluster uniform:nodes=2,gpus_per_node=4,memory_mib=16384 "
    "--interference seed-paper --seeds 1-4 --load 1,2 --quiet ";

std::size_t count(const std::string& s, char c) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), c)); }

}  // namespace

TEST_CASE("colosim compare: --jobs 1 and --jobs 8 write byte-identical files") {
  const auto dir = scratch("threads");
  const std::string policies = "--policy exclusive binpack random:check_memory=true ";
  const auto one = compare_cli(kGrid + policies + "--jobs 1 --out " + (dir / "one").string());
  REQUIRE_MESSAGE(one.status == 0, one.output);
  const auto eight = compare_cli(kGrid + policies + "--jobs 8 --save-jobs --out " + (dir / "eight").string());
  REQUIRE_MESSAGE(eight.status == 0, eight.output);
  const std::string runs = slurp(dir / "one" / "runs.csv");
  CHECK(runs.rfind("run,cluster,load,policy,seed,jobs,finished,makespan_s,", 0) == 0);
  CHECK(count(runs, '\n') == 1 + 2 * 3 * 4);  // header + loads x policies x seeds
  CHECK(runs == slurp(dir / "eight" / "runs.csv"));
  CHECK(slurp(dir / "one" / "summary.json") == slurp(dir / "eight" / "summary.json"));
  CHECK(std::filesystem::exists(dir / "eight" / "jobs" / "run-00023.csv"));
  // The table: one row per policy and load, and the paired comparison with exclusive.
  CHECK(one.output.find("load x2: mean +- 95% CI over 4 seeds (Student t)") != std::string::npos);
  CHECK(one.output.find("Paired with exclusive on the same seeds") != std::string::npos);
  CHECK(one.output.find("JCT p99 (s)") != std::string::npos);
  CHECK(one.output.find("\x1b[K") == std::string::npos);  // no progress bar when stderr is not a terminal
  std::filesystem::remove_all(dir);
}

TEST_CASE("colosim compare: bad policies, parameters, seeds and loads exit non-zero with a clear message") {
  const std::string base = kGrid + "--out /nonexistent-never-written ";
  struct Case {
    std::string args, message;
  };
  const Case cases[] = {
      {"--policy nosuch", "error: unknown policy 'nosuch' (known: "},
      {"--policy binpack random:nosuch=1", "error: policy 'random' has no parameter 'nosuch'"},
      {"--policy random:check_memory=perhaps", "must be true or false, got 'perhaps'"},
      {"--seeds 10-1", "error: --seeds '10-1': the range '10-1' ends before it starts"},
      {"--seeds 1,a", "error: --seeds '1,a': 'a' is not a seed"},
      {"--load 1,0", "error: --load '1,0': load factor '0' must be positive"},
      {"--load x", "error: --load 'x': 'x' is not a number"},
      {"--policy binpack --baseline exclusive", "error: baseline 'exclusive' is not one of the compared policies (binpack)"},
      {"--jobs 0", "error: --jobs must be >= 1"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    const auto r = compare_cli(base + c.args);
    CHECK(r.status != 0);
    CHECK_MESSAGE(r.output.find(c.message) != std::string::npos, r.output);
  }
  CHECK_FALSE(std::filesystem::exists("/nonexistent-never-written"));
}

TEST_CASE("colosim compare: Ctrl-C stops cleanly and keeps the finished runs' rows") {
  const auto dir = scratch("sigint");
  const auto runs_csv = dir / "runs.csv";
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Long enough that it cannot finish first: 2 policies x 2000 seeds of 3000 jobs (minutes).
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    const std::string out = (dir / "stderr.txt").string();
    const int err = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(err, STDERR_FILENO);
    ::execl(COLOSIM_CLI, COLOSIM_CLI, "compare", "--trace", "gen:workload=seed-paper,jobs=3000,load=1.2", "--cluster",
            "uniform:nodes=2,gpus_per_node=4", "--interference", "seed-paper", "--policy", "exclusive", "binpack",
            "--seeds", "1-2000", "--jobs", "2", "--out", dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until some rows are written (runs.csv is written as runs.csv.partial until the end),
  // then interrupt.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && count(slurp(dir / "runs.csv.partial"), '\n') < 4)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(::kill(pid, SIGINT) == 0);
  const auto sent = std::chrono::steady_clock::now();
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  // Running simulations are abandoned at their next event, not waited for.
  CHECK(std::chrono::steady_clock::now() - sent < std::chrono::seconds(5));
  REQUIRE(WIFEXITED(status));  // it stopped by itself, not killed by the signal
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(slurp(dir / "stderr.txt").find("colosim compare: interrupted;") != std::string::npos);

  const std::string csv = slurp(runs_csv);
  REQUIRE(!csv.empty());
  CHECK(csv.back() == '\n');  // no half-written row
  std::istringstream lines(csv);
  std::string header, line;
  std::getline(lines, header);
  CHECK(header.rfind("run,cluster,load,policy,seed,", 0) == 0);
  std::size_t rows = 0, previous = 0;
  while (std::getline(lines, line)) {
    CHECK(count(line, ',') == count(header, ','));
    const std::size_t run = std::stoul(line.substr(0, line.find(',')));
    if (rows > 0) CHECK(run > previous);  // grid order
    previous = run;
    ++rows;
  }
  CHECK(rows >= 3);
  CHECK(rows < 4000);
  CHECK_FALSE(std::filesystem::exists(dir / "summary.json"));
  CHECK_FALSE(std::filesystem::exists(dir / "runs.csv.partial"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("colosim compare --demo: built-in data, explained, every built-in policy, in seconds") {
  const auto dir = scratch("demo");
  const auto start = std::chrono::steady_clock::now();
  const auto r = compare_cli("--demo --quiet", dir.string());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE_MESSAGE(r.status == 0, r.output);
  CHECK(seconds < 20);
  for (const char* text : {"Kim & Kim, KNOM Review 2020", "derived, not measured", "exclusive", "binpack", "load-balance",
                           "standalone", "random", "Paired with exclusive", "mean +- 95% CI over 3 seeds"})
    CHECK_MESSAGE(r.output.find(text) != std::string::npos, text);
  CHECK(std::filesystem::is_empty(dir));  // the demo writes nothing unless asked
  std::filesystem::remove_all(dir);
}

namespace {

// Runs the CLI with stderr on a pseudo-terminal; returns what it wrote there.
std::string stderr_on_terminal(const std::vector<std::string>& args) {
  int master = -1, slave = -1;
  REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(master);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(slave, STDERR_FILENO);
    std::vector<char*> argv = {const_cast<char*>(COLOSIM_CLI), const_cast<char*>("compare")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(COLOSIM_CLI, argv.data());
    ::_exit(127);
  }
  ::close(slave);
  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO once the child has closed the terminal
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return out;
}

}  // namespace

TEST_CASE("colosim compare: a progress bar on a terminal, none with --quiet") {
  const auto dir = scratch("progress");
  const std::vector<std::string> args = {"--trace", "gen:workload=seed-paper,jobs=200", "--cluster", "uniform:nodes=1,gpus_per_node=4",
                                         "--interference", "seed-paper", "--policy", "exclusive", "binpack", "--seeds", "1-6",
                                         "--out", dir.string()};
  const std::string bar = stderr_on_terminal(args);
  CHECK_MESSAGE(bar.find("/12 runs  elapsed ") != std::string::npos, bar);
  CHECK(bar.find("12/12 runs") != std::string::npos);
  CHECK(bar.find("ETA") != std::string::npos);
  auto quiet = args;
  quiet.push_back("--quiet");
  CHECK(stderr_on_terminal(quiet).empty());
  std::filesystem::remove_all(dir);
}

namespace {

const std::string kSeedPaperFile = "--trace " + source_file("examples/seed_paper/jobs.csv") + " --cluster " +
                                   source_file("examples/seed_paper/cluster.textproto") + " --interference " +
                                   source_file("examples/seed_paper/slowdowns.csv") + " --seeds 1-3 -q ";

}  // namespace

TEST_CASE("issue 9 (new user): compare on a trace file says there is no variation instead of '+- 0' and stars") {
  const auto dir = scratch("no-variation");
  const auto out = compare_cli(kSeedPaperFile + "-p exclusive load-balance --out " + dir.string());
  REQUIRE_MESSAGE(out.status == 0, out.output);
  CHECK(out.output.find("the same result on each of 3 seeds, so no interval") != std::string::npos);
  CHECK(out.output.find("No workload variation: every seed ran on the same jobs") != std::string::npos);
  CHECK(out.output.find("no interval and no significance: exclusive, load-balance.") != std::string::npos);
  CHECK(out.output.find("+- 0") == std::string::npos);
  CHECK(out.output.find("% *") == std::string::npos);  // load-balance differs from exclusive, but not "significantly"
  const std::string summary = slurp(dir / "summary.json");
  CHECK(summary.find("\"inputs_vary_with_seed\": false") != std::string::npos);
  CHECK(summary.find("\"seed_invariant\": false") == std::string::npos);
  CHECK(summary.find("\"excludes_zero\": true") == std::string::npos);
  CHECK(summary.find("\"ci_low\": null") != std::string::npos);
}

TEST_CASE("issue 9 (new user): a randomised policy on a fixed trace varies only through its own choices") {
  // A generator spec with a fixed seed is a fixed trace too.
  const auto out = compare_cli(
      "--trace gen:workload=seed-paper,jobs=80,load=1.2,seed=5 --cluster uniform:nodes=2,gpus_per_node=4,memory_mib=16384 "
      "--interference seed-paper --gpu-sharing stack --seeds 1-3 -q -p exclusive random --out " + scratch("random").string());
  REQUIRE_MESSAGE(out.status == 0, out.output);
  CHECK(out.output.find("varied only through the policy's own random choices") != std::string::npos);
  CHECK(out.output.find(": random.") != std::string::npos);
}

TEST_CASE("issue 9 (new user): --vary makes seeds sample varied traces, with intervals") {
  const auto dir = scratch("vary");
  const auto out = compare_cli(kSeedPaperFile + "-p exclusive load-balance --vary jitter:seconds=300 --out " + dir.string());
  REQUIRE_MESSAGE(out.status == 0, out.output);
  CHECK(out.output.find("No workload variation") == std::string::npos);
  CHECK(out.output.find("mean +- 95% CI over 3 seeds") != std::string::npos);
  const std::string summary = slurp(dir / "summary.json");
  CHECK(summary.find("\"inputs_vary_with_seed\": true") != std::string::npos);
  CHECK(summary.find("\"vary\": \"jitter:seconds=300\"") != std::string::npos);
  CHECK(summary.find("\"variation_note\": null") != std::string::npos);

  const auto bad = compare_cli(kSeedPaperFile + "--vary shuffle");
  CHECK(bad.status == 1);
  CHECK(bad.output.find("error: variation 'shuffle': unknown variation") != std::string::npos);
}

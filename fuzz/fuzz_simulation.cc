// The simulation itself: the fuzz bytes decode into a small cluster (1-4 nodes of 1-8 GPUs,
// heterogeneous types, tiny and huge GPUs, slow and fast), a small workload (1-40 jobs: gangs
// larger than nodes, fractional GPU shares, memory beyond a GPU's, unknown applications and GPU
// types, extreme but valid submit times and durations), a pair table (speed-ups, large
// slowdowns, infeasible pairs, a default for unknown pairs or none) or a calibrated model with
// fuzzed terms (measured pairs, a feasibility classifier, residuals sampled by
// --interference-noise, fallbacks allowed or not) and run options (every
// registered policy, discipline, queue order, memory mode, GPU sharing, time-slicing, per-application
// speeds and composition). The run is checked
// by ContractChecker, the same checks as the policy conformance test, and run twice: the same
// inputs must give the same bytes. A violated contract aborts, so libFuzzer reports it; inputs
// the library rejects with colosim::Error are fine, anything else escaping is a finding.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>

#include "checked_run.h"
#include "colosim/calibrated_model.h"
#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/pair_table.h"
#include "colosim/policies/builtin.h"
#include "colosim/queue_order.h"
#include "colosim/simulator.h"

namespace {

using namespace colosim;

// Applications "a".."c" may be in the pair table, "z" never is.
const char* const kApps[] = {"a", "b", "c", "z"};
const char* const kTypes[] = {"T0", "T1", "T2"};

template <class T, std::size_t N>
T pick(FuzzedDataProvider& in, const T (&values)[N]) {
  return values[in.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
}

ClusterSpec decode_cluster(FuzzedDataProvider& in) {
  static const std::int64_t kMemory[] = {1, 512, 16000, 40960, 81920, std::int64_t{1} << 40};
  static const double kSpeed[] = {1e-9, 0.001, 0.5, 1.0, 2.0, 1e6};
  ClusterSpec c;
  c.name = "fuzz";
  const int types = in.ConsumeIntegralInRange(1, 3);
  for (int t = 0; t < types; ++t) c.gpu_types.push_back({kTypes[t], pick(in, kMemory), pick(in, kSpeed)});
  const int nodes = in.ConsumeIntegralInRange(1, 4);
  for (int n = 0; n < nodes; ++n)
    c.nodes.push_back({"n" + std::to_string(n), kTypes[in.ConsumeIntegralInRange(0, types - 1)], in.ConsumeIntegralInRange(1, 8)});
  // Per-application speeds (a throughput table), some for one gang size only.
  const int speeds = in.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < speeds; ++i)
    c.app_speeds.push_back({kApps[i], kTypes[in.ConsumeIntegralInRange(0, types - 1)], in.ConsumeIntegralInRange(0, 2), pick(in, kSpeed)});
  return c;
}

std::vector<JobSpec> decode_jobs(FuzzedDataProvider& in) {
  static const double kGapSeconds[] = {0, 0, 1, 7.5, 1000, 1e9};
  static const double kDurationSeconds[] = {0, 1e-6, 1, 60, 600, 86400, 2e9};  // 2e9 s: near kMaxTicks
  static const std::int64_t kMemory[] = {0, 1, 4000, 12000, 20000, 90000, std::int64_t{1} << 41};
  const int n = in.ConsumeIntegralInRange(1, 40);
  std::vector<JobSpec> jobs;
  Tick t = 0;
  for (int i = 0; i < n; ++i) {
    JobSpec j;
    j.id = "j" + std::to_string(i);
    j.app = pick(in, kApps);
    const Tick gap = seconds_to_ticks(pick(in, kGapSeconds));
    t = gap > kMaxTicks - t ? kMaxTicks : t + gap;
    j.submit = t;
    j.solo_duration = in.ConsumeBool() ? seconds_to_ticks(pick(in, kDurationSeconds))
                                       : in.ConsumeIntegralInRange<Tick>(0, 1000 * kTicksPerSecond);
    j.gpus = in.ConsumeIntegralInRange(0, 10);  // 0: CPU-only
    j.memory_mib = in.ConsumeBool() ? pick(in, kMemory) : in.ConsumeIntegralInRange<std::int64_t>(0, 50000);
    j.gpu_milli = in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange(0, 1000);
    j.gpu_util = in.ConsumeIntegralInRange(0, 100);
    j.priority = in.ConsumeIntegralInRange(-2, 2);
    switch (in.ConsumeIntegralInRange(0, 5)) {
      case 0: j.gpu_types = {pick(in, kTypes)}; break;
      case 1: j.gpu_types = {"T0", "T2"}; break;
      case 2: j.gpu_types = {"unknown"}; break;
      default: break;
    }
    if (j.gpus == 0) {  // a CPU-only job states no GPU memory, share or type
      j.memory_mib = 0;
      j.gpu_milli = 0;
      j.gpu_types.clear();
    }
    jobs.push_back(std::move(j));
  }
  return jobs;
}

PairTable decode_table(FuzzedDataProvider& in) {
  static const double kSlowdown[] = {0.5, 0.97, 1.0, 1.3, 2.0, 10.0, 1e6};
  PairTableOptions options;
  options.composition = in.ConsumeBool() ? Composition::multiplicative : Composition::additive;
  if (in.ConsumeIntegralInRange(0, 3) != 0) options.unknown_pair_slowdown = pick(in, kSlowdown);
  PairTable table(options, "fuzzed pair table");
  for (int v = 0; v < 3; ++v)
    for (int a = 0; a < 3; ++a)
      if (in.ConsumeBool()) table.set(kApps[v], kApps[a], pick(in, kSlowdown));
  if (in.ConsumeIntegralInRange(0, 3) == 0) table.set_infeasible(pick(in, kApps), pick(in, kApps));
  return table;
}

// A calibrated model with fuzzed terms: it knows the first 1-3 applications (job "z" and some
// others are outside its data) and the cluster's first GPU type, maybe another one the cluster
// lacks; measured and infeasible pairs, a feasibility classifier and held-out residuals, each
// maybe. Runs with it draw --interference-noise and --interference-fallback.
CalibratedParams decode_calibrated(FuzzedDataProvider& in, const ClusterSpec& cluster) {
  static const double kTerm[] = {-3.0, -0.4, 0.0, 0.1, 0.7, 2.5};
  static const double kSlowdown[] = {0.5, 1.0, 1.3, 4.0, 1e6};
  CalibratedParams p;
  p.source = "fuzzed calibrated model";
  const int A = in.ConsumeIntegralInRange(1, 3);
  for (int a = 0; a < A; ++a) p.apps.push_back(kApps[a]);
  p.gpu_types = {cluster.gpu_types.front().name};
  if (in.ConsumeBool()) p.gpu_types.push_back("zz not in the cluster");
  const auto G = static_cast<Eigen::Index>(p.gpu_types.size());
  p.app_features = Eigen::MatrixXd::Zero(A, 0);
  p.app_memory_mib.assign(static_cast<std::size_t>(A), std::numeric_limits<double>::quiet_NaN());
  auto terms = [&](Eigen::Index n) {
    Eigen::VectorXd v(n);
    for (Eigen::Index i = 0; i < n; ++i) v[i] = pick(in, kTerm);
    return v;
  };
  p.gpu_offset = terms(G);
  p.victim_beta = p.aggressor_beta = Eigen::VectorXd(0);
  p.victim_bias = terms(A);
  p.aggressor_bias = terms(A);
  p.victim_gpu_bias = p.aggressor_gpu_bias = Eigen::MatrixXd::Zero(A, 0);
  p.victim_factor = p.aggressor_factor = Eigen::MatrixXd::Zero(A, 0);
  p.victim_gpu_factor.assign(static_cast<std::size_t>(G), Eigen::MatrixXd::Zero(A, 0));
  p.aggressor_gpu_factor = p.victim_gpu_factor;
  for (int g = 0; g < G; ++g)
    for (int v = 0; v < A; ++v)
      for (int a = 0; a < A; ++a)
        if (in.ConsumeIntegralInRange(0, 2) == 0) p.measured.push_back({g, v, a, pick(in, kSlowdown)});
  if (in.ConsumeIntegralInRange(0, 3) == 0)
    p.infeasible.push_back({0, in.ConsumeIntegralInRange(0, A - 1), in.ConsumeIntegralInRange(0, A - 1)});
  if (in.ConsumeBool()) {
    auto& f = p.feasibility;
    f.fitted = true;
    f.gpu_offset = terms(G);
    f.demand = terms(A);
    f.gpu_demand = Eigen::MatrixXd::Zero(A, G);
    f.feature_coef = Eigen::VectorXd(0);
    f.threshold = in.ConsumeBool() ? 0.02 : 0.5;
  }
  if (in.ConsumeBool())
    for (auto* sets : {&p.pair_residuals, &p.new_app_residuals}) {
      sets->resize(static_cast<std::size_t>(G));
      for (auto& r : *sets)
        for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) r.push_back(pick(in, kTerm));
    }
  p.context_overhead_mib = in.ConsumeBool() ? 300 : 0;
  return p;
}

SimConfig decode_config(FuzzedDataProvider& in) {
  SimConfig c;
  c.discipline = in.ConsumeBool() ? QueueDiscipline::fifo : QueueDiscipline::backfill;
  // "" leaves the policy's own order (2d-las for tiresias, priority for priority-preemption).
  static constexpr const char* kOrders[] = {"",    "fifo",        "priority",        "sjf", "sjf:by=duration",
                                            "srtf", "las:quantum=1e9", "2d-las:thresholds=20/90,starvation=1", "gittins:quantum=1e9,learn=2,window=5"};
  if (const std::string order = pick(in, kOrders); !order.empty()) c.queue_order = QueueOrderChoice::parse(order);
  static constexpr Tick kDelays[] = {0, 0, 1, 3 * kTicksPerSecond, 40 * kTicksPerSecond};
  c.preemption.delays = {pick(in, kDelays), pick(in, kDelays)};
  c.preemption.checkpoint_interval = pick(in, kDelays);
  if (in.ConsumeBool()) c.preemption.per_app[kApps[0]] = {pick(in, kDelays), pick(in, kDelays)};
  c.time_slicing.every_gpu = in.ConsumeBool();
  c.time_slicing.quantum = std::max<Tick>(1, pick(in, kDelays));
  c.time_slicing.context_switch = pick(in, kDelays);
  c.memory = pick(in, {MemoryMode::enforce, MemoryMode::overcommit, MemoryMode::ignore});
  c.sharing = in.ConsumeBool() ? GpuSharing::by_share : GpuSharing::stack;
  c.seed = in.ConsumeIntegral<std::uint64_t>();
  c.max_oom_retries = in.ConsumeIntegralInRange(0, 3);
  c.oom_delay = seconds_to_ticks(in.ConsumeIntegralInRange(0, 100));
  c.backfill_depth = in.ConsumeIntegralInRange(0, 50);
  c.allow_multi_node = in.ConsumeIntegralInRange(0, 3) != 0;
  return c;
}

// Orders under which running jobs take turns (las and gittins by quantum, 2d-las with the
// starvation guard) make a preempting policy swap jobs every quantum or every few seconds
// (2d-las: the first queue's 20 GPU-s over the gang's GPUs, then as long again waiting), as the
// rules say (docs/scheduling.md): a run takes about (longest run / turn) swaps, some 1e11 for a
// 1,000 s job on a GPU of speed 1e-9, time-sliced or slowed down a millionfold. When a swap
// costs more than a turn's work (a restore, work lost since a periodic checkpoint) no job ever
// progresses: thrashing, run faithfully to the horizon. Under such orders restores take at most
// 0.2 s and nothing is lost, and a run abandoned after kTurnTakingEvents is no finding.
constexpr std::uint64_t kTurnTakingEvents = 4 * 1024;
struct RunTooLong {};

void cheap_preemptions(SimConfig& config) {
  const Tick cheap = kTicksPerSecond / 5;
  PreemptionCost& cost = config.preemption;
  cost.delays.suspend = std::min(cost.delays.suspend, cheap);
  cost.delays.resume = std::min(cost.delays.resume, cheap);
  for (auto& [app, d] : cost.per_app) d.suspend = std::min(d.suspend, cheap), d.resume = std::min(d.resume, cheap);
  cost.checkpoint_interval = 0;
}

// Node CPU and host memory (0: a node not limited by it) and the jobs' requests of them, some
// larger than any node, under either NodeResources mode; maybe a target workload.
void decode_node_resources(FuzzedDataProvider& in, SimConfig& config, ClusterSpec& cluster, std::vector<JobSpec>& jobs) {
  static const std::int64_t kCapacity[] = {0, 1, 4000, 32000, 96000};
  static const std::int64_t kRequest[] = {0, 1, 1000, 8000, 50000, 200000};
  config.node_resources = in.ConsumeIntegralInRange(0, 3) == 0 ? NodeResources::ignore : NodeResources::enforce;
  for (NodeSpec& n : cluster.nodes) {
    n.cpu_milli = pick(in, kCapacity);
    n.memory_mib = pick(in, kCapacity);
  }
  for (JobSpec& j : jobs) {
    if (in.ConsumeBool()) j.features[kCpuMilliFeature] = static_cast<double>(pick(in, kRequest));
    if (in.ConsumeBool()) j.features[kHostMemoryFeature] = static_cast<double>(pick(in, kRequest));
  }
  // Fragmentation measured against the jobs' typical shapes (fgd places by them).
  if (in.ConsumeBool()) {
    SpanJobSource shapes(jobs);
    config.target_workload = typical_shapes_of(shapes);
  }
}

// With FUZZ_SIMULATION_PRINT set, the decoded scenario goes to stderr: what to read when an
// input is slow or a finding needs a hand-worked test.
void print_scenario(const std::string& policy, const SimConfig& config, const ClusterSpec& cluster,
                    const std::vector<JobSpec>& jobs, bool calibrated) {
  const PreemptionCost& cost = config.preemption;
  std::fprintf(stderr, "policy %s, queue order %s, %s, memory %s, sharing %s, time-sliced %d (quantum %lld, switch %lld), "
               "suspend %lld, resume %lld, checkpoint %lld, calibrated model %d\n",
               policy.c_str(), config.queue_order.spec.c_str(), to_string(config.discipline), to_string(config.memory),
               to_string(config.sharing), static_cast<int>(config.time_slicing.every_gpu),
               static_cast<long long>(config.time_slicing.quantum), static_cast<long long>(config.time_slicing.context_switch),
               static_cast<long long>(cost.delays.suspend), static_cast<long long>(cost.delays.resume),
               static_cast<long long>(cost.checkpoint_interval), static_cast<int>(calibrated));
  for (const GpuType& t : cluster.gpu_types)
    std::fprintf(stderr, "  type %s: %lld MiB, speed %g\n", t.name.c_str(), static_cast<long long>(t.memory_mib), t.speed);
  std::fprintf(stderr, "  node resources %s\n", to_string(config.node_resources));
  for (const NodeSpec& n : cluster.nodes)
    std::fprintf(stderr, "  node %s: %d x %s, %lld milli-CPU, %lld MiB host memory\n", n.name.c_str(), n.gpus, n.gpu_type.c_str(),
                 static_cast<long long>(n.cpu_milli), static_cast<long long>(n.memory_mib));
  for (const AppSpeed& a : cluster.app_speeds)
    std::fprintf(stderr, "  app speed %s on %s (gang %d): %g\n", a.app.c_str(), a.gpu_type.c_str(), a.gpus, a.speed);
  for (const JobSpec& j : jobs)
    std::fprintf(stderr, "  job %s: app %s, submit %lld, solo %lld ticks, %d GPU(s), %lld MiB, share %d, priority %d, %zu type(s), "
                 "%lld milli-CPU, %lld MiB host memory\n",
                 j.id.c_str(), j.app.c_str(), static_cast<long long>(j.submit), static_cast<long long>(j.solo_duration), j.gpus,
                 static_cast<long long>(j.memory_mib), j.gpu_milli, j.priority, j.gpu_types.size(),
                 static_cast<long long>(cpu_request_milli(j)), static_cast<long long>(host_memory_request_mib(j)));
}

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_simulation: %s\n", what.c_str());
  std::abort();
}

// One checked run; returns its job rows and summary as text. Throws RunTooLong when a run
// under an order whose jobs take turns goes past kTurnTakingEvents.
std::string run_checked(const ClusterSpec& cluster, const std::vector<JobSpec>& jobs, const InterferenceModel& model,
                        const std::string& policy_name, const SimConfig& config, bool turns) {
  auto policy = builtin_policies().make(policy_name);
  std::function<void()> budget;
  if (turns)
    budget = [checks = std::uint64_t{0}]() mutable {
      if (++checks * 1024 > kTurnTakingEvents) throw RunTooLong{};
    };
  testing::CheckedRun run = testing::run_checked(cluster, jobs, model, *policy, config, std::move(budget));
  if (!run.violations.empty())
    finding("policy " + policy_name + ", " + to_string(config.discipline) + ", queue order " + config.queue_order.spec +
            ", memory " + to_string(config.memory) + ":\n" + run.violations);
  return run.text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  static const PolicyRegistry registry = builtin_policies();
  static const std::vector<std::string> policies = [] {
    std::vector<std::string> names;
    // Rounds of 1e10 s: gavel decides every round until the last job ends, which on a GPU of
    // speed 1e-9 can be near the horizon (2.3e12 s): some 230 rounds.
    for (const PolicyInfo* info : registry.list()) names.push_back(info->name == "gavel" ? "gavel:round=1e10" : info->name);
    for (const char* v : {"random:check_memory=false", "load-balance:check_memory=false", "standalone:check_memory=false",
                          "random:pick=node", "fgd:ties=random", "gpu-packing:ties=random"})
      names.push_back(v);
    return names;
  }();
  try {
    const std::string policy = policies[in.ConsumeIntegralInRange<std::size_t>(0, policies.size() - 1)];
    SimConfig config = decode_config(in);
    ClusterSpec cluster = decode_cluster(in);
    const PairTable table = decode_table(in);
    std::vector<JobSpec> jobs = decode_jobs(in);
    // The drawn orders whose ranks step while jobs run (las, gittins, 2d-las with the guard).
    const bool turns = config.queue_order.order && config.queue_order.order->motion() == RankMotion::steps;
    if (turns) cheap_preemptions(config);
    // Drawn last, so that inputs saved before it decode as they did.
    std::optional<CalibratedModel> calibrated;
    if (in.remaining_bytes() > 0 && in.ConsumeIntegralInRange(0, 2) == 0) {
      calibrated.emplace(decode_calibrated(in, cluster));
      config.interference_noise = in.ConsumeBool() && calibrated->can_sample();
      config.fallback = {in.ConsumeBool(), in.ConsumeBool()};
    }
    if (in.remaining_bytes() > 0 && in.ConsumeIntegralInRange(0, 2) == 0) decode_node_resources(in, config, cluster, jobs);
    const InterferenceModel& model = calibrated ? static_cast<const InterferenceModel&>(*calibrated) : table;
    if (std::getenv("FUZZ_SIMULATION_PRINT")) print_scenario(policy, config, cluster, jobs, calibrated.has_value());
    const std::string first = run_checked(cluster, jobs, model, policy, config, turns);
    if (run_checked(cluster, jobs, model, policy, config, turns) != first) finding("the same inputs gave different results");
  } catch (const Error&) {
    // Rejected input: an invalid cluster, a pair the table cannot answer, a policy's own rule.
  } catch (const RunTooLong&) {
    // An honest run of jobs taking turns, too long to check here (see above).
  }
  return 0;
}

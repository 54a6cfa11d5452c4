#include "colosim/extender/placement_probe.h"

#include <algorithm>
#include <limits>
#include <set>

#include "colosim/errors.h"
#include "colosim/job_source.h"
#include "colosim/observer.h"
#include "colosim/simulator.h"

namespace colosim::extender {
namespace {

// Running pods arrive at 0 and are pinned where they run in that instant's pass (pods without
// GPUs through choose_node); the pod under decision arrives at 1, where a call-back guarantees a
// pass even when the core would not offer it, so that every node's fit is assessed; simulated
// time ends at 2.
constexpr Tick kPodArrival = 1;
constexpr Tick kLongRun = 3600 * kTicksPerSecond;
constexpr const char* kSentinel = "colosim-extender-sentinel";

// The pass as the policy under test sees it: only the pod is pending.
class PodOnlyPass final : public SchedulingPass {
 public:
  PodOnlyPass(SchedulingPass& pass, const PendingJob& pod) : pass_(pass), pod_(pod) {}
  Tick now() const override { return pass_.now(); }
  const ClusterView& cluster() const override { return pass_.cluster(); }
  std::span<const PendingJob> pending() const override { return {&pod_, 1}; }
  const JobSpec& job(JobSlot slot) const override { return pass_.job(slot); }
  const InterferenceModel& interference() const override { return pass_.interference(); }
  const std::string& queue_order() const override { return pass_.queue_order(); }
  MemoryMode memory_mode() const override { return pass_.memory_mode(); }
  const std::vector<TaskShape>& target_workload() override { return pass_.target_workload(); }
  Rng& rng() override { return pass_.rng(); }
  bool fits(const JobSpec& job, GpuIndex g) const override { return pass_.fits(job, g); }
  void place(const PendingJob& job, std::span<const GpuIndex> gpus, std::string_view note) override {
    pass_.place(job, gpus, note);
  }
  bool is_placed(JobSlot slot) const override { return pass_.is_placed(slot); }
  void visit_running_last_first(const std::function<bool(const RunningJob&)>& visit) override {
    pass_.visit_running_last_first(visit);
  }
  void preempt(JobSlot slot, std::string_view reason) override { pass_.preempt(slot, reason); }
  void set_time_sliced(GpuIndex g, bool on) override { pass_.set_time_sliced(g, on); }
  void call_back_at(Tick when) override { pass_.call_back_at(when); }
  void warn(std::string_view message) override { pass_.warn(message); }

 private:
  SchedulingPass& pass_;
  PendingJob pod_;
};

// Places each running pod on its own node (the lowest-index GPUs there that have room for it),
// then offers the pod to the policy under test behind the same gates the core would use.
class PinningPolicy final : public PlacementPolicy {
 public:
  PinningPolicy(PlacementPolicy& inner, const std::map<std::string, NodeIndex>& home, JobSpec pod)
      : inner_(inner), home_(home), pod_(std::move(pod)) {}

  void begin_run(const ClusterView& cluster) override { inner_.begin_run(cluster); }

  void schedule(SchedulingPass& pass) override {
    if (pass.now() < kPodArrival) {
      pin(pass);
      pass.call_back_at(kPodArrival);
      return;
    }
    if (!assessed_) assess(pass);
    const ClusterView& cluster = pass.cluster();
    for (const PendingJob& p : pass.pending()) {
      if (p.spec->id != pod_.id) continue;
      const std::int64_t room = inner_.gpu_room(cluster, pass.memory_mode());
      if (room <= 0 || p.spec->gpus > room || !inner_.may_fit(cluster, *p.spec, pass.memory_mode())) return;
      PodOnlyPass only(pass, p);
      inner_.schedule(only);
    }
  }

  std::optional<NodeIndex> choose_node(SchedulingPass& pass, const JobSpec& job) override {
    if (job.id == kSentinel) {
      if (pass.now() < kPodArrival) pass.call_back_at(kPodArrival);
      return std::nullopt;
    }
    if (job.id != pod_.id) {
      const NodeIndex n = home_.at(job.id);
      if (pass.cluster().cpu_only_fits(ClusterView::node_request(job), n)) return n;
      unplaced_.push_back(job.id);
      return std::nullopt;
    }
    if (!assessed_) assess(pass);
    return inner_.choose_node(pass, job);
  }

  // The core's own gates stay; the policy's are applied to the pod in schedule().
  bool may_fit(const ClusterView&, const JobSpec&, MemoryMode) const override { return true; }
  std::int64_t gpu_room(const ClusterView&, MemoryMode) const override { return std::numeric_limits<std::int64_t>::max(); }
  std::string preferred_queue_order() const override { return inner_.preferred_queue_order(); }
  bool uses_target_workload() const override { return inner_.uses_target_workload(); }

  const std::vector<std::string>& unplaced() const { return unplaced_; }
  std::vector<std::string> fitting;
  std::map<std::string, NodeRefusal> unfit;

 private:
  void pin(SchedulingPass& pass) {
    const ClusterView& cluster = pass.cluster();
    for (const PendingJob& p : pass.pending()) {
      const NodeIndex n = home_.at(p.spec->id);
      std::vector<GpuIndex> gpus;
      for (GpuIndex g = cluster.first_gpu(n); g < cluster.first_gpu(n) + cluster.gpus_on(n); ++g)
        if (static_cast<int>(gpus.size()) < p.spec->gpus && pass.fits(*p.spec, g)) gpus.push_back(g);
      if (static_cast<int>(gpus.size()) == p.spec->gpus) pass.place(p, gpus, "running before the decision");
      else unplaced_.push_back(p.spec->id);
    }
  }

  // Which nodes could take the pod now (every running pod in place), and why the others cannot.
  void assess(SchedulingPass& pass) {
    assessed_ = true;
    const JobSpec& pod = pod_;
    const ClusterView& cluster = pass.cluster();
    for (NodeIndex n = 0; n < cluster.node_count(); ++n) {
      const NodeSpec& node = cluster.spec().nodes[static_cast<std::size_t>(n)];
      NodeRefusal why;
      if (pod.gpus == 0) {
        if (!cluster.cpu_only_fits(ClusterView::node_request(pod), n)) why = {"not enough CPU or host memory free", false};
      } else if (!pod.allows_gpu_type(node.gpu_type)) {
        why = {"GPU type " + node.gpu_type + " is not among the pod's", true};
      } else if (node.gpus < pod.gpus) {
        why = {"has " + std::to_string(node.gpus) + " GPUs, the pod asks for " + std::to_string(pod.gpus), true};
      } else if (!cluster.node_fits(pod, n, pod.gpus)) {
        why = {"not enough CPU or host memory free", false};
      } else {
        int room = 0;
        for (GpuIndex g = cluster.first_gpu(n); g < cluster.first_gpu(n) + cluster.gpus_on(n); ++g) room += pass.fits(pod, g);
        if (room < pod.gpus)
          why = {std::to_string(room) + " of its " + std::to_string(node.gpus) + " GPUs have room for the pod, it asks for " +
                     std::to_string(pod.gpus),
                 false};
      }
      if (why.reason.empty()) fitting.push_back(node.name);
      else unfit.emplace(node.name, std::move(why));
    }
  }

  PlacementPolicy& inner_;
  const std::map<std::string, NodeIndex>& home_;
  JobSpec pod_;
  bool assessed_ = false;
  std::vector<std::string> unplaced_;
};

class PodWatcher final : public SimObserver {
 public:
  explicit PodWatcher(std::string pod_id) : pod_id_(std::move(pod_id)) {}
  void on_begin(const ClusterView& cluster) override { cluster_ = &cluster; }
  void on_start(Tick, const JobSpec& job, std::span<const GpuIndex> gpus) override {
    if (job.id == pod_id_ && !gpus.empty()) node = cluster_->node_of(gpus[0]);
  }
  void on_start_cpu_only(Tick, const JobSpec& job, NodeIndex n) override {
    if (job.id == pod_id_) node = n;
  }
  std::optional<NodeIndex> node;

 private:
  std::string pod_id_;
  const ClusterView* cluster_ = nullptr;
};

}  // namespace

void check_extender_policy(const PlacementPolicy& policy) {
  if (policy.preempts() || policy.rearranges() || policy.preferred_round() > 0)
    throw Error("the extender serves placement policies only: this one preempts, moves running jobs or works in rounds, "
                "which a scheduler extender cannot do");
}

ProbeResult probe_placement(const ClusterSpec& cluster, std::span<const RunningPod> residents, const JobSpec& pod,
                            PlacementPolicy& policy, const InterferenceModel& model, SimConfig config) {
  check_extender_policy(policy);
  std::map<std::string, NodeIndex> node_index;
  for (std::size_t i = 0; i < cluster.nodes.size(); ++i) node_index.emplace(cluster.nodes[i].name, static_cast<NodeIndex>(i));
  ProbeResult result;
  std::set<std::string> left_out;
  // A resident that cannot be pinned (the state was stale) is left out and the decision made again.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::map<std::string, NodeIndex> home;
    std::vector<JobSpec> jobs;
    for (const RunningPod& r : residents) {
      auto n = node_index.find(r.node);
      if (n == node_index.end() || r.job.id == pod.id || left_out.count(r.job.id) || !home.emplace(r.job.id, n->second).second)
        continue;
      JobSpec job = r.job;
      job.submit = 0;
      job.solo_duration = kLongRun;
      job.recorded.reset();
      jobs.push_back(std::move(job));
    }
    // Takes nothing and never starts: its question at 0 (choose_node) asks for the pass at 1.
    JobSpec sentinel;
    sentinel.id = kSentinel;
    sentinel.app = kSentinel;
    sentinel.gpus = 0;
    sentinel.solo_duration = kLongRun;
    jobs.push_back(sentinel);
    JobSpec offered = pod;
    offered.submit = kPodArrival;
    offered.solo_duration = kLongRun;
    offered.recorded.reset();
    jobs.push_back(offered);

    PinningPolicy pinning(policy, home, offered);
    PodWatcher watcher(pod.id);
    SimConfig run_config = config;
    run_config.stop_at = kPodArrival + 1;
    // Every resident is offered in the pinning pass, none blocks another.
    run_config.backfill_depth = 0;
    run_config.discipline = QueueDiscipline::backfill;
    run_config.max_oom_retries = 0;
    run_config.round = 0;
    run_config.allow_multi_node = false;  // a pod runs on one node
    Simulator sim(cluster, model, pinning, run_config);
    sim.add_observer(watcher);
    VectorJobSource source(std::move(jobs), "extender state");
    sim.run(source);
    if (!pinning.unplaced().empty() && attempt == 0) {
      left_out.insert(pinning.unplaced().begin(), pinning.unplaced().end());
      continue;
    }
    result.fitting = std::move(pinning.fitting);
    result.unfit = std::move(pinning.unfit);
    if (watcher.node) result.chosen_node = cluster.nodes[static_cast<std::size_t>(*watcher.node)].name;
    break;
  }
  result.dropped.assign(left_out.begin(), left_out.end());
  return result;
}

}  // namespace colosim::extender

#include "colosim/simulator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <set>

#include "colosim/errors.h"
#include "colosim/eviction.h"
#include "colosim/event_queue.h"
#include "colosim/queue_order.h"

namespace colosim {
namespace {

// Events at the same instant: completions first (they free resources), then OOM failures; then
// timers (suspends that end, queue-order rank steps); then arrivals (not in a heap); then one
// scheduling pass. Within a kind, lower arrival sequence first. This order is part of the
// determinism contract (docs/ARCHITECTURE.md).
enum EventKind : std::uint32_t { kCompletion = 0, kOomFailure = 1 };
enum TimerKind : std::uint32_t { kSuspendDone = 0, kRankStep = 1, kPromotion = 2 };

// A completion time within this many ticks of a whole tick is rounded down to it, so that
// floating-point residue never adds a spurious microsecond.
constexpr double kTickTolerance = 1e-6;

// suspending: preempted, still holding its GPUs (checkpointing) until the suspend delay ends.
enum class State { free, pending, running, suspending };

// Place in the pending queue: rank under the run's queue order, then arrival.
struct QueueKey {
  double rank = 0;
  std::uint64_t seq = 0;
  friend bool operator<(const QueueKey& a, const QueueKey& b) {
    return a.rank < b.rank || (a.rank == b.rank && a.seq < b.seq);
  }
};

struct Active {
  JobSpec spec;
  ClusterView::NodeRequest node_request;  // of spec, read from its features once
  AppIndex app = -1;
  std::uint64_t seq = 0;
  double rank = 0;           // under the queue order: in the queue, the rank it entered with;
                             // running, its current rank (its key in the running index)
  State state = State::free;
  std::vector<GpuIndex> gpus;
  std::vector<GpuIndex> last_gpus;  // preempted: the GPUs it had
  NodeIndex node = -1;       // a CPU-only job (gpus 0) once started: its node
  Tick start = -1;           // start of the current attempt (not moved by a resume)
  Tick last_update = 0;      // work is settled up to here
  Tick progress_from = 0;    // no progress before this instant (restoring after a resume)
  Tick held_since = 0;       // attained service is settled up to here
  double remaining = 0;      // ticks of solo work left
  double time_per_work = 0;  // ticks of wall time per tick of solo work (slowdown / speed)
  double attained = 0;       // GPU-ticks held, every run
  double attained_base = 0;  // attained when the starvation guard last promoted it: orders see
                             // the service since then
  Tick pending_since = 0;    // pending: when it entered the queue
  Tick waited = 0;           // time pending since it last started afresh, after it ran
  Tick oom_at = -1;          // scheduled out-of-memory failure, -1 if none
  int oom_retries = 0;
  bool resuming = false;     // preempted: the next start resumes the attempt
  bool steps_paused = false; // running, its rank-step timer not armed (nobody was waiting)
  Tick preempted_at = -1;
  int preemptions = 0;
  int promotions = 0;        // by the starvation guard
  Tick suspended = 0;
  double redone = 0;         // wall ticks spent on work that a preemption lost
  double overhead = 0;       // suspend and resume ticks
  std::string preempt_reason;
  std::uint64_t dirty_stamp = 0;
  std::string note;
  // Multi-tenant queues (SimConfig::queues): its leaf queue and what it counts against it.
  int queue = QueueBook::kNoQueue;
  std::int64_t demand = 0;
  bool started_once = false;     // its wait was counted
  Tick start_of_run = 0;         // running: when its current run (a resume too) began
  bool reclaim_victim = false;   // suspending because its queue's borrowed GPUs were reclaimed
};

// Running jobs of a queue, the latest started first: whom a reclaim takes first.
struct StartKey {
  Tick start = 0;
  std::uint64_t seq = 0;
  friend bool operator<(const StartKey& a, const StartKey& b) {
    return a.start > b.start || (a.start == b.start && a.seq > b.seq);
  }
};

}  // namespace

class Simulator::Engine final : public SchedulingPass {
 public:
  Engine(ClusterSpec cluster, const InterferenceModel& model, PlacementPolicy& policy, SimConfig config)
      : cluster_(std::move(cluster), config.sharing, config.node_resources), model_(model), policy_(policy), config_(config), rng_(config.seed) {
    if (config_.max_oom_retries < 0) throw Error("max_oom_retries must be >= 0");
    if (config_.oom_delay < 0) throw Error("oom_delay must be >= 0");
    if (config_.backfill_depth < 0) throw Error("backfill_depth must be >= 0");
    if (config_.stop_at <= 0) throw Error("stop_at must be > 0");
    stop_at_ = std::min(config_.stop_at, kHorizon);
    for (const TaskShape& shape : config_.target_workload)
      if (!(shape.weight > 0 && std::isfinite(shape.weight)) || shape.gpus < 0 || shape.cpu_milli < 0 ||
          (shape.gpus > 0 && (shape.gpu_milli < 1 || shape.gpu_milli > 1000)))
        throw Error("target workload: a shape needs a weight > 0, gpus >= 0, cpu_milli >= 0 and gpu_milli in 1-1000");
    const PreemptionCost& cost = config_.preemption;
    if (cost.checkpoint_interval < 0) throw Error("checkpoint_interval must be >= 0");
    if (cost.delays.suspend < 0 || cost.delays.resume < 0) throw Error("preemption delays must be >= 0");
    for (const auto& [app, d] : cost.per_app)
      if (d.suspend < 0 || d.resume < 0) throw Error("preemption delays of '" + app + "' must be >= 0");
    if (config_.time_slicing.quantum <= 0) throw Error("the time-slicing quantum must be > 0");
    if (config_.time_slicing.context_switch < 0) throw Error("the context-switch time must be >= 0");
    if (config_.time_slicing.every_gpu)
      for (GpuIndex g = 0; g < cluster_.gpu_count(); ++g) cluster_.set_time_sliced(g, true);
    if (config_.queue_order.spec.empty()) {
      const std::string preferred = policy_.preferred_queue_order();
      config_.queue_order = QueueOrderChoice::parse(preferred.empty() ? "fifo" : preferred);
    }
    if (config_.round < 0) throw Error("the round must be >= 0");
    for (const GpuType& t : cluster_.spec().gpu_types) gpu_type_fallback_.push_back(model_.gpu_type_needs_fallback(t));
    if (config_.interference_noise && !model_.can_sample())
      throw Error("interference noise: the interference model (" + model_.describe() +
                  ") has no held-out error to sample; only calibrated models (colosim calibrate) do");
    if (config_.round == 0) config_.round = policy_.preferred_round();
    if (config_.round < 0) throw Error("policy's round must be >= 0");
    stats_.queue_order = config_.queue_order.spec;
    order_ = config_.queue_order.order.get();
    if (order_) {
      learning_order_ = order_->copy_for_run();
      if (learning_order_) order_ = learning_order_.get();
    }
    motion_ = order_ ? order_->motion() : RankMotion::fixed;
    if (!config_.queues.empty()) {
      queues_ = QueueBook(config_.queues, std::int64_t{cluster_.gpu_count()} * 1000);
      queued_.resize(queues_.size());
      running_by_start_.resize(queues_.size());
    }
  }

  void add_observer(SimObserver& o) { observers_.push_back(&o); }
  void set_interrupt_check(std::function<void()> check, std::uint64_t every_events) {
    interrupt_check_ = std::move(check);
    interrupt_every_ = std::max<std::uint64_t>(1, every_events);
  }

  RunStats run(JobSource& source) {
    if (ran_) throw Error("a Simulator runs once; make a new one for another run");
    ran_ = true;
    policy_.begin_run(cluster_);
    count_arrived_shapes_ = config_.target_workload.empty() && policy_.uses_target_workload();
    for (auto* o : observers_) o->on_begin(cluster_);
    source_name_ = source.name();
    std::optional<JobSpec> next = pull(source);
    Tick now = 0;
    for (;;) {
      Tick t = kHorizon;
      if (!events_.empty()) t = events_.top_key().time;
      if (!timers_.empty()) t = std::min(t, timers_.top_key().time);
      if (!call_backs_.empty()) t = std::min(t, call_backs_.top());
      if (next && next->submit < t) t = next->submit;
      // Rounds: the next boundary after the last instant, while any job is active.
      if (config_.round > 0 && (!pending_.empty() || running_ > 0 || suspending_ > 0)) {
        const Tick last = now / config_.round * config_.round;
        t = std::min(t, last < kHorizon - config_.round ? last + config_.round : kHorizon);
      }
      if (t >= stop_at_) break;
      now = t;
      queues_.advance(now);
      capacity_freed_ = false;
      full_pass_ = false;
      first_new_seq_ = next_seq_;
      arrivals_now_.clear();
      while (!events_.empty() && events_.top_key().time == now) {
        const EventKey key = events_.top_key();
        const JobSlot slot = events_.pop();
        ++stats_.events;
        capacity_freed_ = true;
        if (key.kind == kCompletion) finish(slot, now); else fail_out_of_memory(slot, now);
      }
      while (!timers_.empty() && timers_.top_key().time == now) {
        const EventKey key = timers_.top_key();
        const JobSlot slot = timers_.pop();
        ++stats_.events;
        if (key.kind == kSuspendDone) release_suspended(slot, now);
        else if (key.kind == kPromotion) promote(slot, now);
        else step_rank(slot, now);
      }
      called_back_ = false;
      while (!call_backs_.empty() && call_backs_.top() == now) {
        call_backs_.pop();
        full_pass_ = true;
        called_back_ = true;
      }
      while (next && next->submit == now) {
        ++stats_.events;
        admit(std::move(*next), now);
        next = pull(source);
      }
      if (config_.round > 0) {
        // Between boundaries nothing starts (but a call-back's pass); at one, the policy re-decides.
        round_pass_ = now % config_.round == 0;
        if (round_pass_) {
          full_pass_ = true;
          called_back_ = true;
        }
        if (called_back_) schedule(now);
      } else {
        // A policy that moves jobs when capacity frees is called even with nothing to offer.
        if (capacity_freed_ && policy_.rearranges()) called_back_ = true;
        if (!pending_.empty() || called_back_) schedule(now);
      }
      // A pass that preempted frees GPUs that the preempted jobs, back in the queue, may take:
      // one more pass at the same instant offers them (a policy that preempts again in it
      // waits for the next event).
      if (preempted_in_pass_ && !pending_.empty() && (config_.round == 0 || called_back_)) {
        full_pass_ = true;
        schedule(now);
      }
      // CPU-only jobs after the GPU placements: new ones, or all when something freed.
      if (!cpu_pending_.empty() && (cpu_arrived_ || capacity_freed_ || full_pass_)) place_cpu_only(now);
      cpu_arrived_ = false;
      refresh_dirty(now);
#ifndef NDEBUG
      check_invariants(now);
#endif
      for (auto* o : observers_) o->on_instant(now, cluster_, pending_.size() + cpu_pending_.size(), running_ + cpu_running_);
      // Rounds: a boundary whose pass left the cluster idle with nothing else due (no event,
      // timer, call-back or arrival) would be repeated at every later boundary until the
      // horizon. The run ends here, as an event-driven one ends when no event is left; a policy
      // that would decide otherwise at a later round asks for it (call_back_at).
      if (round_pass_ && running_ == 0 && suspending_ == 0 && events_.empty() && timers_.empty() && call_backs_.empty() && !next)
        break;
      if (interrupt_check_ && stats_.events >= next_interrupt_check_) {
        next_interrupt_check_ = stats_.events + interrupt_every_;
        interrupt_check_();
      }
    }
    // Nothing can change before the horizon any more: every job left is reported now.
    const bool at_horizon = !events_.empty() || !timers_.empty() || !call_backs_.empty() || next.has_value();
    // A job can only be suspending with its timer pending, i.e. before the horizon ends the run.
    while (!timers_.empty()) {
      const EventKey key = timers_.top_key();
      const JobSlot slot = timers_.pop();
      if (key.kind != kSuspendDone) continue;
      Active& a = slots_[slot];
      a.note = "still suspending at the end of simulated time (" + horizon_text() + ")";
      emit(slot, JobOutcome::unfinished, -1);
    }
    while (!events_.empty()) {
      const JobSlot slot = events_.pop();
      Active& a = slots_[slot];
      a.note = "still running at the end of simulated time (" + horizon_text() + ")" +
               (a.spec.gpus == 0 ? std::string()
                                 : ": " + std::to_string(a.time_per_work) + " times slower than alone, it would finish later");
      emit(slot, JobOutcome::unfinished, -1);
    }
    while (!pending_.empty()) {
      const JobSlot slot = pending_.begin()->second;
      pending_.erase(pending_.begin());
      if (slots_[slot].resuming) {
        slots_[slot].note = at_horizon ? "preempted, still waiting to resume at the end of simulated time (" + horizon_text() + ")"
                                       : "preempted, still waiting to resume when no event was left that could restart it";
        emit(slot, JobOutcome::unfinished, -1);
        continue;
      }
      slots_[slot].note = at_horizon ? "still pending at the end of simulated time (" + horizon_text() + ")"
                                     : "still pending when no event was left that could start it";
      emit(slot, JobOutcome::never_started, -1);
    }
    for (const auto& [seq, slot] : cpu_pending_) {
      slots_[slot].note = at_horizon ? "still waiting for node CPU or host memory at the end of simulated time (" + horizon_text() + ")"
                                     : "still waiting for node CPU or host memory when no event was left that could free them";
      emit(slot, JobOutcome::never_started, -1);
    }
    cpu_pending_.clear();
    for (; next; next = pull(source)) {
      const JobSlot slot = allocate(std::move(*next));
      slots_[slot].note = "submitted at " + std::to_string(ticks_to_seconds(slots_[slot].spec.submit)) +
                          " s, after the end of simulated time (" + horizon_text() + ")";
      emit(slot, JobOutcome::never_started, -1);
    }
    if (!queues_.empty()) {
      queues_.advance(now);
      stats_.queues = queues_.report(now);
    }
    for (auto* o : observers_) o->on_end(now);
    return stats_;
  }

  // --- SchedulingPass, as the policy sees it ---
  Tick now() const override { return pass_now_; }
  const ClusterView& cluster() const override { return cluster_; }
  std::span<const PendingJob> pending() const override { return offered_; }
  const JobSpec& job(JobSlot slot) const override {
    if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size() || slots_[slot].state == State::free)
      throw PolicyError("no active job in slot " + std::to_string(slot));
    return slots_[slot].spec;
  }
  const InterferenceModel& interference() const override { return model_; }
  const std::string& queue_order() const override { return config_.queue_order.spec; }
  MemoryMode memory_mode() const override { return config_.memory; }
  const std::vector<TaskShape>& target_workload() override {
    if (!config_.target_workload.empty()) return config_.target_workload;
    return arrived_shapes_.typical();
  }
  Rng& rng() override { return rng_; }

  bool fits(const JobSpec& job, GpuIndex g) const override {
    if (g < 0 || g >= cluster_.gpu_count()) return false;
    const GpuType& type = cluster_.type_of(g);
    if (!job.allows_gpu_type(type.name)) return false;
    // The GPU share, node CPU and host memory are not GPU memory: they limit in every memory mode.
    if (!cluster_.share_fits(job, g)) return false;
    if (cluster_.limits_node_resources() && !cluster_.node_fits_for_gpu(node_request_of(job), cluster_.node_of(g))) return false;
    return config_.memory == MemoryMode::ignore || memory_fits(job, g);
  }

  // A policy tests one job on many GPUs: the node request of a job the core holds was read at
  // admission; a spec of the policy's own (a copy) is read afresh.
  ClusterView::NodeRequest node_request_of(const JobSpec& job) const {
    const std::less<const void*> before;
    if (!slots_.empty() && !before(&job, &slots_.front()) && before(&job, &slots_.back() + 1)) {
      const auto slot = static_cast<std::size_t>(reinterpret_cast<const char*>(&job) - reinterpret_cast<const char*>(slots_.data())) /
                        sizeof(Active);
      if (&slots_[slot].spec == &job) return slots_[slot].node_request;
    }
    return ClusterView::node_request(job);
  }

  // GPU g has the job's memory free and no resident the model knows cannot share a GPU with it.
  bool memory_fits(const JobSpec& job, GpuIndex g) const {
    if (cluster_.free_mib(g) < job.memory_mib) return false;
    const GpuType& type = cluster_.type_of(g);
    for (const Resident& r : cluster_.residents(g))
      if (!model_.feasible(job, slots_[r.slot].spec, type)) return false;
    return true;
  }

  void warn(std::string_view message) override {
    if (std::find(stats_.warnings.begin(), stats_.warnings.end(), message) == stats_.warnings.end())
      stats_.warnings.emplace_back(message);
  }

  void visit_running_last_first(const std::function<bool(const RunningJob&)>& visit) override {
    // A cursor by key, not an iterator: the visitor may preempt (erase) the job it is shown.
    std::optional<QueueKey> below;
    for (;;) {
      auto it = below ? running_ranked_.lower_bound(*below) : running_ranked_.end();
      if (it == running_ranked_.begin()) return;
      --it;
      const JobSlot slot = it->second;
      Active& a = slots_[slot];
      if (motion_ == RankMotion::improves) {
        // The stored key is an upper bound (the rank only falls while a job runs): re-key
        // lazily, and show a job only once its key is exact and still the last.
        const double current = checked_rank(a, progress_of(a, pass_now_));
        if (current < a.rank) {
          running_ranked_.erase(it);
          a.rank = current;
          running_ranked_.emplace(QueueKey{a.rank, a.seq}, slot);
          continue;
        }
      }
      below = it->first;
      if (!visit(RunningJob{slot, &a.spec, a.seq, a.rank, a.gpus})) return;
    }
  }

  void preempt(JobSlot slot, std::string_view reason) override {
    if (slot >= 0 && static_cast<std::size_t>(slot) < slots_.size() && pass_flag_[slot] == kPreempted)
      throw PolicyError("job '" + slots_[slot].spec.id + "' preempted twice in one pass");
    if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size() || slots_[slot].state != State::running ||
        pass_flag_[slot] == kPlaced)
      throw PolicyError("preempted slot " + std::to_string(slot) + ", which was not running when the pass began");
    const Tick now = pass_now_;
    Active& a = slots_[slot];
    settle(a, now);
    if (config_.preemption.checkpoint_interval > 0) {
      // Progress is safe at whole multiples of the interval; the rest is done again.
      const double done = static_cast<double>(a.spec.solo_duration) - a.remaining;
      const double lost = std::max(0.0, done - config_.preemption.safe_work(done));
      a.remaining += lost;
      a.redone += lost * a.time_per_work;
    }
    events_.cancel(slot);
    timers_.cancel(slot);
    running_ranked_.erase(QueueKey{a.rank, a.seq});
    unindex_running(a);
    --running_;
    ++a.preemptions;
    if (a.queue != QueueBook::kNoQueue) queues_.count_preemption(a.queue);
    a.preempt_reason = std::string(reason);
    a.preempted_at = now;
    a.resuming = true;
    pass_flag_[slot] = kPreempted;
    preempted_.push_back(slot);
    preempted_in_pass_ = true;
    for (auto* o : observers_) o->on_preempt(now, a.spec, a.gpus);
    const Tick suspend = config_.preemption.of(a.spec.app).suspend;
    a.overhead += static_cast<double>(suspend);
    if (suspend > 0) {
      // Checkpointing: it keeps its GPUs (memory, share), no longer slows its co-runners.
      a.state = State::suspending;
      ++suspending_;
      mark_gpus_dirty(a.gpus);
      timers_.schedule(slot, {std::min(now + std::min(suspend, kHorizon - now), kHorizon), kSuspendDone, a.seq});
      return;
    }
    release_suspended(slot, now);
  }

  void set_time_sliced(GpuIndex g, bool on) override {
    if (g < 0 || g >= cluster_.gpu_count())
      throw PolicyError("set_time_sliced on GPU " + std::to_string(g) + ", which does not exist (the cluster has " +
                        std::to_string(cluster_.gpu_count()) + ")");
    if (cluster_.time_sliced(g) == on) return;
    cluster_.set_time_sliced(g, on);
    mark_gpus_dirty(std::span<const GpuIndex>(&g, 1));
  }

  void call_back_at(Tick when) override {
    if (when <= pass_now_) throw PolicyError("call_back_at(" + std::to_string(when) + ") is not after now (" + std::to_string(pass_now_) + ")");
    if (when < kHorizon) call_backs_.push(when);
  }

  bool is_placed(JobSlot slot) const override {
    return slot >= 0 && static_cast<std::size_t>(slot) < slots_.size() && pass_flag_[slot] == kPlaced;
  }

  void place(const PendingJob& job, std::span<const GpuIndex> gpus, std::string_view note) override {
    const JobSlot slot = job.slot;
    if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size() || (pass_flag_[slot] != kOffered && pass_flag_[slot] != kPlaced))
      throw PolicyError("placed a job that was not offered in this pass");
    Active& a = slots_[slot];
    const std::string who = "job '" + a.spec.id + "'";
    if (pass_flag_[slot] == kPlaced) throw PolicyError(who + " placed twice in one pass");
    if (static_cast<int>(gpus.size()) != a.spec.gpus)
      throw PolicyError(who + " needs " + std::to_string(a.spec.gpus) + " GPU(s), was given " +
                        std::to_string(gpus.size()));
    for (std::size_t i = 0; i < gpus.size(); ++i) {
      const GpuIndex g = gpus[i];
      if (g < 0 || g >= cluster_.gpu_count())
        throw PolicyError(who + " placed on GPU " + std::to_string(g) + ", which does not exist (the cluster has " +
                          std::to_string(cluster_.gpu_count()) + ")");
      for (std::size_t k = 0; k < i; ++k)
        if (gpus[k] == g) throw PolicyError(who + " given GPU " + std::to_string(g) + " twice");
      if (!a.spec.allows_gpu_type(cluster_.type_of(g).name))
        throw PolicyError(who + " does not allow GPU type " + cluster_.type_of(g).name + " (GPU " + std::to_string(g) + ")");
      if (!cluster_.share_fits(a.spec, g))
        throw PolicyError(who + " exceeds the GPU share of GPU " + std::to_string(g) + ": needs " +
                          std::to_string(cluster_.share_of(a.spec)) + "/1000, " +
                          std::to_string(cluster_.milli_sum(g)) + "/1000 taken");
      if (config_.memory == MemoryMode::enforce && !memory_fits(a.spec, g))
        throw PolicyError(who + " does not fit on GPU " + std::to_string(g) + ": needs " +
                          std::to_string(a.spec.memory_mib) + " MiB, " + std::to_string(cluster_.free_mib(g)) +
                          " MiB free (or a co-location known to be infeasible)");
    }
    if (const auto n = cluster_.node_short_of_resources(a.spec, gpus))
      throw PolicyError(who + " does not fit in the CPU and host memory of node '" + cluster_.spec().nodes[*n].name +
                        "': needs " + std::to_string(cpu_request_milli(a.spec)) + " milli-CPU and " +
                        std::to_string(host_memory_request_mib(a.spec)) + " MiB for its gang of " + std::to_string(a.spec.gpus) +
                        ", " + std::to_string(cluster_.cpu_capacity_milli(*n) - cluster_.used_cpu_milli(*n)) + " and " +
                        std::to_string(cluster_.host_memory_capacity_mib(*n) - cluster_.used_host_memory_mib(*n)) + " free");
    const NodeIndex node = cluster_.node_of(gpus[0]);
    const bool spans = std::any_of(gpus.begin(), gpus.end(), [&](GpuIndex g) { return cluster_.node_of(g) != node; });
    if (spans && a.spec.gpus <= cluster_.max_gpus_on_one_node(a.spec, config_.memory != MemoryMode::ignore))
      throw PolicyError(who + " spans nodes although a single node can hold its " + std::to_string(a.spec.gpus) + " GPUs");
    if (spans && !config_.allow_multi_node) throw PolicyError(who + " spans nodes, which this run does not allow");
    cluster_.add(slot, a.spec, a.app, gpus);
    a.gpus.assign(gpus.begin(), gpus.end());
    a.note = std::string(note);
    pass_flag_[slot] = kPlaced;
    placements_.push_back(slot);
  }

 private:
  std::optional<JobSpec> pull(JobSource& source) {
    std::optional<JobSpec> job = source.next();
    if (!job) return job;
    ++records_read_;
    const auto rec = records_read_;
    auto bad = [&](const std::string& field, const std::string& problem) {
      throw InputError(source_name_, rec, field, "job '" + job->id + "': " + problem);
    };
    if (auto problem = find_problem(*job)) bad(problem->field, problem->problem);
    if (job->submit < last_submit_)
      bad("submit", "jobs must come in submit-time order; this one is at " + std::to_string(ticks_to_seconds(job->submit)) +
                        " s, after one at " + std::to_string(ticks_to_seconds(last_submit_)) + " s");
    last_submit_ = job->submit;
    return job;
  }

  JobSlot allocate(JobSpec&& spec) {
    JobSlot slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<JobSlot>(slots_.size());
      slots_.emplace_back();
      pass_flag_.push_back(kNotOffered);
    }
    Active& a = slots_[slot];
    a = Active{};
    a.spec = std::move(spec);
    a.node_request = ClusterView::node_request(a.spec);
    a.app = cluster_.intern_app(a.spec.app);
    a.seq = next_seq_++;
    return slot;
  }

  void admit(JobSpec&& spec, Tick now) {
    const JobSlot slot = allocate(std::move(spec));
    Active& a = slots_[slot];
    if (count_arrived_shapes_) arrived_shapes_.add(a.spec);
    if (a.spec.gpus == 0) {
      admit_cpu_only(slot, now);
      return;
    }
    if (!queues_.empty()) {
      a.queue = queues_.leaf_of(a.spec.user);
      a.demand = quota_demand_milli(a.spec);
      if (a.queue == QueueBook::kNoQueue) {
        a.note = (a.spec.user.empty() ? std::string("it names no queue (no user)")
                                      : "its queue '" + a.spec.user + "' (the job's user) is not a leaf of the queue tree") +
                 ", and the tree has no default queue";
        emit(slot, JobOutcome::unschedulable, -1);
        return;
      }
      queues_.count_arrival(a.queue);
      if (std::string why = queues_.never_fits(a.queue, a.demand); !why.empty()) {
        a.note = why;
        emit(slot, JobOutcome::unschedulable, -1);
        return;
      }
    }
    const bool check_memory = config_.memory != MemoryMode::ignore;
    const int one_node = cluster_.max_gpus_on_one_node(a.spec, check_memory);
    const int anywhere = config_.allow_multi_node ? cluster_.max_gpus_in_cluster(a.spec, check_memory) : one_node;
    if (a.spec.gpus > one_node && a.spec.gpus > anywhere) {
      a.note = "needs " + std::to_string(a.spec.gpus) + " GPU(s) with " + std::to_string(a.spec.memory_mib) +
               " MiB each" + (a.spec.gpu_types.empty() ? "" : " of an allowed type") + "; the cluster has at most " +
               std::to_string(anywhere) + (config_.allow_multi_node ? " in all" : " on one node");
      emit(slot, JobOutcome::unschedulable, -1);
      return;
    }
    a.remaining = static_cast<double>(a.spec.solo_duration);
    enqueue(slot, now);
    arrivals_now_.push_back(slot);
  }

  // CPU-only jobs wait apart from the GPU queue, in arrival order (queue orders rank GPU service).
  void admit_cpu_only(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    if (!cluster_.cpu_only_can_ever_run(a.spec)) {
      a.note = "needs " + std::to_string(a.node_request.cpu_milli) + " milli-CPU and " + std::to_string(a.node_request.host_mib) +
               " MiB of host memory on one node; no node has that much";
      emit(slot, JobOutcome::unschedulable, -1);
      return;
    }
    a.remaining = static_cast<double>(a.spec.solo_duration);
    a.state = State::pending;
    a.pending_since = now;
    cpu_pending_.emplace(a.seq, slot);
    cpu_arrived_ = true;
  }

  // The policy places waiting CPU-only jobs, oldest first; one that fits nowhere keeps waiting
  // and blocks nobody. Unless something freed, only this instant's arrivals are asked about.
  void place_cpu_only(Tick now) {
    pass_now_ = now;
    auto it = capacity_freed_ || full_pass_ ? cpu_pending_.begin() : cpu_pending_.lower_bound(first_new_seq_);
    while (it != cpu_pending_.end()) {
      const JobSlot slot = it->second;
      Active& a = slots_[slot];
      const std::optional<NodeIndex> node = policy_.choose_node(*this, a.spec);
      if (!node) {
        ++it;
        continue;
      }
      const std::string who = "CPU-only job '" + a.spec.id + "'";
      if (*node < 0 || *node >= cluster_.node_count())
        throw PolicyError(who + " placed on node " + std::to_string(*node) + ", which does not exist (the cluster has " +
                          std::to_string(cluster_.node_count()) + ")");
      if (!cluster_.cpu_only_fits(a.node_request, *node))
        throw PolicyError(who + " does not fit in the CPU and host memory of node '" + cluster_.spec().nodes[*node].name +
                          "': needs " + std::to_string(a.node_request.cpu_milli) + " milli-CPU and " +
                          std::to_string(a.node_request.host_mib) + " MiB, " +
                          std::to_string(cluster_.cpu_capacity_milli(*node) - cluster_.used_cpu_milli(*node)) + " and " +
                          std::to_string(cluster_.host_memory_capacity_mib(*node) - cluster_.used_host_memory_mib(*node)) + " free");
      it = cpu_pending_.erase(it);
      start_cpu_only(slot, *node, now);
    }
  }

  // No GPU, so no interference: it runs at full speed until its work is done.
  void start_cpu_only(JobSlot slot, NodeIndex node, Tick now) {
    Active& a = slots_[slot];
    cluster_.charge_cpu_only(a.node_request, node, +1);
    a.node = node;
    a.state = State::running;
    a.start = now;
    a.last_update = now;
    a.held_since = now;
    a.progress_from = now;
    a.time_per_work = 1.0;
    ++cpu_running_;
    events_.schedule(slot, {now + std::min(a.spec.solo_duration, kHorizon - now), kCompletion, a.seq});
    for (auto* o : observers_) o->on_start_cpu_only(now, a.spec, node);
  }

  // The pending queue in queue order, and with queues each leaf's own.
  void add_pending(JobSlot slot) {
    const Active& a = slots_[slot];
    pending_.emplace(QueueKey{a.rank, a.seq}, slot);
    if (a.queue != QueueBook::kNoQueue) queued_[static_cast<std::size_t>(a.queue)].emplace(QueueKey{a.rank, a.seq}, slot);
  }
  void remove_pending(JobSlot slot) {
    const Active& a = slots_[slot];
    pending_.erase(QueueKey{a.rank, a.seq});
    if (a.queue != QueueBook::kNoQueue) queued_[static_cast<std::size_t>(a.queue)].erase(QueueKey{a.rank, a.seq});
  }
  void unindex_running(const Active& a) {
    if (a.queue != QueueBook::kNoQueue) running_by_start_[static_cast<std::size_t>(a.queue)].erase(StartKey{a.start_of_run, a.seq});
  }

  // Into the queue at the rank its progress gives it.
  void enqueue(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    a.rank = checked_rank(a, JobProgress{a.attained, a.remaining});
    a.state = State::pending;
    a.gpus.clear();
    add_pending(slot);
    if (a.queue != QueueBook::kNoQueue) queues_.add_pending(a.queue, a.demand);
    a.pending_since = now;
    arm_promotion(slot, now);
    if (!paused_steps_.empty()) wake_rank_steps(now);
  }

  // The starvation guard's timer for a pending job (QueueOrder::promote_after).
  void arm_promotion(JobSlot slot, Tick now) {
    if (!order_) return;
    const Active& a = slots_[slot];
    const double wait = order_->promote_after(a.spec, JobProgress{a.attained - a.attained_base, a.remaining});
    if (std::isnan(wait)) throw SimulationError("queue order " + config_.queue_order.spec + " gave job '" + a.spec.id + "' a NaN promotion time");
    const double left = std::max(0.0, std::ceil(wait - static_cast<double>(a.waited) - kTickTolerance));
    if (left < static_cast<double>(kHorizon - now)) timers_.schedule(slot, {now + static_cast<Tick>(left), kPromotion, a.seq});
  }

  // The guard fires: the job's service counts afresh, and so does its rank.
  void promote(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    if (a.state != State::pending) return;
    remove_pending(slot);
    a.attained_base = a.attained;
    a.waited = 0;
    a.pending_since = now;
    a.rank = checked_rank(a, JobProgress{a.attained, a.remaining});
    add_pending(slot);
    ++a.promotions;
    full_pass_ = true;
  }

  double checked_rank(const Active& a, const JobProgress& progress) const {
    if (!order_) return 0.0;
    const double rank = order_->rank(a.spec, JobProgress{progress.attained_gpu_ticks - a.attained_base, progress.remaining_work});
    if (std::isnan(rank))
      throw SimulationError("queue order " + config_.queue_order.spec + " ranked job '" + a.spec.id + "' NaN");
    return rank;
  }

  // A running job's progress at `now`, without settling it.
  JobProgress progress_of(const Active& a, Tick now) const {
    JobProgress p{a.attained + static_cast<double>(now - a.held_since) * a.spec.gpus, a.remaining};
    const Tick from = std::max(a.last_update, a.progress_from);
    if (a.state == State::running && a.time_per_work > 0 && now > from)
      p.remaining_work = std::max(0.0, a.remaining - static_cast<double>(now - from) / a.time_per_work);
    return p;
  }

  // Settles work done at the current rate and service attained up to `now`.
  void settle(Active& a, Tick now) {
    const JobProgress p = progress_of(a, now);
    if (a.state == State::running) a.remaining = p.remaining_work;
    a.attained = p.attained_gpu_ticks;
    a.held_since = now;
    a.last_update = now;
  }

  // A running job under a stepping order: the timer for its next rank change.
  void arm_rank_step(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    const double since_base = a.attained - a.attained_base;
    const double next = order_->next_step(a.spec, JobProgress{since_base, a.remaining});
    if (!(next > since_base))
      throw SimulationError("queue order " + config_.queue_order.spec + " named no later rank step for job '" + a.spec.id + "'");
    const double ticks = std::ceil((next - since_base) / a.spec.gpus - kTickTolerance);
    if (ticks < static_cast<double>(kHorizon - now)) timers_.schedule(slot, {now + static_cast<Tick>(std::max(1.0, ticks)), kRankStep, a.seq});
  }

  void step_rank(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    settle(a, now);
    const double rank = checked_rank(a, JobProgress{a.attained, a.remaining});
    if (rank != a.rank) {
      running_ranked_.erase(QueueKey{a.rank, a.seq});
      a.rank = rank;
      running_ranked_.emplace(QueueKey{a.rank, a.seq}, slot);
      full_pass_ = true;  // a pending job may outrank it now
    }
    // With nobody waiting, no pass compares ranks: the job's steps are taken in one go when a
    // job next enters the queue (wake_rank_steps), not one timer per quantum meanwhile.
    if (pending_.empty()) {
      a.steps_paused = true;
      paused_steps_.push_back(slot);
      return;
    }
    arm_rank_step(slot, now);
  }

  // A job enters the queue: running jobs whose rank steps were paused catch up, exactly.
  void wake_rank_steps(Tick now) {
    std::vector<JobSlot> paused;
    paused.swap(paused_steps_);
    for (JobSlot slot : paused) {
      Active& a = slots_[slot];
      if (a.state != State::running || !a.steps_paused) continue;  // left, or a new job in the slot
      a.steps_paused = false;
      step_rank(slot, now);
    }
  }

  // The end of a suspend (or the preemption itself, without a suspend delay): the job frees
  // its GPUs and returns to the queue.
  void release_suspended(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    if (a.state == State::suspending) --suspending_;
    if (a.reclaim_victim) --reclaim_suspending_;
    a.reclaim_victim = false;
    settle(a, now);
    for (auto* o : observers_) o->on_release(now, a.spec, a.gpus);
    if (a.queue != QueueBook::kNoQueue) queues_.release(a.queue, a.demand);
    cluster_.remove(slot, a.spec, a.gpus);
    mark_gpus_dirty(a.gpus);
    capacity_freed_ = true;
    a.last_gpus.swap(a.gpus);
    enqueue(slot, now);
  }

  void schedule(Tick now) {
    batch_.clear();
    refused_.clear();
    placements_.clear();
    preempted_in_pass_ = false;
    pass_now_ = now;
    if (!queues_.empty()) queues_.begin_pass();
    // A preempting policy may start a job where no GPU is free, so it sees every pass.
    const bool preempts = policy_.preempts();
    const std::int64_t room = preempts ? std::numeric_limits<std::int64_t>::max() : policy_.gpu_room(cluster_, config_.memory);
    // A pass the policy asked for calls it even with nothing to offer (a round, a mode switch).
    const bool nothing_fits = room <= 0 || (!preempts && !cluster_.any_share_room());
    if (nothing_fits && !called_back_) {
      reclaim(true);
      end_pass();
      return;
    }
    const bool fifo = config_.discipline == QueueDiscipline::fifo;
    int looked_at = 0;
    std::int64_t offered_gpus = 0;
    // Adds the job to the batch if it may start now; end_batch ends the batch.
    auto consider = [&](JobSlot slot) {
      if (config_.backfill_depth > 0 && looked_at++ >= config_.backfill_depth) return Verdict::end_batch;
      const Active& a = slots_[slot];
      // The share is the core's rule, so the core checks it for every policy. A job that cannot
      // start now reaches a preempting policy only at a round boundary (which re-decides
      // everything), if it outranks the last running job, the first it could displace, or while preempted jobs still checkpoint: the job they make
      // room for must be offered so that the policy can keep that room for it (Kubernetes's
      // nominated node); else a job it outranks takes the room and the preemption repeats.
      if ((!cluster_.share_may_fit(a.spec) || !policy_.may_fit(cluster_, a.spec, config_.memory)) &&
          !(preempts && (round_pass_ || suspending_ > 0 || outranks_last_running(a)))) {
        if (a.queue != QueueBook::kNoQueue) refused_.push_back(slot);
        return Verdict::held_back;
      }
      // Its queue's limits and quota (with what it may borrow), beside the jobs offered so far.
      if (a.queue != QueueBook::kNoQueue && !queues_.may_offer(a.queue, a.demand)) return Verdict::held_back;
      if (offered_gpus + a.spec.gpus > room) {
        if (a.queue != QueueBook::kNoQueue) refused_.push_back(slot);  // no room for it in this pass
        return Verdict::end_batch;
      }
      offered_gpus += a.spec.gpus;
      if (a.queue != QueueBook::kNoQueue) queues_.offer(a.queue, a.demand);
      batch_.push_back({slot, &a.spec, a.seq, a.oom_retries, a.rank});
      return Verdict::offered;
    };
    // Strict FIFO: nothing behind a held-back job may start (with queues, in its queue).
    auto goes_on = [&](Verdict v) { return v == Verdict::offered || (v == Verdict::held_back && !fifo); };
    if (nothing_fits) {
      // Only the call-back: an empty batch.
    } else if (!queues_.empty()) {
      offer_by_queue(consider, fifo);
    } else if (!capacity_freed_ && !full_pass_ && !preempts && policy_.waits_only_for_capacity()) {
      // Nothing freed and the policy never holds jobs back: older pending jobs still cannot
      // start, so only this instant's arrivals are offered. Under FIFO only those queued ahead
      // of every older job may start.
      if (fifo) {
        for (auto it = pending_.begin(); it != pending_.end() && it->first.seq >= first_new_seq_; ++it)
          if (!goes_on(consider(it->second))) break;
      } else {
        std::sort(arrivals_now_.begin(), arrivals_now_.end(), [this](JobSlot x, JobSlot y) {
          return QueueKey{slots_[x].rank, slots_[x].seq} < QueueKey{slots_[y].rank, slots_[y].seq};
        });
        for (JobSlot slot : arrivals_now_)
          if (!goes_on(consider(slot))) break;
      }
    } else {
      for (const auto& [key, slot] : pending_)
        if (!goes_on(consider(slot))) break;
    }
    if (batch_.empty() && !called_back_) {
      reclaim(false);
      end_pass();
      return;
    }
    ++stats_.passes;
    pass_now_ = now;
    if (fifo && !batch_.empty()) offer_in_queue_order(); else offer(0, batch_.size());
    for (const PendingJob& p : batch_)
      if (slots_[p.slot].queue != QueueBook::kNoQueue && pass_flag_[p.slot] != kPlaced) refused_.push_back(p.slot);
    reclaim(false);
    for (const PendingJob& p : batch_) pass_flag_[p.slot] = kNotOffered;
    for (JobSlot slot : placements_) pass_flag_[slot] = kNotOffered;
    end_pass();
    for (JobSlot slot : placements_) start(slot, now);
  }

  // What the pass does with a pending job it looks at.
  enum class Verdict { offered, held_back, end_batch };

  void end_pass() {
    for (JobSlot slot : preempted_) pass_flag_[slot] = kNotOffered;
    preempted_.clear();
  }

  // With queues, the batch interleaves the leaf queues: the next job offered is the next, in
  // queue order, of the queue that has the least of its fair share with what this pass offered
  // it so far (QueueBook::order_key). A queue whose job is held back under strict FIFO offers no
  // more in this pass.
  template <class Consider>
  void offer_by_queue(Consider& consider, bool fifo) {
    std::set<QueueBook::OrderKey> ready;
    std::vector<std::map<QueueKey, JobSlot>::const_iterator> next(queued_.size());
    for (int q : queues_.leaves_in_order()) {
      next[static_cast<std::size_t>(q)] = queued_[static_cast<std::size_t>(q)].begin();
      ready.insert(queues_.order_key(q));
    }
    while (!ready.empty()) {
      const int q = ready.begin()->queue;
      ready.erase(ready.begin());
      const auto qi = static_cast<std::size_t>(q);
      const JobSlot slot = next[qi]->second;
      ++next[qi];
      const auto verdict = consider(slot);
      if (verdict == Verdict::end_batch) return;
      if (verdict == Verdict::held_back && fifo) continue;
      if (next[qi] != queued_[qi].end()) ready.insert(queues_.order_key(q));
    }
  }

  // Reclaim (docs/queues.md): a queue's job that fits in its quota but cannot start (held back
  // for room, or offered and not placed; every queue's first job when nothing fits) takes back
  // GPUs lent to queues over their quota. Victims: the latest started jobs of those queues,
  // never so many that a queue falls below its quota, the fewest on one node (whole nodes for a
  // gang larger than a node), through the preemption mechanism and its costs. One reclaim per
  // pass; none while earlier victims still checkpoint (their GPUs are on their way back).
  void reclaim(bool nothing_fits) {
    if (queues_.empty() || queues_.borrowed_milli() == 0 || reclaim_suspending_ > 0) return;
    std::vector<std::int64_t> placed(queued_.size(), 0);  // this pass, not yet held
    for (JobSlot slot : placements_)
      if (slots_[slot].queue != QueueBook::kNoQueue) placed[static_cast<std::size_t>(slots_[slot].queue)] += slots_[slot].demand;
    std::vector<JobSlot> first(queued_.size(), -1);  // each queue's first job that could not start
    if (nothing_fits) {
      for (std::size_t q = 0; q < queued_.size(); ++q)
        if (!queued_[q].empty()) first[q] = queued_[q].begin()->second;
    } else {
      for (JobSlot slot : refused_) {
        auto& f = first[static_cast<std::size_t>(slots_[slot].queue)];
        if (f < 0 || QueueKey{slots_[slot].rank, slots_[slot].seq} < QueueKey{slots_[f].rank, slots_[f].seq}) f = slot;
      }
    }
    for (int q : queues_.leaves_in_order()) {
      const JobSlot slot = first[static_cast<std::size_t>(q)];
      if (slot < 0) continue;
      const Active& a = slots_[slot];
      if (!queues_.guaranteed(q, a.demand, placed[static_cast<std::size_t>(q)])) continue;
      std::vector<std::int64_t> taken(queued_.size(), 0);
      auto may_take = [&](const RunningJob& r) {
        const Active& v = slots_[r.slot];
        auto& t = taken[static_cast<std::size_t>(v.queue)];
        if (t + v.demand > queues_.over_quota(v.queue)) return false;
        t += v.demand;
        return true;
      };
      const std::vector<Victim> victims =
          victims_in_walk(*this, PendingJob{slot, &a.spec, a.seq, a.oom_retries, a.rank},
                          [this](const std::function<bool(const RunningJob&)>& visit) { walk_borrowed(visit); }, may_take, false);
      if (victims.empty()) continue;
      const std::string reason = "reclaimed by queue '" + queues_.name(q) + "' for job '" + a.spec.id + "'";
      for (const Victim& v : victims) {
        preempt(v.slot, reason);
        queues_.count_reclaim(q);
        if (slots_[v.slot].state == State::suspending) {
          slots_[v.slot].reclaim_victim = true;
          ++reclaim_suspending_;
        }
      }
      return;
    }
  }

  // Running jobs of queues over their quota, the latest started first across those queues.
  void walk_borrowed(const std::function<bool(const RunningJob&)>& visit) {
    using It = std::map<StartKey, JobSlot>::const_iterator;
    std::vector<std::pair<It, It>> heads;
    for (std::size_t q = 0; q < running_by_start_.size(); ++q)
      if (queues_.over_quota(static_cast<int>(q)) > 0 && !running_by_start_[q].empty())
        heads.emplace_back(running_by_start_[q].begin(), running_by_start_[q].end());
    for (;;) {
      std::pair<It, It>* best = nullptr;
      for (auto& h : heads)
        if (h.first != h.second && (!best || h.first->first < best->first->first)) best = &h;
      if (!best) return;
      const JobSlot slot = best->first->second;
      ++best->first;
      const Active& a = slots_[slot];
      if (!visit(RunningJob{slot, &a.spec, a.seq, a.rank, a.gpus})) return;
    }
  }

  bool outranks_last_running(const Active& pending) {
    bool outranks = false;
    visit_running_last_first([&](const RunningJob& last) {
      outranks = last.outranked_by(PendingJob{-1, &pending.spec, pending.seq, 0, pending.rank});
      return false;
    });
    return outranks;
  }

  // One call of the policy with batch_[first, last) as the pending jobs.
  void offer(std::size_t first, std::size_t last) {
    offered_ = std::span<const PendingJob>(batch_).subspan(first, last - first);
    for (const PendingJob& p : offered_) pass_flag_[p.slot] = kOffered;
    policy_.schedule(*this);
    for (const PendingJob& p : offered_)
      if (pass_flag_[p.slot] == kOffered) pass_flag_[p.slot] = kNotOffered;
    offered_ = {};
  }

  // Strict FIFO starts a prefix of the queue, and its head whenever the policy can place it. A
  // policy with its own order (largest first, ...) may fill the head's room with a later job:
  // such placements are undone, the head is offered alone, then the jobs behind it again. Each
  // round starts at least one job or ends the pass, and a pass the policy places in queue
  // order costs one call, as under backfill.
  void offer_in_queue_order() {
    std::size_t head = 0;
    while (head < batch_.size()) {
      offer(head, batch_.size());
      head = keep_placed_prefix(head);
      if (head == batch_.size()) return;
      offer(head, head + 1);
      if (pass_flag_[batch_[head].slot] != kPlaced) return;
      ++head;
    }
  }

  // Undoes the placements behind the first job of batch_[from, end) left unplaced; returns its index.
  std::size_t keep_placed_prefix(std::size_t from) {
    std::size_t prefix = from;
    while (prefix < batch_.size() && pass_flag_[batch_[prefix].slot] == kPlaced) ++prefix;
    bool undone = false;
    for (std::size_t i = prefix; i < batch_.size(); ++i) {
      const JobSlot slot = batch_[i].slot;
      if (pass_flag_[slot] != kPlaced) continue;
      Active& a = slots_[slot];
      cluster_.remove(slot, a.spec, a.gpus);
      a.gpus.clear();
      a.note.clear();
      pass_flag_[slot] = kNotOffered;
      undone = true;
    }
    if (undone)
      std::erase_if(placements_, [this](JobSlot s) { return pass_flag_[s] != kPlaced; });
    return prefix;
  }

  void start(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    remove_pending(slot);
    if (a.queue != QueueBook::kNoQueue) {
      queues_.remove_pending(a.queue, a.demand);
      queues_.hold(a.queue, a.demand);
      a.start_of_run = now;
      running_by_start_[static_cast<std::size_t>(a.queue)].emplace(StartKey{now, a.seq}, slot);
      if (!a.started_once) queues_.count_start(a.queue, now - a.spec.submit);
    }
    a.started_once = true;
    timers_.cancel(slot);  // a pending job's only timer: its promotion
    if (a.attained > a.attained_base) a.waited += now - a.pending_since;
    a.state = State::running;
    a.last_update = now;
    a.held_since = now;
    a.progress_from = now;
    if (a.resuming) {
      const Tick resume = std::min(config_.preemption.of(a.spec.app).resume, kHorizon - now);
      a.progress_from = now + resume;
      a.suspended += a.progress_from - a.preempted_at;
      a.overhead += static_cast<double>(resume);
      a.resuming = false;
    } else {
      a.start = now;
      a.remaining = static_cast<double>(a.spec.solo_duration);
    }
    a.time_per_work = 0;
    a.oom_at = -1;
    a.steps_paused = false;
    ++running_;
    a.rank = checked_rank(a, JobProgress{a.attained, a.remaining});
    running_ranked_.emplace(QueueKey{a.rank, a.seq}, slot);
    // Only a preempting policy compares running jobs' ranks: for others, no rank-step events.
    if (motion_ == RankMotion::steps && policy_.preempts()) arm_rank_step(slot, now);
    if (config_.memory == MemoryMode::overcommit && overcommitted(slot))
      a.oom_at = now + std::min(config_.oom_delay, kHorizon - now);
    mark_gpus_dirty(a.gpus);
    for (auto* o : observers_) o->on_start(now, a.spec, a.gpus);
  }

  // The job that started last is the one that fails when its GPU is over memory, as on a
  // real GPU where the last allocation is refused. Jobs placed in the same pass start in
  // placement order: those not started yet do not count against this one.
  bool overcommitted(JobSlot slot) const {
    const Active& a = slots_[slot];
    for (GpuIndex g : a.gpus) {
      std::int64_t used = a.spec.memory_mib;
      for (const Resident& r : cluster_.residents(g)) {
        const Active& other = slots_[r.slot];
        if (r.slot == slot || other.state != State::running) continue;
        used += other.spec.memory_mib;
        if (!model_.feasible(a.spec, other.spec, cluster_.type_of(g))) return true;
      }
      if (used > cluster_.capacity_mib(g)) return true;
    }
    return false;
  }

  void leave_gpus(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    settle(a, now);
    cluster_.remove(slot, a.spec, a.gpus);
    mark_gpus_dirty(a.gpus);
    events_.cancel(slot);
    timers_.cancel(slot);
    running_ranked_.erase(QueueKey{a.rank, a.seq});
    unindex_running(a);
    if (a.queue != QueueBook::kNoQueue) queues_.release(a.queue, a.demand);
    --running_;
  }

  void finish(JobSlot slot, Tick now) {
    if (slots_[slot].spec.gpus == 0) {
      Active& a = slots_[slot];
      settle(a, now);
      cluster_.charge_cpu_only(a.node_request, a.node, -1);
      --cpu_running_;
      emit(slot, JobOutcome::finished, now);
      return;
    }
    leave_gpus(slot, now);
    const Active& a = slots_[slot];
    if (a.queue != QueueBook::kNoQueue) queues_.count_finish(a.queue, now - a.spec.submit);
    if (learning_order_ && learning_order_->learn_from_finished(a.spec, a.attained)) rank_again(now);
    emit(slot, JobOutcome::finished, now);
  }

  // The order learnt something that changes ranks: every waiting job is ranked again as it
  // entered the queue, every running one as of now, and rank steps are re-armed.
  void rank_again(Tick now) {
    std::vector<JobSlot> waiting;
    for (const auto& [key, slot] : pending_) waiting.push_back(slot);
    for (JobSlot slot : waiting) {
      Active& a = slots_[slot];
      remove_pending(slot);
      a.rank = checked_rank(a, JobProgress{a.attained, a.remaining});
      add_pending(slot);
    }
    std::map<QueueKey, JobSlot> running;
    for (const auto& [key, slot] : running_ranked_) {
      Active& a = slots_[slot];
      settle(a, now);
      a.rank = checked_rank(a, JobProgress{a.attained, a.remaining});
      running.emplace(QueueKey{a.rank, a.seq}, slot);
      // Its next step under the new ranks (a job beyond every old step may have one now).
      if (motion_ == RankMotion::steps && policy_.preempts() && !a.steps_paused) {
        timers_.cancel(slot);
        arm_rank_step(slot, now);
      }
    }
    running_ranked_.swap(running);
    full_pass_ = true;
  }

  void fail_out_of_memory(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    if (!overcommitted(slot)) {
      // The co-runners that made it overflow left before its memory peaked: it carries on.
      a.oom_at = -1;
      mark_dirty(slot);
      return;
    }
    for (auto* o : observers_) o->on_oom(now, a.spec, a.gpus);
    leave_gpus(slot, now);
    ++a.oom_retries;
    if (a.oom_retries > config_.max_oom_retries) {
      a.note = "out of GPU memory " + std::to_string(a.oom_retries) + " times";
      emit(slot, JobOutcome::oom_failed, now);
      return;
    }
    // Requeued to start over, at the rank its attained service gives it (its original
    // place under a fixed order).
    a.oom_at = -1;
    a.resuming = false;
    a.remaining = static_cast<double>(a.spec.solo_duration);
    enqueue(slot, now);
  }

  void emit(JobSlot slot, JobOutcome outcome, Tick end) {
    Active& a = slots_[slot];
    JobRecord r;
    r.id = std::move(a.spec.id);
    r.app = std::move(a.spec.app);
    r.submit = a.spec.submit;
    r.start = outcome == JobOutcome::unschedulable || outcome == JobOutcome::never_started ? -1 : a.start;
    r.end = end;
    r.solo_duration = a.spec.solo_duration;
    r.gpus = a.spec.gpus;
    if (a.gpus.empty()) a.gpus.swap(a.last_gpus);
    if (!a.gpus.empty()) r.gpu_speed = cluster_.speed_on(r.app, r.gpus, a.gpus);
    r.gpu_list = std::move(a.gpus);
    r.node = a.node;
    if (a.node >= 0)
      a.note = "CPU only, on node '" + cluster_.spec().nodes[a.node].name + "'" + (a.note.empty() ? "" : "; " + a.note);
    r.oom_retries = a.oom_retries;
    r.preemptions = a.preemptions;
    r.suspended = a.suspended;
    r.redone_ticks = a.redone;
    r.lost_gpu_ticks = (a.redone + a.overhead) * a.spec.gpus;
    r.attained_gpu_ticks = a.attained;
    r.outcome = outcome;
    r.note = std::move(a.note);
    if (a.promotions > 0)
      r.note += (r.note.empty() ? "" : "; ") + std::string("promoted ") + std::to_string(a.promotions) +
                (a.promotions == 1 ? " time" : " times") + " by the starvation guard";
    if (a.preemptions > 0)
      r.note += (r.note.empty() ? "" : "; ") + std::string("preempted ") + std::to_string(a.preemptions) +
                (a.preemptions == 1 ? " time" : " times") + (a.preempt_reason.empty() ? "" : ", last: " + a.preempt_reason);
    for (auto* o : observers_) o->on_job_done(r);
    a = Active{};
    free_slots_.push_back(slot);
  }

  void mark_gpus_dirty(std::span<const GpuIndex> gpus) {
    for (GpuIndex g : gpus)
      for (const Resident& r : cluster_.residents(g)) mark_dirty(r.slot);
  }

  // Whether the model would predict this job's application from its features alone; asked once
  // per application.
  bool needs_app_fallback(const Active& a) {
    const auto i = static_cast<std::size_t>(a.app);
    if (i >= app_fallback_.size()) app_fallback_.resize(i + 1, -1);
    if (app_fallback_[i] < 0) app_fallback_[i] = model_.app_needs_fallback(a.spec) ? 1 : 0;
    return app_fallback_[i] == 1;
  }

  // Counts one slowdown prediction and the fallbacks it needs; one not allowed is an error.
  void count_prediction(const std::string* guessed_app, GpuIndex g) {
    ++stats_.predictions;
    if (guessed_app) {
      if (!config_.fallback.apps)
        throw SimulationError("the interference model (" + model_.describe() + ") has no data on application '" +
                              *guessed_app +
                              "'; allow predictions from job features with the run option interference_fallback=apps (or all; "
                              "--interference-fallback on the command line)");
      ++stats_.app_fallbacks;
    }
    const auto t = static_cast<std::size_t>(cluster_.type_index_of(g));
    if (gpu_type_fallback_[t]) {
      if (!config_.fallback.gpu_types)
        throw SimulationError("the interference model (" + model_.describe() + ") has no data on GPU type '" +
                              cluster_.type_of(g).name +
                              "'; allow the mean over its types with the run option interference_fallback=gpu-types (or all; "
                              "--interference-fallback on the command line)");
      ++stats_.gpu_type_fallbacks;
    }
  }

  void mark_dirty(JobSlot slot) {
    Active& a = slots_[slot];
    if (a.dirty_stamp == instant_stamp_) return;
    a.dirty_stamp = instant_stamp_;
    dirty_.push_back(slot);
  }

  // Settles the work done at the old rate, then sets the new rate and moves the job's event.
  void refresh_dirty(Tick now) {
    // The started jobs were marked through their GPUs' residents; ascending slot order keeps
    // the model calls in a fixed order.
    std::sort(dirty_.begin(), dirty_.end());
    for (JobSlot slot : dirty_) {
      Active& a = slots_[slot];
      if (a.state != State::running) continue;
      refresh(slot, now);
    }
    dirty_.clear();
    ++instant_stamp_;
  }

  void refresh(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    settle(a, now);
    double time_per_work = 0;
    for (GpuIndex g : a.gpus) {
      const GpuType& type = cluster_.type_of(g);
      const double speed = cluster_.speed_of(a.spec, g);
      if (cluster_.time_sliced(g)) {
        // Turns, not co-running: no interference, a share of the time.
        int turns = 0;
        for (const Resident& r : cluster_.residents(g)) turns += slots_[r.slot].state != State::suspending;
        time_per_work = std::max(time_per_work, config_.time_slicing.stretch(turns) / speed);
        continue;
      }
      corunners_.clear();
      // An application the model has no data on, the victim's or a co-runner's.
      const std::string* guessed_app = needs_app_fallback(a) ? &a.spec.app : nullptr;
      for (const Resident& r : cluster_.residents(g)) {
        // A job suspending (checkpointing) holds memory but no longer computes.
        if (r.slot == slot || slots_[r.slot].state == State::suspending) continue;
        const JobSpec& other = slots_[r.slot].spec;
        // A pair known infeasible has no slowdown to look up. Only memory modes other than
        // enforce co-locate one: under overcommit the later job is about to fail out of
        // memory, under ignore memory is not modelled; until then each runs as if apart.
        if (config_.memory != MemoryMode::enforce && !model_.feasible(a.spec, other, type)) continue;
        corunners_.push_back(&other);
        if (!guessed_app && needs_app_fallback(slots_[r.slot])) guessed_app = &other.app;
      }
      if (!corunners_.empty()) count_prediction(guessed_app, g);
      const double s = corunners_.empty() ? 1.0
                                          : realised_slowdown(model_, config_.interference_noise, config_.seed, a.spec,
                                                              corunners_, type);
      if (!std::isfinite(s) || s <= 0.0) throw bad_slowdown(a.spec, type, s);
      time_per_work = std::max(time_per_work, s / speed);
    }
    a.time_per_work = time_per_work;
    ++stats_.rate_updates;
    // Past the horizon (a huge slowdown or duration, a very slow GPU) the completion is
    // parked at the horizon, where run() reports the job unfinished; no arithmetic overflows.
    const double left = a.remaining > 0 ? a.remaining * time_per_work : 0.0;
    const double ticks = std::ceil(left - kTickTolerance);
    const Tick from = std::max(now, a.progress_from);  // after a resume delay
    const Tick done = !(ticks > 0) ? from : ticks < static_cast<double>(kHorizon - from) ? from + static_cast<Tick>(ticks) : kHorizon;
    if (a.oom_at >= 0 && a.oom_at < done)
      events_.schedule(slot, {a.oom_at, kOomFailure, a.seq});
    else
      events_.schedule(slot, {done, kCompletion, a.seq});
  }

  SimulationError bad_slowdown(const JobSpec& victim, const GpuType& type, double s) const {
    std::string beside;
    for (const JobSpec* c : corunners_) beside += (beside.empty() ? "'" : ", '") + c->app + "'";
    return SimulationError("interference model " + model_.describe() + " returned slowdown " + std::to_string(s) +
                           " for job '" + victim.id + "' (application '" + victim.app + "') beside " + beside +
                           " on GPU type " + type.name + "; a slowdown must be finite and positive");
  }

  std::string horizon_text() const {
    if (stop_at_ < kHorizon) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.15g", ticks_to_seconds(stop_at_));
      return std::string("t=") + seconds + " s, where the run was told to stop";
    }
    return "the horizon, " + std::to_string(kHorizon / kTicksPerSecond) + " s, about 73,000 years";
  }

  // Debug builds (and the sanitizer build) check the whole state after every instant: O(cluster),
  // so never in Release.
  void check_invariants(Tick now) const {
    auto fail = [&](const std::string& what) {
      throw SimulationError("invariant broken at t=" + std::to_string(now) + " us: " + what);
    };
    if (now < last_checked_) fail("time went backwards");
    last_checked_ = now;
    std::size_t running = 0, pending = 0, cpu_running = 0;
    for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
      const Active& a = slots_[slot];
      if (a.state == State::suspending) {
        if (!timers_.contains(static_cast<JobSlot>(slot)) || events_.contains(static_cast<JobSlot>(slot)))
          fail("suspending job '" + a.spec.id + "' has no end of suspend, or a completion");
      } else if (a.state == State::running && a.spec.gpus == 0) {
        ++cpu_running;
        if (a.node < 0 || !events_.contains(static_cast<JobSlot>(slot)))
          fail("running CPU-only job '" + a.spec.id + "' has no node or no event");
      } else if (a.state == State::running) {
        ++running;
        if (running_ranked_.count(QueueKey{a.rank, a.seq}) == 0) fail("running job '" + a.spec.id + "' is not in the running index");
        if (!events_.contains(static_cast<JobSlot>(slot))) fail("running job '" + a.spec.id + "' has no event");
        for (GpuIndex g : a.gpus) {
          const auto residents = cluster_.residents(g);
          if (std::none_of(residents.begin(), residents.end(), [&](const Resident& r) { return r.slot == static_cast<JobSlot>(slot); }))
            fail("job '" + a.spec.id + "' is not resident on its GPU " + std::to_string(g));
        }
      } else if (a.state == State::pending) {
        ++pending;
        if (!a.gpus.empty() || events_.contains(static_cast<JobSlot>(slot))) fail("pending job '" + a.spec.id + "' holds GPUs or an event");
      }
    }
    if (!queues_.empty()) {
      std::vector<std::int64_t> held(queues_.size(), 0), waiting(queues_.size(), 0);
      std::size_t queued = 0;
      for (const Active& a : slots_) {
        if (a.queue == QueueBook::kNoQueue) continue;
        if (a.state == State::running || a.state == State::suspending) held[static_cast<std::size_t>(a.queue)] += a.demand;
        if (a.state == State::pending) waiting[static_cast<std::size_t>(a.queue)] += a.demand;
      }
      for (const auto& q : queued_) queued += q.size();
      for (std::size_t i = 0; i < queues_.size(); ++i) {
        const int q = static_cast<int>(i);
        if (queues_.is_leaf(q) && (held[i] != queues_.held_milli(q) || waiting[i] != queues_.pending_milli(q)))
          fail("queue '" + queues_.name(q) + "' holds " + std::to_string(queues_.held_milli(q)) + " and waits for " +
               std::to_string(queues_.pending_milli(q)) + " milli-GPUs by its book, " + std::to_string(held[i]) + " and " +
               std::to_string(waiting[i]) + " by its jobs");
      }
      if (queued != pending_.size()) fail("the queues hold " + std::to_string(queued) + " pending jobs, the pending queue " + std::to_string(pending_.size()));
    }
    if (running != running_ || pending != pending_.size() + cpu_pending_.size() || running != running_ranked_.size() ||
        cpu_running != cpu_running_)
      fail("job counts disagree with the queue and the running set");
    for (GpuIndex g = 0; g < cluster_.gpu_count(); ++g) {
      std::int64_t used = 0;
      int milli = 0;
      for (const Resident& r : cluster_.residents(g)) {
        if (slots_[r.slot].state != State::running && slots_[r.slot].state != State::suspending)
          fail("GPU " + std::to_string(g) + " holds a job that is neither running nor suspending");
        used += slots_[r.slot].spec.memory_mib;
        milli += cluster_.share_of(slots_[r.slot].spec);
      }
      if (used != cluster_.used_mib(g)) fail("GPU " + std::to_string(g) + " memory accounting is off");
      if (milli != cluster_.milli_sum(g)) fail("GPU " + std::to_string(g) + " share accounting is off");
      if (milli > 1000) fail("GPU " + std::to_string(g) + " holds more than its whole share");
      if (config_.memory == MemoryMode::enforce && used > cluster_.capacity_mib(g))
        fail("GPU " + std::to_string(g) + " is over memory although memory is enforced");
      if (config_.memory == MemoryMode::overcommit && used > cluster_.capacity_mib(g)) {
        bool failing = false;
        for (const Resident& r : cluster_.residents(g)) failing = failing || slots_[r.slot].oom_at >= 0;
        if (!failing) fail("GPU " + std::to_string(g) + " is over memory with no OOM failure scheduled");
      }
    }
  }

  mutable Tick last_checked_ = std::numeric_limits<Tick>::min();
  ClusterState cluster_;
  const InterferenceModel& model_;
  PlacementPolicy& policy_;
  SimConfig config_;
  Rng rng_;
  bool ran_ = false;

  std::vector<Active> slots_;
  enum PassFlag : char { kNotOffered = 0, kOffered = 1, kPlaced = 2, kPreempted = 3 };
  std::vector<char> pass_flag_;  // per slot; only non-zero during a pass
  std::vector<signed char> app_fallback_;  // per AppIndex: -1 not asked yet, 1 the model guesses
  std::vector<bool> gpu_type_fallback_;    // per GPU type of the cluster: the model guesses
  std::vector<JobSlot> free_slots_;
  std::map<QueueKey, JobSlot> pending_;         // in queue order
  std::map<QueueKey, JobSlot> running_ranked_;  // running jobs by current rank: whom to preempt
  const QueueOrder* order_ = nullptr;           // null: arrival order
  std::unique_ptr<QueueOrder> learning_order_;  // this run's own copy of an order that learns
  RankMotion motion_ = RankMotion::fixed;
  EventQueue events_;   // per running job: completion or OOM failure
  EventQueue timers_;   // per job: the end of its suspend, or its next rank step
  std::vector<JobSlot> paused_steps_;  // running jobs whose rank steps wait for a queued job
  std::priority_queue<Tick, std::vector<Tick>, std::greater<>> call_backs_;  // passes policies asked for
  bool called_back_ = false;  // this instant has a pass a policy asked for, or a round's
  bool round_pass_ = false;   // this instant is a round boundary
  std::vector<SimObserver*> observers_;
  std::function<void()> interrupt_check_;
  std::uint64_t interrupt_every_ = 1024, next_interrupt_check_ = 0;

  std::string source_name_;
  std::int64_t records_read_ = 0;
  Tick last_submit_ = std::numeric_limits<Tick>::min();
  std::uint64_t next_seq_ = 0;
  std::size_t running_ = 0;  // GPU jobs
  std::map<std::uint64_t, JobSlot> cpu_pending_;  // CPU-only jobs waiting, by arrival
  std::size_t cpu_running_ = 0;
  bool cpu_arrived_ = false;  // a CPU-only job arrived at this instant
  std::size_t suspending_ = 0;  // preempted jobs still holding their GPUs
  QueueBook queues_;            // SimConfig::queues; empty without
  std::vector<std::map<QueueKey, JobSlot>> queued_;          // per queue: its pending jobs in queue order
  std::vector<std::map<StartKey, JobSlot>> running_by_start_;  // per queue: its running jobs, latest first
  std::size_t reclaim_suspending_ = 0;  // reclaim victims still checkpointing
  std::vector<JobSlot> refused_;        // this pass: queued jobs that could not start
  RunStats stats_;

  bool capacity_freed_ = false;     // a job ended or failed at this instant
  bool full_pass_ = false;          // a rank changed or a policy asked: offer the whole queue
  bool preempted_in_pass_ = false;
  std::vector<JobSlot> preempted_;  // in this pass
  std::uint64_t first_new_seq_ = 0;  // sequence number of this instant's first arrival
  std::vector<JobSlot> arrivals_now_;  // admitted to the queue at this instant
  Tick stop_at_ = kHorizon;           // SimConfig::stop_at
  bool count_arrived_shapes_ = false;  // the policy reads the target workload and none was given
  ShapeCounter arrived_shapes_;
  Tick pass_now_ = 0;
  std::vector<PendingJob> batch_;
  std::span<const PendingJob> offered_;  // the part of batch_ the policy sees now
  std::vector<JobSlot> placements_;
  std::vector<JobSlot> dirty_;
  std::uint64_t instant_stamp_ = 1;
  std::vector<const JobSpec*> corunners_;
};

Simulator::Simulator(ClusterSpec cluster, const InterferenceModel& model, PlacementPolicy& policy, SimConfig config)
    : engine_(std::make_unique<Engine>(std::move(cluster), model, policy, config)) {}
Simulator::~Simulator() = default;
void Simulator::add_observer(SimObserver& observer) { engine_->add_observer(observer); }
void Simulator::set_interrupt_check(std::function<void()> check, std::uint64_t every_events) {
  engine_->set_interrupt_check(std::move(check), every_events);
}
RunStats Simulator::run(JobSource& jobs) { return engine_->run(jobs); }

RunResult simulate(const ClusterSpec& cluster, std::vector<JobSpec> jobs, const InterferenceModel& model,
                   PlacementPolicy& policy, SimConfig config) {
  Simulator sim(cluster, model, policy, config);
  MetricsCollector metrics(config.target_workload);
  RecordCollector records;
  sim.add_observer(metrics);
  sim.add_observer(records);
  VectorJobSource source(std::move(jobs));
  RunResult result;
  result.stats = sim.run(source);
  result.jobs = std::move(records.records);
  result.summary = metrics.summary();
  return result;
}

}  // namespace colosim

#include "colosim/simulator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "colosim/errors.h"
#include "colosim/event_queue.h"

namespace colosim {
namespace {

// Events at the same instant: completions first (they free resources), then OOM failures; then
// arrivals (not in the heap); then one scheduling pass. Within a kind, lower arrival sequence
// first. This order is part of the determinism contract (docs/ARCHITECTURE.md).
enum EventKind : std::uint32_t { kCompletion = 0, kOomFailure = 1 };

// A completion time within this many ticks of a whole tick is rounded down to it, so that
// floating-point residue never adds a spurious microsecond.
constexpr double kTickTolerance = 1e-6;
constexpr Tick kNever = std::numeric_limits<Tick>::max() / 4;

enum class State { free, pending, running };

struct Active {
  JobSpec spec;
  AppIndex app = -1;
  std::uint64_t seq = 0;
  State state = State::free;
  std::vector<GpuIndex> gpus;
  Tick start = -1;
  Tick last_update = 0;
  double remaining = 0;      // ticks of solo work left
  double time_per_work = 0;  // ticks of wall time per tick of solo work (slowdown / speed)
  Tick oom_at = -1;          // scheduled out-of-memory failure, -1 if none
  int oom_retries = 0;
  std::uint64_t dirty_stamp = 0;
  std::string note;
};

}  // namespace

class Simulator::Engine final : public SchedulingPass {
 public:
  Engine(ClusterSpec cluster, const InterferenceModel& model, PlacementPolicy& policy, SimConfig config)
      : cluster_(std::move(cluster)), model_(model), policy_(policy), config_(config), rng_(config.seed) {
    if (config_.max_oom_retries < 0) throw Error("max_oom_retries must be >= 0");
    if (config_.oom_delay < 0) throw Error("oom_delay must be >= 0");
    if (config_.backfill_depth < 0) throw Error("backfill_depth must be >= 0");
  }

  void add_observer(SimObserver& o) { observers_.push_back(&o); }

  RunStats run(JobSource& source) {
    if (ran_) throw Error("a Simulator runs once; make a new one for another run");
    ran_ = true;
    for (auto* o : observers_) o->on_begin(cluster_);
    source_name_ = source.name();
    std::optional<JobSpec> next = pull(source);
    Tick now = 0;
    for (;;) {
      Tick t = kNever;
      if (!events_.empty()) t = events_.top_key().time;
      if (next && next->submit < t) t = next->submit;
      if (t == kNever) break;
      now = t;
      capacity_freed_ = false;
      first_new_seq_ = next_seq_;
      while (!events_.empty() && events_.top_key().time == now) {
        const EventKey key = events_.top_key();
        const JobSlot slot = events_.pop();
        ++stats_.events;
        capacity_freed_ = true;
        if (key.kind == kCompletion) finish(slot, now); else fail_out_of_memory(slot, now);
      }
      while (next && next->submit == now) {
        ++stats_.events;
        admit(std::move(*next), now);
        next = pull(source);
      }
      if (!pending_.empty()) schedule(now);
      refresh_dirty(now);
#ifndef NDEBUG
      check_invariants(now);
#endif
      for (auto* o : observers_) o->on_instant(now, cluster_, pending_.size(), running_);
    }
    // Nothing can change any more: whoever still waits will never start.
    while (!pending_.empty()) {
      const JobSlot slot = pending_.begin()->second;
      pending_.erase(pending_.begin());
      slots_[slot].note = "still pending when no event was left that could start it";
      emit(slot, JobOutcome::never_started, -1);
    }
    for (auto* o : observers_) o->on_end(now);
    return stats_;
  }

  // --- SchedulingPass, as the policy sees it ---
  Tick now() const override { return pass_now_; }
  const ClusterView& cluster() const override { return cluster_; }
  std::span<const PendingJob> pending() const override { return batch_; }
  const JobSpec& job(JobSlot slot) const override {
    if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size() || slots_[slot].state == State::free)
      throw PolicyError("no active job in slot " + std::to_string(slot));
    return slots_[slot].spec;
  }
  const InterferenceModel& interference() const override { return model_; }
  MemoryMode memory_mode() const override { return config_.memory; }
  Rng& rng() override { return rng_; }

  bool fits(const JobSpec& job, GpuIndex g) const override {
    if (g < 0 || g >= cluster_.gpu_count()) return false;
    const GpuType& type = cluster_.type_of(g);
    if (!job.allows_gpu_type(type.name)) return false;
    if (config_.memory == MemoryMode::ignore) return true;
    if (job.gpu_milli > 0 && cluster_.milli_sum(g) + job.gpu_milli > 1000) return false;
    if (cluster_.free_mib(g) < job.memory_mib) return false;
    for (const Resident& r : cluster_.residents(g))
      if (!model_.feasible(job, slots_[r.slot].spec, type)) return false;
    return true;
  }

  bool is_placed(JobSlot slot) const override {
    return slot >= 0 && static_cast<std::size_t>(slot) < slots_.size() && pass_flag_[slot] == kPlaced;
  }

  void place(const PendingJob& job, std::span<const GpuIndex> gpus, std::string_view note) override {
    const JobSlot slot = job.slot;
    if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size() || pass_flag_[slot] == kNotOffered)
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
      if (config_.memory == MemoryMode::ignore) continue;
      if (a.spec.gpu_milli > 0 && cluster_.milli_sum(g) + a.spec.gpu_milli > 1000)
        throw PolicyError(who + " exceeds the GPU share of GPU " + std::to_string(g));
      if (config_.memory == MemoryMode::enforce && !fits(a.spec, g))
        throw PolicyError(who + " does not fit on GPU " + std::to_string(g) + ": needs " +
                          std::to_string(a.spec.memory_mib) + " MiB, " + std::to_string(cluster_.free_mib(g)) +
                          " MiB free (or a co-location known to be infeasible)");
    }
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
    a.app = cluster_.intern_app(a.spec.app);
    a.seq = next_seq_++;
    return slot;
  }

  void admit(JobSpec&& spec, Tick) {
    const JobSlot slot = allocate(std::move(spec));
    Active& a = slots_[slot];
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
    a.state = State::pending;
    pending_.emplace(a.seq, slot);
  }

  void schedule(Tick now) {
    batch_.clear();
    const std::int64_t room = policy_.gpu_room(cluster_, config_.memory);
    if (room <= 0) return;
    const bool fifo = config_.discipline == QueueDiscipline::fifo;
    // Nothing freed and the policy never holds jobs back: older pending jobs still cannot start,
    // so only this instant's arrivals are offered (and under FIFO they wait behind the old ones).
    auto from = pending_.begin();
    if (!capacity_freed_ && policy_.waits_only_for_capacity()) {
      from = pending_.lower_bound(first_new_seq_);
      if (fifo && from != pending_.begin()) return;
    }
    int looked_at = 0;
    std::int64_t offered_gpus = 0;
    for (auto it = from; it != pending_.end(); ++it) {
      const auto& [seq, slot] = *it;
      if (config_.backfill_depth > 0 && looked_at++ >= config_.backfill_depth) break;
      const Active& a = slots_[slot];
      if (!policy_.may_fit(cluster_, a.spec, config_.memory)) {
        if (fifo) break;  // strict FIFO: nothing behind a blocked job may start
        continue;
      }
      if (offered_gpus + a.spec.gpus > room) break;
      offered_gpus += a.spec.gpus;
      batch_.push_back({slot, &a.spec, seq, a.oom_retries});
    }
    if (batch_.empty()) return;
    ++stats_.passes;
    pass_now_ = now;
    placements_.clear();
    for (const PendingJob& p : batch_) pass_flag_[p.slot] = kOffered;
    policy_.schedule(*this);
    if (fifo) undo_out_of_order_placements();
    for (const PendingJob& p : batch_) pass_flag_[p.slot] = kNotOffered;
    for (JobSlot slot : placements_) start(slot, now);
  }

  // Strict FIFO keeps only placements that form a prefix of the queue.
  void undo_out_of_order_placements() {
    std::size_t prefix = 0;
    while (prefix < batch_.size() && pass_flag_[batch_[prefix].slot] == kPlaced) ++prefix;
    bool undone = false;
    for (std::size_t i = prefix; i < batch_.size(); ++i) {
      const JobSlot slot = batch_[i].slot;
      if (pass_flag_[slot] != kPlaced) continue;
      Active& a = slots_[slot];
      cluster_.remove(slot, a.spec, a.gpus);
      a.gpus.clear();
      a.note.clear();
      pass_flag_[slot] = kOffered;
      undone = true;
    }
    if (undone)
      std::erase_if(placements_, [this](JobSlot s) { return pass_flag_[s] != kPlaced; });
  }

  void start(JobSlot slot, Tick now) {
    Active& a = slots_[slot];
    pending_.erase(a.seq);
    a.state = State::running;
    a.start = now;
    a.last_update = now;
    a.remaining = static_cast<double>(a.spec.solo_duration);
    a.time_per_work = 0;
    a.oom_at = -1;
    ++running_;
    if (config_.memory == MemoryMode::overcommit && overcommitted(slot)) a.oom_at = now + config_.oom_delay;
    mark_gpus_dirty(a.gpus);
    for (auto* o : observers_) o->on_start(now, a.spec, a.gpus);
  }

  // The job that started last is the one that fails when its GPU is over memory, as on a
  // real GPU where the last allocation is refused.
  bool overcommitted(JobSlot slot) const {
    const Active& a = slots_[slot];
    for (GpuIndex g : a.gpus) {
      if (cluster_.free_mib(g) < 0) return true;
      for (const Resident& r : cluster_.residents(g))
        if (r.slot != slot && !model_.feasible(a.spec, slots_[r.slot].spec, cluster_.type_of(g))) return true;
    }
    return false;
  }

  void leave_gpus(JobSlot slot) {
    Active& a = slots_[slot];
    cluster_.remove(slot, a.spec, a.gpus);
    mark_gpus_dirty(a.gpus);
    events_.cancel(slot);
    --running_;
  }

  void finish(JobSlot slot, Tick now) {
    leave_gpus(slot);
    emit(slot, JobOutcome::finished, now);
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
    leave_gpus(slot);
    ++a.oom_retries;
    if (a.oom_retries > config_.max_oom_retries) {
      a.note = "out of GPU memory " + std::to_string(a.oom_retries) + " times";
      emit(slot, JobOutcome::oom_failed, now);
      return;
    }
    // Requeued at its original place in the queue.
    a.state = State::pending;
    a.gpus.clear();
    a.oom_at = -1;
    pending_.emplace(a.seq, slot);
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
    r.gpu_list = std::move(a.gpus);
    r.oom_retries = a.oom_retries;
    r.outcome = outcome;
    r.note = std::move(a.note);
    for (auto* o : observers_) o->on_job_done(r);
    a = Active{};
    free_slots_.push_back(slot);
  }

  void mark_gpus_dirty(std::span<const GpuIndex> gpus) {
    for (GpuIndex g : gpus)
      for (const Resident& r : cluster_.residents(g)) mark_dirty(r.slot);
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
    if (a.time_per_work > 0) a.remaining -= static_cast<double>(now - a.last_update) / a.time_per_work;
    a.last_update = now;
    double time_per_work = 0;
    for (GpuIndex g : a.gpus) {
      corunners_.clear();
      for (const Resident& r : cluster_.residents(g))
        if (r.slot != slot) corunners_.push_back(&slots_[r.slot].spec);
      const GpuType& type = cluster_.type_of(g);
      const double s = corunners_.empty() ? 1.0 : model_.slowdown(a.spec, corunners_, type);
      if (!std::isfinite(s) || s <= 0.0)
        throw SimulationError("interference model returned slowdown " + std::to_string(s) + " for job '" + a.spec.id + "'");
      time_per_work = std::max(time_per_work, s / type.speed);
    }
    a.time_per_work = time_per_work;
    ++stats_.rate_updates;
    const double left = std::max(0.0, a.remaining) * time_per_work;
    const double ticks = std::ceil(left - kTickTolerance);
    const Tick done = ticks <= 0 ? now : (ticks >= static_cast<double>(kNever - now) ? kNever : now + static_cast<Tick>(ticks));
    if (a.oom_at >= 0 && a.oom_at < done)
      events_.schedule(slot, {a.oom_at, kOomFailure, a.seq});
    else
      events_.schedule(slot, {done, kCompletion, a.seq});
  }

  // Debug builds (and the sanitizer build) check the whole state after every instant: O(cluster),
  // so never in Release.
  void check_invariants(Tick now) const {
    auto fail = [&](const std::string& what) {
      throw SimulationError("invariant broken at t=" + std::to_string(now) + " us: " + what);
    };
    if (now < last_checked_) fail("time went backwards");
    last_checked_ = now;
    std::size_t running = 0, pending = 0;
    for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
      const Active& a = slots_[slot];
      if (a.state == State::running) {
        ++running;
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
    if (running != running_ || pending != pending_.size()) fail("job counts disagree with the queue and the running set");
    for (GpuIndex g = 0; g < cluster_.gpu_count(); ++g) {
      std::int64_t used = 0;
      for (const Resident& r : cluster_.residents(g)) {
        if (slots_[r.slot].state != State::running) fail("GPU " + std::to_string(g) + " holds a job that is not running");
        used += slots_[r.slot].spec.memory_mib;
      }
      if (used != cluster_.used_mib(g)) fail("GPU " + std::to_string(g) + " memory accounting is off");
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
  enum PassFlag : char { kNotOffered = 0, kOffered = 1, kPlaced = 2 };
  std::vector<char> pass_flag_;  // per slot; only non-zero during a pass
  std::vector<JobSlot> free_slots_;
  std::map<std::uint64_t, JobSlot> pending_;  // queue order = arrival order
  EventQueue events_;
  std::vector<SimObserver*> observers_;

  std::string source_name_;
  std::int64_t records_read_ = 0;
  Tick last_submit_ = std::numeric_limits<Tick>::min();
  std::uint64_t next_seq_ = 0;
  std::size_t running_ = 0;
  RunStats stats_;

  bool capacity_freed_ = false;     // a job ended or failed at this instant
  std::uint64_t first_new_seq_ = 0;  // sequence number of this instant's first arrival
  Tick pass_now_ = 0;
  std::vector<PendingJob> batch_;
  std::vector<JobSlot> placements_;
  std::vector<JobSlot> dirty_;
  std::uint64_t instant_stamp_ = 1;
  std::vector<const JobSpec*> corunners_;
};

Simulator::Simulator(ClusterSpec cluster, const InterferenceModel& model, PlacementPolicy& policy, SimConfig config)
    : engine_(std::make_unique<Engine>(std::move(cluster), model, policy, config)) {}
Simulator::~Simulator() = default;
void Simulator::add_observer(SimObserver& observer) { engine_->add_observer(observer); }
RunStats Simulator::run(JobSource& jobs) { return engine_->run(jobs); }

RunResult simulate(const ClusterSpec& cluster, std::vector<JobSpec> jobs, const InterferenceModel& model,
                   PlacementPolicy& policy, SimConfig config) {
  Simulator sim(cluster, model, policy, config);
  MetricsCollector metrics;
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

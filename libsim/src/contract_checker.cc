#include "colosim/contract_checker.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "colosim/cluster_fragmentation.h"
#include "colosim/cluster_view.h"
#include "colosim/metric_table.h"

namespace colosim {
namespace {

// A report names the first violations; a broken run would otherwise repeat one per instant.
constexpr std::size_t kMaxViolations = 20;

bool same_figure(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)});
}

bool started(JobOutcome o) {
  return o == JobOutcome::finished || o == JobOutcome::oom_failed || o == JobOutcome::unfinished;
}

}  // namespace

ContractChecker::ContractChecker(const InterferenceModel& model, SimConfig config) : model_(model), config_(config) {}

void ContractChecker::fail(std::string what) {
  if (violations_.size() < kMaxViolations) violations_.push_back(std::move(what));
  else ++suppressed_;
}

std::string ContractChecker::report() const {
  std::string text;
  for (const auto& v : violations_) text += v + "\n";
  if (suppressed_ > 0) text += "... and " + std::to_string(suppressed_) + " more\n";
  return text;
}

void ContractChecker::on_begin(const ClusterView& cluster) {
  cluster_ = &cluster;
  on_gpu_.assign(static_cast<std::size_t>(cluster.gpu_count()), {});
  over_memory_since_.assign(static_cast<std::size_t>(cluster.gpu_count()), -1);
}

void ContractChecker::on_start(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) {
  const std::string who = "job '" + job.id + "'";
  if (now < job.submit) fail(who + " started at " + std::to_string(now) + " before its submit time " + std::to_string(job.submit));
  if (static_cast<int>(gpus.size()) != job.gpus)
    fail(who + " started on " + std::to_string(gpus.size()) + " GPUs, its gang is " + std::to_string(job.gpus));
  if (std::set<GpuIndex>(gpus.begin(), gpus.end()).size() != gpus.size()) fail(who + " holds one GPU twice");
  auto [it, inserted] = running_.try_emplace(job.id);
  if (!inserted) {
    fail(who + " started while it was still running");
    return;
  }
  Running& r = it->second;
  r.progress_from = now;
  if (auto was = preempted_.find(job.id); was != preempted_.end()) {
    // A resume: the work so far stands; the restore comes first.
    r = std::move(was->second);
    preempted_.erase(was);
    r.progress_from = now + std::min(config_.preemption.of(job.app).resume, kHorizon - now);
  }
  r.spec = job;
  r.gpus.assign(gpus.begin(), gpus.end());
  r.last = now;
  r.held_since = now;
  r.rate = 0;
  for (GpuIndex g : gpus) {
    if (g < 0 || g >= cluster_->gpu_count()) {
      fail(who + " started on GPU " + std::to_string(g) + ", which does not exist");
      continue;
    }
    if (!job.allows_gpu_type(cluster_->type_of(g).name))
      fail(who + " started on GPU " + std::to_string(g) + " of type " + cluster_->type_of(g).name + ", which it does not allow");
    on_gpu_[static_cast<std::size_t>(g)].push_back(&r);
    // The job that starts last is the one due to fail: the delay runs from its start.
    over_memory_since_[static_cast<std::size_t>(g)] = -1;
  }
}

void ContractChecker::on_start_cpu_only(Tick now, const JobSpec& job, NodeIndex node) {
  const std::string who = "CPU-only job '" + job.id + "'";
  if (now < job.submit) fail(who + " started at " + std::to_string(now) + " before its submit time " + std::to_string(job.submit));
  if (job.gpus != 0) fail("job '" + job.id + "' with a gang of " + std::to_string(job.gpus) + " started as CPU-only");
  if (node < 0 || node >= cluster_->node_count()) {
    fail(who + " started on node " + std::to_string(node) + ", which does not exist");
    return;
  }
  auto [it, inserted] = running_.try_emplace(job.id);
  if (!inserted) {
    fail(who + " started while it was still running");
    return;
  }
  Running& r = it->second;
  r.spec = job;
  r.node = node;
  r.progress_from = now;
  r.last = now;
  r.held_since = now;
  r.rate = 0;
}

void ContractChecker::settle(Running& job, Tick now) const {
  const Tick from = std::max(job.last, job.progress_from);
  if (now > from && !job.suspending) job.work += job.rate * static_cast<double>(now - from);
  job.last = now;
}

void ContractChecker::on_preempt(Tick now, const JobSpec& job, std::span<const GpuIndex>) {
  auto it = running_.find(job.id);
  if (it == running_.end() || it->second.suspending) {
    fail("job '" + job.id + "' was preempted while not running");
    return;
  }
  Running& r = it->second;
  settle(r, now);
  // Back to its last checkpoint. The core summed the same work in another order: within the
  // residue of a checkpoint it may have kept that checkpoint where we do not, or the reverse.
  const PreemptionCost& cost = config_.preemption;
  if (cost.checkpoint_interval > 0) {
    const double residue = PreemptionCost::safe_work_residue(r.work);
    const double kept = cost.safe_work(r.work);
    r.may_be_behind += kept - cost.safe_work(std::max(0.0, r.work - residue));
    r.may_be_ahead += cost.safe_work(r.work + residue) - kept;
    r.work = kept;
  }
  r.suspending = true;
  r.rate = 0;
  ++service_[job.id].preemptions;
}

void ContractChecker::on_release(Tick now, const JobSpec& job, std::span<const GpuIndex>) {
  auto it = running_.find(job.id);
  if (it == running_.end() || !it->second.suspending) {
    fail("job '" + job.id + "' released GPUs it was not suspending on");
    return;
  }
  Running r = it->second;
  leave(job.id, now);
  r.suspending = false;
  r.gpus.clear();
  preempted_[job.id] = std::move(r);
}

// The rate the simulator should give the job: the speed of its slowest GPU over the model's
// slowdown beside its co-runners there. A pair known infeasible does not count (the core never
// co-locates one under MemoryMode::enforce; elsewhere it is about to fail or not modelled).
double ContractChecker::rate_of(const Running& job) const {
  if (job.node >= 0) return 1.0;  // CPU-only: no GPU, no interference
  double time_per_work = 0;
  std::vector<const JobSpec*> corunners;
  for (GpuIndex g : job.gpus) {
    if (g < 0 || g >= cluster_->gpu_count()) continue;
    const GpuType& type = cluster_->type_of(g);
    const double speed = cluster_->speed_of(job.spec, g);
    const auto& residents = on_gpu_[static_cast<std::size_t>(g)];
    if (cluster_->time_sliced(g)) {
      const auto turns = std::count_if(residents.begin(), residents.end(), [](const Running* r) { return !r->suspending; });
      time_per_work = std::max(time_per_work, config_.time_slicing.stretch(static_cast<int>(turns)) / speed);
      continue;
    }
    corunners.clear();
    for (const Running* other : residents)
      if (other != &job && !other->suspending && model_.feasible(job.spec, other->spec, type)) corunners.push_back(&other->spec);
    const double s = corunners.empty() ? 1.0
                                       : realised_slowdown(model_, config_.interference_noise, config_.seed, job.spec,
                                                           corunners, type);
    time_per_work = std::max(time_per_work, s / speed);
  }
  return time_per_work > 0 ? 1.0 / time_per_work : 0.0;
}

void ContractChecker::leave(const std::string& id, Tick now) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  service_[id].held_gpu_ticks += static_cast<double>(now - it->second.held_since) * it->second.spec.gpus;
  for (GpuIndex g : it->second.gpus) {
    if (g < 0 || g >= cluster_->gpu_count()) continue;
    auto& residents = on_gpu_[static_cast<std::size_t>(g)];
    residents.erase(std::remove(residents.begin(), residents.end(), &it->second), residents.end());
  }
  running_.erase(it);
}

void ContractChecker::on_oom(Tick now, const JobSpec& job, std::span<const GpuIndex> gpus) {
  ++oom_events_;
  if (config_.memory != MemoryMode::overcommit) fail("job '" + job.id + "' failed out of memory, which only --memory overcommit models");
  if (running_.count(job.id) == 0) fail("job '" + job.id + "' failed out of memory while not running");
  for (GpuIndex g : gpus)
    if (g >= 0 && g < cluster_->gpu_count()) over_memory_since_[static_cast<std::size_t>(g)] = -1;
  leave(job.id, now);
}

void ContractChecker::on_job_done(const JobRecord& r) {
  const std::string who = "job '" + r.id + "' (" + to_string(r.outcome) + ")";
  if (r.end >= 0 && r.end >= last_end_) {
    // Utilisation is over the makespan: the occupancy integrals up to the last end.
    const double dt = last_instant_ >= 0 ? static_cast<double>(r.end - last_instant_) : 0.0;
    busy_at_last_end_ = busy_gpu_ticks_ + dt * busy_gpus_;
    used_at_last_end_ = used_mib_ticks_ + dt * static_cast<double>(used_mib_);
    last_end_ = r.end;
  }
  records_.push_back(r);
  switch (r.outcome) {
    case JobOutcome::finished: case JobOutcome::oom_failed: case JobOutcome::unschedulable:
    case JobOutcome::never_started: case JobOutcome::unfinished: break;
    default: fail(who + " has no valid outcome"); break;
  }
  if (started(r.outcome)) {
    if (r.start < r.submit) fail(who + " starts before it is submitted");
    if (static_cast<int>(r.gpu_list.size()) != r.gpus) fail(who + " lists " + std::to_string(r.gpu_list.size()) + " GPUs for a gang of " + std::to_string(r.gpus));
    if ((r.gpus == 0) != (r.node >= 0)) fail(who + " names node " + std::to_string(r.node) + " with a gang of " + std::to_string(r.gpus));
    if (r.gpus == 0 && r.preemptions + r.oom_retries > 0) fail(who + " is CPU-only but was preempted or failed out of memory");
  } else if (r.start != -1) {
    fail(who + " has a start time but never started");
  }
  if (r.outcome == JobOutcome::finished || r.outcome == JobOutcome::oom_failed) {
    if (r.end < r.start) fail(who + " ends before it starts");
  } else if (r.end != -1) {
    fail(who + " has an end time but did not end");
  }
  if (r.outcome != JobOutcome::finished && r.note.empty()) fail(who + " gives no reason");

  auto it = running_.find(r.id);
  const auto waiting = preempted_.find(r.id);
  if ((r.outcome == JobOutcome::finished || r.outcome == JobOutcome::unfinished) && it == running_.end() &&
      !(r.outcome == JobOutcome::unfinished && waiting != preempted_.end()))
    fail(who + " was not running");
  if (waiting != preempted_.end() && r.outcome != JobOutcome::unfinished) fail(who + " was waiting to resume after a preemption");
  const Service seen = service_[r.id];
  if (r.preemptions != seen.preemptions)
    fail(who + " reports " + std::to_string(r.preemptions) + " preemptions, the observer saw " + std::to_string(seen.preemptions));
  if (r.outcome == JobOutcome::finished && it != running_.end()) {
    const double held = seen.held_gpu_ticks + static_cast<double>(r.end - it->second.held_since) * r.gpus;
    if (std::abs(held - r.attained_gpu_ticks) > 1e-6 * std::max(1.0, held))
      fail(who + " reports " + std::to_string(r.attained_gpu_ticks) + " GPU-ticks attained, the observer saw " + std::to_string(held));
  }
  if (waiting != preempted_.end()) preempted_.erase(waiting);
  if (r.outcome == JobOutcome::finished && it != running_.end()) {
    Running& job = it->second;
    settle(job, r.end);
    // The core rounds each completion up to a whole tick: at most one tick of work at the
    // fastest rate the job had, plus floating-point residue, plus the checkpoints that the
    // core's sum and ours may have put on either side.
    const double solo = static_cast<double>(r.solo_duration);
    const double tolerance = 2 * std::max(job.max_rate, 1.0) + 1e-9 * solo;
    if (!(job.work - solo <= tolerance + job.may_be_behind && solo - job.work <= tolerance + job.may_be_ahead))
      fail(who + " did " + std::to_string(job.work) + " ticks of solo work at its achieved rates, not its " +
           std::to_string(r.solo_duration));
  }
  if (r.outcome != JobOutcome::oom_failed && r.outcome != JobOutcome::finished && r.outcome != JobOutcome::unfinished &&
      it != running_.end())
    fail(who + " was still running");
  leave(r.id, r.end >= 0 ? r.end : std::max<Tick>(last_instant_, 0));
  service_.erase(r.id);
}

void ContractChecker::on_instant(Tick now, const ClusterView& cluster, std::size_t, std::size_t running) {
  if (now < last_instant_) fail("time went backwards from " + std::to_string(last_instant_) + " to " + std::to_string(now));
  if (now >= kHorizon) fail("an instant at or after the horizon");
  if (last_instant_ >= 0) {
    const auto dt = static_cast<double>(now - last_instant_);
    busy_gpu_ticks_ += dt * busy_gpus_;
    used_mib_ticks_ += dt * static_cast<double>(used_mib_);
  }
  last_instant_ = now;
  const auto suspending = static_cast<std::size_t>(
      std::count_if(running_.begin(), running_.end(), [](const auto& entry) { return entry.second.suspending; }));
  if (running != running_.size() - suspending)
    fail("at t=" + std::to_string(now) + " the core runs " + std::to_string(running) + " jobs, the observer saw " +
         std::to_string(running_.size() - suspending) + " start and not leave or get preempted");

  busy_gpus_ = 0;
  used_mib_ = 0;
  std::vector<int> shares(static_cast<std::size_t>(cluster.gpu_count()), 0);
  for (GpuIndex g = 0; g < cluster.gpu_count(); ++g) {
    const auto& residents = on_gpu_[static_cast<std::size_t>(g)];
    const std::string where = "at t=" + std::to_string(now) + " GPU " + std::to_string(g);
    std::int64_t used = 0;
    int share = 0;
    for (const Running* r : residents) {
      used += r->spec.memory_mib;
      share += cluster.share_of(r->spec);
    }
    shares[static_cast<std::size_t>(g)] = share;
    if (!residents.empty()) ++busy_gpus_;
    used_mib_ += used;
    if (used != cluster.used_mib(g)) fail(where + " holds " + std::to_string(used) + " MiB of jobs, the core counts " + std::to_string(cluster.used_mib(g)));
    if (static_cast<int>(residents.size()) != static_cast<int>(cluster.residents(g).size()))
      fail(where + " holds " + std::to_string(residents.size()) + " jobs, the core lists " + std::to_string(cluster.residents(g).size()));
    if (share > 1000) fail(where + " holds GPU shares summing to " + std::to_string(share) + " thousandths");
    const bool over = used > cluster.capacity_mib(g);
    if (config_.memory == MemoryMode::enforce) {
      if (over) fail(where + " is over memory (" + std::to_string(used) + " of " + std::to_string(cluster.capacity_mib(g)) + " MiB) although memory is enforced");
      for (std::size_t i = 0; i < residents.size(); ++i)
        for (std::size_t j = i + 1; j < residents.size(); ++j)
          if (!model_.feasible(residents[i]->spec, residents[j]->spec, cluster.type_of(g)))
            fail(where + " holds the infeasible pair '" + residents[i]->spec.id + "', '" + residents[j]->spec.id + "'");
    }
    Tick& since = over_memory_since_[static_cast<std::size_t>(g)];
    // A job checkpointing after a preemption holds its memory until its suspend delay ends:
    // the over-commit resolves then, not by an out-of-memory failure.
    const bool suspending = std::any_of(residents.begin(), residents.end(), [](const Running* r) { return r->suspending; });
    if (config_.memory == MemoryMode::overcommit && over && !suspending) {
      if (since < 0) since = now;
      else if (now - since > config_.oom_delay)
        fail(where + " has been over memory since t=" + std::to_string(since) + " with no out-of-memory failure");
    } else {
      since = -1;
    }
  }
  const NodeBooks books = node_books(cluster);
  check_node_resources(now, cluster, books);
  if (!config_.target_workload.empty()) measure_fragmentation(now, cluster, books, shares);
  // Rates from this instant on: co-runners may have changed anywhere.
  for (auto& [id, job] : running_) {
    settle(job, now);
    job.rate = rate_of(job);
    job.max_rate = std::max(job.max_rate, job.rate);
  }
}

// Node CPU and host memory the jobs seen holding GPUs (suspending ones included) ask of each node.
ContractChecker::NodeBooks ContractChecker::node_books(const ClusterView& cluster) const {
  NodeBooks books{std::vector<std::int64_t>(static_cast<std::size_t>(cluster.node_count()), 0),
                  std::vector<std::int64_t>(static_cast<std::size_t>(cluster.node_count()), 0)};
  if (!cluster.limits_node_resources()) return books;
  for (const auto& entry : running_) {
    const Running& job = entry.second;
    if (job.node >= 0) {
      books.cpu[static_cast<std::size_t>(job.node)] += cpu_request_milli(job.spec);
      books.host[static_cast<std::size_t>(job.node)] += host_memory_request_mib(job.spec);
      continue;
    }
    // A GPU that does not exist is reported at the start; it charges no node.
    if (std::any_of(job.gpus.begin(), job.gpus.end(), [&](GpuIndex g) { return g < 0 || g >= cluster.gpu_count(); })) continue;
    const std::int64_t cpu_request = cpu_request_milli(job.spec), host_request = host_memory_request_mib(job.spec);
    cluster.for_each_node_of(job.gpus, [&](NodeIndex n, int here) {
      books.cpu[static_cast<std::size_t>(n)] += ClusterView::node_part(cpu_request, here, job.spec.gpus);
      books.host[static_cast<std::size_t>(n)] += ClusterView::node_part(host_request, here, job.spec.gpus);
    });
  }
  return books;
}

// What the core charges each node, and within capacity when enforced.
void ContractChecker::check_node_resources(Tick now, const ClusterView& cluster, const NodeBooks& books) {
  if (!cluster.limits_node_resources()) return;
  const std::vector<std::int64_t>& cpu = books.cpu;
  const std::vector<std::int64_t>& host = books.host;
  for (NodeIndex n = 0; n < cluster.node_count(); ++n) {
    const std::string where = "at t=" + std::to_string(now) + " node '" + cluster.spec().nodes[n].name + "'";
    const auto i = static_cast<std::size_t>(n);
    if (cpu[i] != cluster.used_cpu_milli(n) || host[i] != cluster.used_host_memory_mib(n))
      fail(where + " holds jobs asking " + std::to_string(cpu[i]) + " milli-CPU and " + std::to_string(host[i]) +
           " MiB of host memory, the core counts " + std::to_string(cluster.used_cpu_milli(n)) + " and " +
           std::to_string(cluster.used_host_memory_mib(n)));
    const std::int64_t cpu_capacity = cluster.cpu_capacity_milli(n), host_capacity = cluster.host_memory_capacity_mib(n);
    if ((cpu_capacity > 0 && cpu[i] > cpu_capacity) || (host_capacity > 0 && host[i] > host_capacity))
      fail(where + " is over its CPU or host memory (" + std::to_string(cpu[i]) + " of " + std::to_string(cpu_capacity) +
           " milli-CPU, " + std::to_string(host[i]) + " of " + std::to_string(host_capacity) + " MiB)");
  }
}

// The cluster's fragmentation from our own books, measured afresh at every instant.
void ContractChecker::measure_fragmentation(Tick now, const ClusterView& cluster, const NodeBooks& books,
                                            const std::vector<int>& shares) {
  std::int64_t quanta = 0, idle = 0;
  for (NodeIndex n = 0; n < cluster.node_count(); ++n) {
    const NodeFreeResources free = node_free_resources(cluster, n, books.cpu[static_cast<std::size_t>(n)],
                                                       [&](GpuIndex g) { return shares[static_cast<std::size_t>(g)]; });
    quanta += fragmentation_quanta(node_fragmentation(free, config_.target_workload));
    idle += idle_gpu_milli(free);
  }
  fragmentation_mean_.observe(now, fragmentation_ratio(quanta, idle));
}

void ContractChecker::check_jobs(std::span<const JobSpec> submitted) {
  std::map<std::string, const JobRecord*> reported;
  for (const JobRecord& r : records_)
    if (!reported.emplace(r.id, &r).second) fail("job '" + r.id + "' was reported twice");
  std::set<std::string> expected;
  for (const JobSpec& j : submitted) {
    expected.insert(j.id);
    auto it = reported.find(j.id);
    if (it == reported.end()) {
      fail("job '" + j.id + "' was never reported");
      continue;
    }
    const JobRecord& r = *it->second;
    if (r.submit != j.submit || r.solo_duration != j.solo_duration || r.gpus != j.gpus || r.app != j.app)
      fail("job '" + j.id + "' was reported with other submit, duration, gang or application than submitted");
  }
  for (const auto& [id, r] : reported)
    if (expected.count(id) == 0) fail("job '" + id + "' was reported but never submitted");
}

void ContractChecker::check_summary(const Summary& s) {
  Summary e;
  Tick first_submit = -1, last_end = -1;
  std::vector<double> jct, delay, slowdown;
  double speedup_sum = 0, lost = 0, held = 0, rho_sum = 0, rho_squares = 0;
  std::int64_t rho_count = 0;
  for (const JobRecord& r : records_) {
    ++e.jobs;
    e.preemptions += r.preemptions;
    lost += r.lost_gpu_ticks;
    held += r.attained_gpu_ticks;
    if (first_submit < 0 || r.submit < first_submit) first_submit = r.submit;
    last_end = std::max(last_end, r.end);
    switch (r.outcome) {
      case JobOutcome::finished:
        ++e.finished;
        jct.push_back(ticks_to_seconds(r.end - r.submit));
        delay.push_back(ticks_to_seconds(r.start - r.submit));
        {
          // Sharing only: run time over time alone on the slowest of the GPUs it got, whose speed
          // is the speed-up from the GPU type (docs/compare.md).
          const double speed = cluster_ && !r.gpu_list.empty() ? cluster_->speed_on(r.app, r.gpus, r.gpu_list) : 1.0;
          // Preemptions are not sharing: the time suspended and the run time of lost work are not
          // part of the slowdown (ftf_rho counts them).
          const double run = static_cast<double>(r.end - r.start - r.suspended) - r.redone_ticks;
          slowdown.push_back(r.solo_duration > 0 ? run * speed / static_cast<double>(r.solo_duration) : 0.0);
          speedup_sum += speed;
          if (r.solo_duration > 0) {
            const double rho = static_cast<double>(r.end - r.submit) * speed / static_cast<double>(r.solo_duration);
            ++rho_count;
            rho_sum += rho;
            rho_squares += rho * rho;
            e.ftf_max = std::max(e.ftf_max, rho);
          }
        }
        break;
      case JobOutcome::oom_failed: ++e.oom_failed; break;
      case JobOutcome::unschedulable: ++e.unschedulable; break;
      case JobOutcome::never_started: ++e.never_started; break;
      case JobOutcome::unfinished: ++e.unfinished; break;
    }
  }
  e.oom_events = oom_events_;
  if (first_submit >= 0 && last_end > first_submit) {
    const auto span = static_cast<double>(last_end - first_submit);
    e.makespan_s = ticks_to_seconds(last_end - first_submit);
    if (cluster_ && cluster_->gpu_count() > 0) e.gpu_time_utilisation = busy_at_last_end_ / (span * cluster_->gpu_count());
    if (cluster_ && cluster_->total_capacity_mib() > 0)
      e.memory_utilisation = used_at_last_end_ / (span * static_cast<double>(cluster_->total_capacity_mib()));
  }
  auto mean = [](const std::vector<double>& v) {
    return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  };
  e.jct_mean_s = mean(jct);
  e.queueing_delay_mean_s = mean(delay);
  e.slowdown_mean = mean(slowdown);
  e.speedup_mean = e.finished > 0 ? speedup_sum / static_cast<double>(e.finished) : 0.0;
  e.jct_p50_s = percentile(jct, 50);
  e.jct_p95_s = percentile(jct, 95);
  e.jct_p99_s = percentile(jct, 99);
  e.slowdown_p95 = percentile(slowdown, 95);
  e.lost_gpu_time_share = held > 0 ? lost / held : 0.0;
  e.fragmentation_ratio_mean = fragmentation_mean_.value();
  e.ftf_jain = rho_squares > 0 ? rho_sum * rho_sum / (static_cast<double>(rho_count) * rho_squares) : 0.0;

  // Every metric of the one table, so that a new one cannot go unchecked.
  for (const MetricDef& m : summary_metrics()) {
    if (m.is_count() ? m.count(s) == m.count(e) : same_figure(m.value(s), m.value(e))) continue;
    fail(std::string("summary ") + m.key + " is " + m.text(s) + ", the job records give " + m.text(e));
  }
  if (!(s.gpu_time_utilisation >= 0 && s.gpu_time_utilisation <= 1 + 1e-9))
    fail("summary gpu_time_utilisation is " + std::to_string(s.gpu_time_utilisation) + ", outside 0..1");
  if (s.jobs != s.finished + s.oom_failed + s.unschedulable + s.never_started + s.unfinished)
    fail("summary outcomes do not add up to its job count");
}

}  // namespace colosim

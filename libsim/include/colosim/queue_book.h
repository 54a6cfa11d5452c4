#pragma once
// The run-time state of a queue tree (queue_tree.h) in one run: what each queue holds and has
// waiting, whether a job may start under its queue's quota, limit and the borrowing rule, the
// hierarchical fair shares that order queues, and the per-queue metrics. The core keeps one per
// run; every quantity is in thousandths of a GPU (quota_demand_milli), so sums are exact.
// Costs: O(depth) per job that starts, leaves or waits; O(queues) per instant at which any of
// that happened (the metrics' integrals, the fair shares), never O(cluster).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "colosim/queue_tree.h"
#include "colosim/time.h"

namespace colosim {

// One queue's row of a run's results.
struct QueueStats {
  std::string name;
  std::string parent;
  bool leaf = true;
  double quota_gpus = 0;
  double mean_allocated_gpus = 0;   // GPUs its jobs held (running or checkpointing), averaged over the run
  double mean_fair_share_gpus = 0;  // its fair share, averaged over the run
  double borrowed_gpu_hours = 0;    // GPU-hours held beyond its quota
  std::int64_t jobs = 0;            // leaves: jobs that came to it (parents: their leaves' sum)
  std::int64_t started = 0;
  std::int64_t finished = 0;
  double mean_wait_s = 0;           // submit to first start, over jobs that started
  double p95_wait_s = 0;            // nearest rank
  double mean_jct_s = 0;            // submit to end, over jobs that finished
  std::int64_t preemptions_suffered = 0;  // preemptions of its jobs, for any reason
  std::int64_t reclaims_caused = 0;       // its jobs' preemptions of borrowed jobs
};

struct QueueReport {
  std::vector<QueueStats> queues;  // in the tree's order
  // Jain's index over leaf queues that had jobs of mean allocation / mean fair share: 1 when
  // every queue got its fair share in the same proportion. NaN without such queues.
  double jain_index = std::numeric_limits<double>::quiet_NaN();
  double idle_gpu_hours_while_waiting = 0;  // GPUs no job held while some job waited
  double span_s = 0;                        // the time the means are over: 0 to the run's end

  bool empty() const { return queues.empty(); }
};

class QueueBook {
 public:
  static constexpr int kNoQueue = -1;

  QueueBook() = default;
  QueueBook(const QueueTree& tree, std::int64_t capacity_milli);

  bool empty() const { return nodes_.empty(); }
  const std::string& name(int q) const { return nodes_[static_cast<std::size_t>(q)].name; }
  // The leaf queue of a job with this user (JobSpec::user), else the default queue, else kNoQueue.
  int leaf_of(const std::string& user) const;
  // Why a job of this demand can never start in leaf q (a limit on its way up is below it), "" if it can.
  std::string never_fits(int q, std::int64_t demand) const;

  // Integrates the metrics and the decayed usage up to `now` (at most once per instant).
  void advance(Tick now);
  void add_pending(int q, std::int64_t demand);
  void remove_pending(int q, std::int64_t demand);
  void hold(int q, std::int64_t demand);     // a job of q starts to hold GPUs
  void release(int q, std::int64_t demand);  // ... and stops

  // --- a scheduling pass ---
  // Brings the fair shares up to date and forgets what earlier passes offered.
  void begin_pass();
  // Whether a job of leaf q with this demand may start, beside the jobs offered so far in this
  // pass: the limits of q and its ancestors, and beyond q's quota, that q may borrow and the
  // idle quota lent (lendable_milli) covers everything borrowed.
  bool may_offer(int q, std::int64_t demand) const;
  void offer(int q, std::int64_t demand);
  // Between queues the lower key goes first: priority (larger first), then allocation (or its
  // decayed average) plus what this pass offered, over the fair share.
  struct OrderKey {
    int priority = 0;
    double load = 0;
    int queue = 0;
    friend bool operator<(const OrderKey& a, const OrderKey& b) {
      if (a.priority != b.priority) return a.priority > b.priority;
      if (a.load != b.load) return a.load < b.load;
      return a.queue < b.queue;
    }
  };
  OrderKey order_key(int q) const;
  std::vector<int> leaves_in_order() const;  // leaves with jobs waiting, by order_key

  // A job of leaf q is guaranteed when, with `extra` more held, it still fits in q's quota.
  bool guaranteed(int q, std::int64_t demand, std::int64_t extra = 0) const;
  std::int64_t over_quota(int q) const;   // held beyond the quota, >= 0
  std::int64_t borrowed_milli() const { return borrowed_; }
  std::int64_t pending_milli(int q) const { return nodes_[static_cast<std::size_t>(q)].pending; }
  std::int64_t held_milli(int q) const { return nodes_[static_cast<std::size_t>(q)].held; }
  std::size_t size() const { return nodes_.size(); }
  bool is_leaf(int q) const { return nodes_[static_cast<std::size_t>(q)].children.empty(); }

  // --- per-job metrics ---
  void count_arrival(int q) { ++nodes_[static_cast<std::size_t>(q)].jobs; }
  void count_start(int q, Tick waited);
  void count_finish(int q, Tick jct);
  void count_preemption(int victim_queue) { ++nodes_[static_cast<std::size_t>(victim_queue)].suffered; }
  void count_reclaim(int by_queue) { ++nodes_[static_cast<std::size_t>(by_queue)].caused; }

  QueueReport report(Tick end) const;

 private:
  struct Node {
    std::string name;
    int parent = kNoQueue;
    std::vector<int> children;
    std::int64_t quota = 0;  // a parent's: its children's sum
    std::int64_t limit = std::numeric_limits<std::int64_t>::max();
    double weight = 1;
    int priority = 0;
    bool borrow = true, lend = true;
    // state
    std::int64_t held = 0;     // subtree
    std::int64_t pending = 0;  // subtree
    std::int64_t offered = 0;  // subtree, this pass
    double decayed = 0;        // held, exponentially averaged (usage_half_life)
    double fair = 0;           // fair share, milli-GPUs
    // metrics
    double held_ticks = 0, fair_ticks = 0, borrowed_ticks = 0;
    std::int64_t jobs = 0, started = 0, finished = 0, suffered = 0, caused = 0;
    double wait_sum = 0, jct_sum = 0;
    std::vector<double> waits;  // seconds, for the percentile
  };
  Node& at(int q) { return nodes_[static_cast<std::size_t>(q)]; }
  const Node& at(int q) const { return nodes_[static_cast<std::size_t>(q)]; }
  std::int64_t lends(const Node& n) const;  // what a leaf lends now
  void change(int q, std::int64_t held_delta, std::int64_t pending_delta);
  void share_out(int q, double capacity);
  double demand(const Node& n) const;

  std::vector<Node> nodes_;
  std::vector<int> roots_;
  std::vector<std::pair<std::string, int>> leaf_index_;  // sorted by name
  int default_leaf_ = kNoQueue;
  std::int64_t capacity_ = 0;
  Tick half_life_ = 0;
  std::int64_t unassigned_ = 0;  // capacity beyond the leaves' quotas, lent to all
  std::int64_t lendable_ = 0;    // unassigned + what lending leaves do not use or wait for
  std::int64_t borrowed_ = 0;    // held beyond quotas, over all leaves
  std::int64_t offered_borrow_ = 0;
  std::int64_t pending_total_ = 0, held_total_ = 0;
  bool shares_dirty_ = true;
  Tick last_ = 0;
  double idle_waiting_ticks_ = 0;
};

}  // namespace colosim

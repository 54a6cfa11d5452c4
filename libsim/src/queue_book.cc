#include "colosim/queue_book.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "colosim/errors.h"
#include "colosim/metrics.h"
#include "colosim/number_text.h"

namespace colosim {

QueueBook::QueueBook(const QueueTree& tree, std::int64_t capacity_milli) : capacity_(capacity_milli), half_life_(tree.usage_half_life) {
  tree.validate("queue tree");
  std::map<std::string, int> index;
  for (const QueueSpec& s : tree.queues) {
    Node n;
    n.name = s.name;
    n.quota = gpus_to_milli(s.quota_gpus);
    if (s.limit_gpus) n.limit = gpus_to_milli(*s.limit_gpus);
    n.weight = s.weight;
    n.priority = s.priority;
    n.borrow = s.borrow;
    n.lend = s.lend;
    index.emplace(s.name, static_cast<int>(nodes_.size()));
    nodes_.push_back(std::move(n));
  }
  for (std::size_t i = 0; i < tree.queues.size(); ++i) {
    const int q = static_cast<int>(i);
    if (tree.queues[i].parent.empty()) {
      roots_.push_back(q);
      continue;
    }
    at(q).parent = index.at(tree.queues[i].parent);
    at(at(q).parent).children.push_back(q);
  }
  // A parent's quota is its children's: sum bottom-up (children may come in any order).
  std::int64_t leaf_quotas = 0;
  for (int q = 0; q < static_cast<int>(nodes_.size()); ++q) {
    if (!at(q).children.empty()) continue;
    leaf_index_.emplace_back(at(q).name, q);
    leaf_quotas += at(q).quota;
    for (int p = at(q).parent; p != kNoQueue; p = at(p).parent) at(p).quota += at(q).quota;
  }
  std::sort(leaf_index_.begin(), leaf_index_.end());
  if (!tree.default_queue.empty()) default_leaf_ = index.at(tree.default_queue);
  unassigned_ = std::max<std::int64_t>(0, capacity_ - leaf_quotas);
  lendable_ = unassigned_;
  for (const auto& [name, q] : leaf_index_) lendable_ += lends(at(q));
}

int QueueBook::leaf_of(const std::string& user) const {
  const auto it = std::lower_bound(leaf_index_.begin(), leaf_index_.end(), std::make_pair(user, std::numeric_limits<int>::min()));
  if (it != leaf_index_.end() && it->first == user) return it->second;
  return default_leaf_;
}

std::string QueueBook::never_fits(int q, std::int64_t demand) const {
  for (int n = q; n != kNoQueue; n = at(n).parent)
    if (demand > at(n).limit)
      return "needs " + shortest_text(static_cast<double>(demand) / 1000.0) + " GPU(s); queue '" + at(n).name +
             "' is limited to " + shortest_text(static_cast<double>(at(n).limit) / 1000.0);
  return {};
}

std::int64_t QueueBook::lends(const Node& n) const {
  return n.lend ? std::max<std::int64_t>(0, n.quota - n.held - n.pending) : 0;
}

std::int64_t QueueBook::over_quota(int q) const { return std::max<std::int64_t>(0, at(q).held - at(q).quota); }

void QueueBook::change(int q, std::int64_t held_delta, std::int64_t pending_delta) {
  Node& leaf = at(q);
  lendable_ -= lends(leaf);
  borrowed_ -= over_quota(q);
  for (int n = q; n != kNoQueue; n = at(n).parent) {
    at(n).held += held_delta;
    at(n).pending += pending_delta;
  }
  lendable_ += lends(leaf);
  borrowed_ += over_quota(q);
  held_total_ += held_delta;
  pending_total_ += pending_delta;
  shares_dirty_ = true;
}

void QueueBook::add_pending(int q, std::int64_t demand) { change(q, 0, demand); }
void QueueBook::remove_pending(int q, std::int64_t demand) { change(q, 0, -demand); }
void QueueBook::hold(int q, std::int64_t demand) { change(q, demand, 0); }
void QueueBook::release(int q, std::int64_t demand) { change(q, -demand, 0); }

double QueueBook::demand(const Node& n) const {
  if (n.children.empty()) return static_cast<double>(std::min(n.limit, n.held + n.pending));
  double sum = 0;
  for (int c : n.children) sum += demand(at(c));
  return std::min(static_cast<double>(n.limit), sum);
}

namespace {

struct Claim {
  int queue;
  double demand, quota, weight;
  int priority;
  double given = 0;
};

// Hierarchical weighted max-min: each claimant gets its quota first (as far as it wants it, cut
// in proportion when the capacity is short), then the rest goes by priority level, and within
// one by weight, to those that want more, none getting more than it wants.
void water_fill(std::vector<Claim>& claims, double capacity) {
  double quota_wanted = 0;
  for (Claim& c : claims) quota_wanted += std::min(c.demand, c.quota);
  const double scale = quota_wanted > capacity && quota_wanted > 0 ? capacity / quota_wanted : 1.0;
  double left = capacity;
  for (Claim& c : claims) {
    c.given = std::min(c.demand, c.quota) * scale;
    left -= c.given;
  }
  std::vector<int> levels;
  for (const Claim& c : claims) levels.push_back(c.priority);
  std::sort(levels.rbegin(), levels.rend());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  for (int level : levels) {
    std::vector<Claim*> open;
    for (Claim& c : claims)
      if (c.priority == level && c.given < c.demand) open.push_back(&c);
    while (left > 1e-9 && !open.empty()) {
      double weights = 0, step = std::numeric_limits<double>::infinity();
      for (Claim* c : open) {
        weights += c->weight;
        step = std::min(step, (c->demand - c->given) / c->weight);
      }
      step = std::min(step, left / weights);
      for (Claim* c : open) {
        const double add = std::min(step * c->weight, c->demand - c->given);
        c->given += add;
        left -= add;
      }
      std::erase_if(open, [](const Claim* c) { return c->given >= c->demand - 1e-9; });
      if (step * weights < 1e-9) break;
    }
  }
}

}  // namespace

void QueueBook::share_out(int q, double capacity) {
  const std::vector<int>& kids = q == kNoQueue ? roots_ : at(q).children;
  if (q != kNoQueue) at(q).fair = capacity;
  if (kids.empty()) return;
  std::vector<Claim> claims;
  for (int c : kids) claims.push_back({c, demand(at(c)), static_cast<double>(at(c).quota), at(c).weight, at(c).priority});
  water_fill(claims, capacity);
  for (const Claim& c : claims) share_out(c.queue, c.given);
}

void QueueBook::advance(Tick now) {
  if (nodes_.empty() || now <= last_) return;
  if (shares_dirty_) {
    share_out(kNoQueue, static_cast<double>(capacity_));
    shares_dirty_ = false;
  }
  const double dt = static_cast<double>(now - last_);
  const double keep = half_life_ > 0 ? std::exp2(-dt / static_cast<double>(half_life_)) : 0.0;
  for (Node& n : nodes_) {
    n.held_ticks += static_cast<double>(n.held) * dt;
    n.fair_ticks += n.fair * dt;
    n.borrowed_ticks += static_cast<double>(std::max<std::int64_t>(0, n.held - n.quota)) * dt;
    n.decayed = n.decayed * keep + static_cast<double>(n.held) * (1.0 - keep);
  }
  if (pending_total_ > 0) idle_waiting_ticks_ += static_cast<double>(std::max<std::int64_t>(0, capacity_ - held_total_)) * dt;
  last_ = now;
}

void QueueBook::begin_pass() {
  for (Node& n : nodes_) n.offered = 0;
  offered_borrow_ = 0;
  if (shares_dirty_) {
    share_out(kNoQueue, static_cast<double>(capacity_));
    shares_dirty_ = false;
  }
}

bool QueueBook::may_offer(int q, std::int64_t demand) const {
  for (int n = q; n != kNoQueue; n = at(n).parent)
    if (at(n).held + at(n).offered + demand > at(n).limit) return false;
  const Node& leaf = at(q);
  const std::int64_t now_held = leaf.held + leaf.offered;
  const std::int64_t extra = std::max<std::int64_t>(0, now_held + demand - leaf.quota) - std::max<std::int64_t>(0, now_held - leaf.quota);
  if (extra == 0) return true;
  return leaf.borrow && borrowed_ + offered_borrow_ + extra <= lendable_;
}

void QueueBook::offer(int q, std::int64_t demand) {
  const Node& leaf = at(q);
  const std::int64_t now_held = leaf.held + leaf.offered;
  offered_borrow_ += std::max<std::int64_t>(0, now_held + demand - leaf.quota) - std::max<std::int64_t>(0, now_held - leaf.quota);
  for (int n = q; n != kNoQueue; n = at(n).parent) at(n).offered += demand;
}

QueueBook::OrderKey QueueBook::order_key(int q) const {
  const Node& n = at(q);
  const double used = (half_life_ > 0 ? n.decayed : static_cast<double>(n.held)) + static_cast<double>(n.offered);
  const double load = n.fair > 0 ? used / n.fair : std::numeric_limits<double>::infinity();
  return {n.priority, load, q};
}

std::vector<int> QueueBook::leaves_in_order() const {
  std::vector<OrderKey> keys;
  for (const auto& [name, q] : leaf_index_)
    if (at(q).pending > 0) keys.push_back(order_key(q));
  std::sort(keys.begin(), keys.end());
  std::vector<int> leaves;
  for (const OrderKey& k : keys) leaves.push_back(k.queue);
  return leaves;
}

bool QueueBook::guaranteed(int q, std::int64_t demand, std::int64_t extra) const {
  return at(q).held + extra + demand <= at(q).quota;
}

void QueueBook::count_start(int q, Tick waited) {
  Node& n = at(q);
  ++n.started;
  n.wait_sum += ticks_to_seconds(waited);
  n.waits.push_back(ticks_to_seconds(waited));
}

void QueueBook::count_finish(int q, Tick jct) {
  ++at(q).finished;
  at(q).jct_sum += ticks_to_seconds(jct);
}

QueueReport QueueBook::report(Tick end) const {
  QueueReport r;
  r.span_s = ticks_to_seconds(end);
  r.idle_gpu_hours_while_waiting = idle_waiting_ticks_ / 1000.0 / 3600.0 / static_cast<double>(kTicksPerSecond);
  const double span = static_cast<double>(std::max<Tick>(end, 1));
  // A parent's job counts are its leaves' sums.
  std::vector<Node> sums(nodes_.begin(), nodes_.end());
  for (int q = 0; q < static_cast<int>(nodes_.size()); ++q) {
    if (!at(q).children.empty()) continue;
    for (int p = at(q).parent; p != kNoQueue; p = at(p).parent) {
      Node& s = sums[static_cast<std::size_t>(p)];
      s.jobs += at(q).jobs;
      s.started += at(q).started;
      s.finished += at(q).finished;
      s.suffered += at(q).suffered;
      s.caused += at(q).caused;
      s.wait_sum += at(q).wait_sum;
      s.jct_sum += at(q).jct_sum;
      s.waits.insert(s.waits.end(), at(q).waits.begin(), at(q).waits.end());
    }
  }
  double sum = 0, sum_squares = 0;
  int counted = 0;
  for (std::size_t i = 0; i < sums.size(); ++i) {
    Node& n = sums[i];
    QueueStats s;
    s.name = n.name;
    s.parent = n.parent == kNoQueue ? std::string() : nodes_[static_cast<std::size_t>(n.parent)].name;
    s.leaf = n.children.empty();
    s.quota_gpus = static_cast<double>(n.quota) / 1000.0;
    s.mean_allocated_gpus = n.held_ticks / span / 1000.0;
    s.mean_fair_share_gpus = n.fair_ticks / span / 1000.0;
    s.borrowed_gpu_hours = n.borrowed_ticks / 1000.0 / 3600.0 / static_cast<double>(kTicksPerSecond);
    s.jobs = n.jobs;
    s.started = n.started;
    s.finished = n.finished;
    s.mean_wait_s = n.started > 0 ? n.wait_sum / static_cast<double>(n.started) : 0.0;
    s.p95_wait_s = percentile(n.waits, 95);
    s.mean_jct_s = n.finished > 0 ? n.jct_sum / static_cast<double>(n.finished) : 0.0;
    s.preemptions_suffered = n.suffered;
    s.reclaims_caused = n.caused;
    if (s.leaf && s.jobs > 0 && s.mean_fair_share_gpus > 0) {
      const double x = s.mean_allocated_gpus / s.mean_fair_share_gpus;
      sum += x;
      sum_squares += x * x;
      ++counted;
    }
    r.queues.push_back(std::move(s));
  }
  if (counted > 0 && sum_squares > 0) r.jain_index = sum * sum / (counted * sum_squares);
  return r;
}

}  // namespace colosim

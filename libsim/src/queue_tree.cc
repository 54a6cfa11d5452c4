#include "colosim/queue_tree.h"

#include <cmath>
#include <map>
#include <set>

#include "colosim/errors.h"

namespace colosim {

void QueueTree::validate(const std::string& source) const {
  // Beyond this a quota in milli-GPUs could overflow sums of many queues.
  constexpr double kMaxGpus = 1e9;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < queues.size(); ++i) {
    const QueueSpec& q = queues[i];
    auto bad = [&](const std::string& field, const std::string& problem) {
      throw InputError(source, static_cast<std::int64_t>(i + 1), "queues." + field,
                       "queue '" + q.name + "': " + problem);
    };
    if (q.name.empty()) bad("name", "a queue needs a name");
    if (!index.emplace(q.name, i).second) bad("name", "named twice");
    if (!(q.quota_gpus >= 0 && q.quota_gpus <= kMaxGpus)) bad("quota_gpus", "must be a number from 0 to 1e9");
    if (q.limit_gpus && !(*q.limit_gpus >= q.quota_gpus && *q.limit_gpus <= kMaxGpus))
      bad("limit_gpus", "must be at least the quota (" + std::to_string(q.quota_gpus) + ") and at most 1e9");
    if (!(q.weight > 0 && q.weight <= kMaxGpus)) bad("weight", "must be a number above 0 and at most 1e9");
  }
  std::set<std::string> parents;
  for (std::size_t i = 0; i < queues.size(); ++i) {
    const QueueSpec& q = queues[i];
    if (q.parent.empty()) continue;
    if (!index.count(q.parent))
      throw InputError(source, static_cast<std::int64_t>(i + 1), "queues.parent",
                       "queue '" + q.name + "': parent '" + q.parent + "' is not a queue of the tree");
    parents.insert(q.parent);
    // Walk up: a cycle returns to a queue already seen.
    std::set<std::string> seen{q.name};
    for (std::string up = q.parent; !up.empty(); up = queues[index.at(up)].parent)
      if (!seen.insert(up).second)
        throw InputError(source, static_cast<std::int64_t>(i + 1), "queues.parent",
                         "queue '" + q.name + "': its parents form a cycle through '" + up + "'");
  }
  for (std::size_t i = 0; i < queues.size(); ++i)
    if (parents.count(queues[i].name) && queues[i].quota_gpus != 0)
      throw InputError(source, static_cast<std::int64_t>(i + 1), "queues.quota_gpus",
                       "queue '" + queues[i].name + "' has child queues: its quota is theirs summed, not stated");
  if (usage_half_life < 0) throw InputError(source, 0, "usage_half_life_s", "must be >= 0");
  if (!default_queue.empty()) {
    if (!index.count(default_queue))
      throw InputError(source, 0, "default_queue", "'" + default_queue + "' is not a queue of the tree");
    if (parents.count(default_queue))
      throw InputError(source, 0, "default_queue", "'" + default_queue + "' has child queues; jobs go to leaf queues");
  }
  if (queues.empty() && !default_queue.empty()) throw InputError(source, 0, "queues", "a queue tree needs queues");
}

}  // namespace colosim

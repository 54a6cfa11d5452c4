#include "colosim/traces/queue_tree_io.h"

#include <cmath>

#include "colosim/errors.h"
#include "colosim/traces/proto_file.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {

QueueTree queue_tree_from_proto(const v1::QueueTree& proto, const std::string& source) {
  if (proto.schema_version() != 0 && proto.schema_version() != kSchemaVersion)
    throw InputError(source, 0, "schema_version",
                     "schema version " + std::to_string(proto.schema_version()) + " is not supported (this build reads " +
                         std::to_string(kSchemaVersion) + ")");
  QueueTree tree;
  for (const v1::Queue& q : proto.queues()) {
    QueueSpec spec;
    spec.name = q.name();
    spec.parent = q.parent();
    spec.quota_gpus = q.quota_gpus();
    if (q.has_limit_gpus()) spec.limit_gpus = q.limit_gpus();
    spec.weight = q.weight() == 0.0 ? 1.0 : q.weight();
    spec.priority = q.priority();
    spec.borrow = !q.has_borrow() || q.borrow();
    spec.lend = !q.has_lend() || q.lend();
    tree.queues.push_back(std::move(spec));
  }
  const double half_life = proto.usage_half_life_s();
  if (!(half_life >= 0 && half_life <= 9.0e12))
    throw InputError(source, 0, "usage_half_life_s", "must be a number of seconds from 0 to 9e12");
  tree.usage_half_life = seconds_to_ticks(half_life);
  tree.default_queue = proto.default_queue();
  if (tree.queues.empty()) throw InputError(source, 0, "queues", "the queue tree has no queues");
  tree.validate(source);
  return tree;
}

v1::QueueTree queue_tree_to_proto(const QueueTree& tree) {
  v1::QueueTree proto;
  proto.set_schema_version(kSchemaVersion);
  for (const QueueSpec& spec : tree.queues) {
    v1::Queue* q = proto.add_queues();
    q->set_name(spec.name);
    q->set_parent(spec.parent);
    q->set_quota_gpus(spec.quota_gpus);
    if (spec.limit_gpus) q->set_limit_gpus(*spec.limit_gpus);
    q->set_weight(spec.weight);
    q->set_priority(spec.priority);
    q->set_borrow(spec.borrow);
    q->set_lend(spec.lend);
  }
  proto.set_usage_half_life_s(ticks_to_seconds(tree.usage_half_life));
  proto.set_default_queue(tree.default_queue);
  return proto;
}

QueueTree read_queue_tree(const std::string& path) {
  v1::QueueTree proto;
  read_message(path, proto);
  return queue_tree_from_proto(proto, path);
}

void load_queue_tree_option(RunOptions& options) {
  if (!options.queues_file.empty()) options.sim.queues = read_queue_tree(options.queues_file);
}

}  // namespace colosim::traces

#pragma once
// The queue tree file (colosim.proto's QueueTree): .textproto, .json or .pb.
#include <string>

#include "colosim/queue_tree.h"
#include "colosim/run_options.h"
#include "colosim.pb.h"

namespace colosim::traces {

// Throws InputError naming the file, the queue (its 1-based position) and the field.
QueueTree queue_tree_from_proto(const v1::QueueTree& proto, const std::string& source);
v1::QueueTree queue_tree_to_proto(const QueueTree& tree);
QueueTree read_queue_tree(const std::string& path);
// Reads the file the run option `queues` names into options.sim.queues (nothing when unset).
void load_queue_tree_option(RunOptions& options);

}  // namespace colosim::traces

#pragma once
#include "colosim/registry.h"

namespace colosim {

// One registration function per policy file (policies/<name>.cc).
void register_exclusive(PolicyRegistry& registry);
void register_random(PolicyRegistry& registry);
void register_binpack(PolicyRegistry& registry);
void register_standalone(PolicyRegistry& registry);
void register_load_balance(PolicyRegistry& registry);
void register_interference_aware(PolicyRegistry& registry);
void register_first_fit(PolicyRegistry& registry);
void register_tiresias(PolicyRegistry& registry);
void register_priority_preemption(PolicyRegistry& registry);
void register_gavel(PolicyRegistry& registry);
void register_gandiva(PolicyRegistry& registry);
void register_fgd(PolicyRegistry& registry);
void register_best_fit(PolicyRegistry& registry);
void register_dot_product(PolicyRegistry& registry);
void register_gpu_packing(PolicyRegistry& registry);
void register_gpu_clustering(PolicyRegistry& registry);

// Registers every built-in policy.
void register_builtin_policies(PolicyRegistry& registry);
// A registry holding the built-in policies.
PolicyRegistry builtin_policies();

}  // namespace colosim

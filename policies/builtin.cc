#include "colosim/policies/builtin.h"

namespace colosim {

// Adding a policy: write policies/<name>.cc with register_<name>() and add one line here.
void register_builtin_policies(PolicyRegistry& registry) {
  register_exclusive(registry);
  register_random(registry);
  register_binpack(registry);
  register_standalone(registry);
  register_load_balance(registry);
  register_interference_aware(registry);
  register_first_fit(registry);
  register_tiresias(registry);
  register_priority_preemption(registry);
  register_gavel(registry);
  register_gandiva(registry);
  register_fgd(registry);
  register_best_fit(registry);
  register_dot_product(registry);
  register_gpu_packing(registry);
  register_gpu_clustering(registry);
}

PolicyRegistry builtin_policies() {
  PolicyRegistry registry;
  register_builtin_policies(registry);
  return registry;
}

}  // namespace colosim

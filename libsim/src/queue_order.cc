#include "colosim/queue_order.h"

#include "colosim/errors.h"

namespace colosim {

// Adding a queue order: write libsim/queue_orders/<name>.cc with register_<name>_order() and add
// one line here.
QueueOrderRegistry builtin_queue_orders() {
  QueueOrderRegistry registry;
  register_fifo_order(registry);
  register_priority_order(registry);
  register_sjf_order(registry);
  register_srtf_order(registry);
  register_las_order(registry);
  register_two_dimensional_las_order(registry);
  register_gittins_order(registry);
  return registry;
}

QueueOrderChoice QueueOrderChoice::parse(const std::string& text) {
  const QueueOrderRegistry registry = builtin_queue_orders();
  const auto [entry, params] = registry.resolve(Spec::parse(text, registry.kind()));
  QueueOrderChoice choice;
  // Canonical: parameters left at their defaults are not shown, so equal choices print alike.
  Spec canonical{entry->name, {}};
  for (const ParamSpec& p : entry->params)
    if (params.text(p.name) != p.default_value) canonical.params[p.name] = params.text(p.name);
  choice.spec = canonical.to_string();
  if (entry->name != "fifo") choice.order = entry->make(params);
  return choice;
}

bool measures_gpu_time(const Params& params) {
  const std::string& by = params.text("by");
  if (by != "gpu-time" && by != "duration")
    throw Error(params.owner() + ": parameter 'by' must be gpu-time or duration, got '" + by + "'");
  return by == "gpu-time";
}

}  // namespace colosim

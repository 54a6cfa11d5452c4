// colosim predict --model model.pb --victim A --with B [C ...]: the slowdown the calibrated model
// predicts for A beside B (and C...), with where each pair value comes from.
#include <fmt/format.h>

#include "colosim/calibrated_model.h"
#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/calibrated_model_io.h"
#include "commands.h"

namespace colosim::cli {
namespace {

struct PredictArgs {
  std::string model, victim, gpu_type;
  std::vector<std::string> with, victim_features;
  std::int64_t gpu_memory_mib = 0;
};

std::map<std::string, double> parse_features(const std::vector<std::string>& items) {
  std::map<std::string, double> out;
  for (const auto& item : items) {
    auto eq = item.find('=');
    const auto v = eq == std::string::npos ? std::nullopt : parse_number(std::string_view(item).substr(eq + 1));
    if (!v) throw Error("predict: --victim-feature expects NAME=NUMBER (a finite number), got '" + item + "'");
    out[item.substr(0, eq)] = *v;
  }
  return out;
}

void predict_command(const PredictArgs& a) {
  const CalibratedModel model(traces::load_calibrated_model(a.model));
  const auto& p = model.params();
  const std::string gpu_name = a.gpu_type.empty() ? p.gpu_types.front() : a.gpu_type;
  const GpuType gpu{gpu_name, a.gpu_memory_mib, 1.0};
  const AppQuery victim{a.victim, parse_features(a.victim_features), 0};
  if (!model.app_index(a.victim) && victim.features.empty())
    throw Error("predict: '" + a.victim + "' is not in the model; give its features with --victim-feature NAME=VALUE");
  std::vector<AppQuery> with;
  for (const auto& w : a.with) {
    if (!model.app_index(w)) throw Error("predict: '" + w + "' is not in the model");
    with.push_back({w, {}, 0});
  }
  fmt::print("model: {}\n", model.describe());
  fmt::print("GPU type: {}{}\n", gpu_name.empty() ? "(not recorded)" : gpu_name,
             model.gpu_index(gpu_name) ? "" : " (not in the data: mean over its types)");
  for (const auto& w : with) {
    auto pp = model.predict_pair(victim, w, gpu_name);
    fmt::print("  {} beside {}: {:.4f} ({})\n", a.victim, w.name, pp.slowdown, to_string(pp.source));
  }
  const auto all = model.predict(victim, with, gpu);
  if (all.source == PredictionSource::infeasible) {
    fmt::print("slowdown of {}: infeasible (measured infeasible or out of memory)\n", a.victim);
    return;
  }
  fmt::print("slowdown of {}: {:.4f}\n", a.victim, all.slowdown);
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto a = std::make_shared<PredictArgs>();
  auto* cmd = app.add_subcommand("predict", "Predicted slowdown of an application beside others (calibrated model)");
  cmd->add_option("--model", a->model, "model file written by colosim calibrate")->required();
  cmd->add_option("--victim", a->victim, "application whose slowdown is predicted")->required();
  cmd->add_option("--with", a->with, "co-running applications (one or more)")->required();
  cmd->add_option("--victim-feature", a->victim_features, "NAME=VALUE solo feature of a victim not in the model");
  cmd->add_option("--gpu-type", a->gpu_type, "GPU type (default: the model's first)");
  cmd->add_option("--gpu-memory-mib", a->gpu_memory_mib, "GPU memory for the out-of-memory check (0: no check)");
  cmd->callback([a] { predict_command(*a); });
}

}  // namespace colosim::cli

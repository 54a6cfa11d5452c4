// colosim predict --model model.pb --victim A --with B [C ...]: the slowdown the calibrated model
// predicts for A beside B (and C...), with where each value comes from, its interval and the
// pair's feasibility. --pairs FILE.csv answers many pairs at once, as CSV.
#include <fmt/format.h>

#include <iostream>

#include "colosim/calibrated_model.h"
#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/atomic_file.h"
#include "colosim/traces/calibrated_model_io.h"
#include "colosim/traces/csv.h"
#include "commands.h"

namespace colosim::cli {
namespace {

struct PredictArgs {
  std::string model, victim, gpu_type, pairs, out;
  std::vector<std::string> with, victim_features;
  std::int64_t gpu_memory_mib = 0;
  double level = 0.9;
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

// Full precision: the shortest text that reads back as the same double.
std::string exact(double x) { return fmt::format("{}", x); }

// Where a value comes from; a measurement below the floor is shown as it was, and the floor apart.
std::string source_text(const PairPrediction& p, const CalibratedModel& model) {
  if (p.source != PredictionSource::measured || p.measured == p.slowdown) return to_string(p.source);
  return fmt::format("measured {}, counted as {}: slowdowns are floored at min_slowdown {}, as co-location never "
                     "speeds a job up", exact(p.measured), exact(p.slowdown), exact(model.params().min_slowdown));
}

std::string feasibility_text(const FeasibilityPrediction& f, const CalibratedModel& model) {
  std::string text = f.feasible ? "feasible" : "infeasible";
  if (f.out_of_memory) text += ", out of memory";
  text += fmt::format(" ({})", to_string(f.source));
  if (f.source == FeasibilitySource::predicted)
    text += fmt::format(": P(infeasible) {}, threshold {}", exact(f.probability), exact(model.params().feasibility.threshold));
  return text;
}

// The columns of --pairs output, in order.
constexpr const char* kPairColumns =
    "victim,aggressor,gpu_type,slowdown,source,measured,interval_low,interval_high,feasible,feasibility_source,"
    "p_infeasible";

void predict_pairs(const CalibratedModel& model, const PredictArgs& a) {
  traces::CsvReader in(a.pairs);
  const int cv = in.column("victim"), ca = in.column("aggressor");
  const auto cg = in.find_column("gpu_type");
  const auto cm = in.find_column("gpu_memory_mib");
  for (const auto& name : in.header())
    if (name != "victim" && name != "aggressor" && name != "gpu_type" && name != "gpu_memory_mib")
      throw InputError(a.pairs, 1, name, "unknown column (victim, aggressor, gpu_type, gpu_memory_mib)");
  std::unique_ptr<traces::AtomicFile> file;
  if (!a.out.empty() && a.out != "-") file = std::make_unique<traces::AtomicFile>(a.out);
  std::ostream& os = file ? file->stream() : std::cout;
  os << kPairColumns << "\n";
  const std::string default_gpu = a.gpu_type.empty() ? model.params().gpu_types.front() : a.gpu_type;
  while (in.next()) {
    const std::string& victim = in.text(cv);
    const std::string& aggressor = in.text(ca);
    for (int c : {cv, ca}) {
      if (in.text(c).empty()) in.fail(c, "empty application name");
      // The same rule as --victim/--with: an application the model does not know has no
      // features in this file, so there is nothing to predict it from.
      if (!model.app_index(in.text(c))) in.fail(c, "'" + in.text(c) + "' is not in the model");
    }
    const std::string gpu = cg && !in.text(*cg).empty() ? in.text(*cg) : default_gpu;
    std::int64_t memory = a.gpu_memory_mib;
    if (cm && !in.text(*cm).empty()) {
      memory = in.integer(*cm);
      if (memory < 0) in.fail(*cm, "must be >= 0 (0: not checked)");
    }
    const AppQuery v{victim, {}, 0}, w{aggressor, {}, 0};
    const auto p = model.predict_pair(v, w, gpu);
    const auto band = model.interval(v, w, gpu, a.level);
    const auto f = model.feasibility(v, w, GpuType{gpu, memory, 1.0});
    os << traces::csv_quote(victim) << ',' << traces::csv_quote(aggressor) << ',' << traces::csv_quote(gpu) << ','
       << exact(p.slowdown) << ',' << to_string(p.source) << ',' << (std::isnan(p.measured) ? "" : exact(p.measured))
       << ',' << exact(band.low) << ',' << exact(band.high) << ',' << (f.feasible ? "true" : "false") << ','
       << to_string(f.source) << ',' << (std::isnan(f.probability) ? "" : exact(f.probability)) << '\n';
  }
  if (file) {
    file->flush();
    file->commit();
  }
}

void predict_command(const PredictArgs& a) {
  if (!(a.level > 0 && a.level < 1)) throw Error("predict: --level must be in (0, 1)");
  const CalibratedModel model(traces::load_calibrated_model(a.model));
  if (!a.pairs.empty()) {
    if (!a.victim.empty() || !a.with.empty()) throw Error("predict: give --pairs FILE or --victim/--with, not both");
    predict_pairs(model, a);
    return;
  }
  if (a.victim.empty() || a.with.empty()) throw Error("predict: give --victim and --with, or --pairs FILE");
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
  std::vector<double> lows, highs;
  for (const auto& w : with) {
    const auto pp = model.predict_pair(victim, w, gpu_name);
    const auto band = model.interval(victim, w, gpu_name, a.level);
    lows.push_back(band.low);
    highs.push_back(band.high);
    fmt::print("  {} beside {}: {} ({}); {:g}% interval [{}, {}]{}; {}\n", a.victim, w.name, exact(pp.slowdown),
               source_text(pp, model), 100 * a.level, exact(band.low), exact(band.high),
               band.residuals                              ? fmt::format(" from {} held-out residuals", band.residuals)
               : pp.source == PredictionSource::measured ? " (a measurement: no repeat tells its noise)"
                                                         : " (no held-out residuals: the point)",
               feasibility_text(model.feasibility(victim, w, gpu), model));
  }
  const auto all = model.predict(victim, with, gpu);
  if (all.source == PredictionSource::infeasible) {
    fmt::print("slowdown of {}: infeasible (measured or predicted infeasible, or out of memory)\n", a.victim);
    return;
  }
  // Composition is monotone in each pair, so composing the bounds bounds the composition when
  // the pairs' errors go the same way.
  fmt::print("slowdown of {}: {}; interval [{}, {}]\n", a.victim, exact(all.slowdown),
             exact(compose_excess(lows, p.composition_exponent)), exact(compose_excess(highs, p.composition_exponent)));
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto a = std::make_shared<PredictArgs>();
  auto* cmd = app.add_subcommand("predict", "Predicted slowdown of an application beside others (calibrated model)");
  cmd->add_option("--model", a->model, "model file written by colosim calibrate")->required();
  cmd->add_option("--victim", a->victim, "application whose slowdown is predicted");
  cmd->add_option("--with", a->with, "co-running applications (one or more)");
  cmd->add_option("--pairs", a->pairs,
                  "CSV of pairs to predict (columns victim, aggressor[, gpu_type][, gpu_memory_mib]); prints CSV: "
                  + std::string(kPairColumns));
  cmd->add_option("--out", a->out, "with --pairs: CSV file to write (default: standard output)");
  cmd->add_option("--victim-feature", a->victim_features, "NAME=VALUE solo feature of a victim not in the model");
  cmd->add_option("--gpu-type", a->gpu_type, "GPU type (default: the model's first)");
  cmd->add_option("--gpu-memory-mib", a->gpu_memory_mib, "GPU memory for the out-of-memory check (0: no check)");
  cmd->add_option("--level", a->level, "coverage of the prediction interval (default 0.9)");
  cmd->callback([a] { predict_command(*a); });
}

}  // namespace colosim::cli

// colosim calibrate --data FILE... --out model.pb [--report]: fits the calibrated interference
// model (docs/interference.md) to measured pairs and, with --report, prints its held-out
// accuracy next to four baselines.
#include <fmt/format.h>

#include <limits>

#include "colosim/accuracy.h"
#include "colosim/calibration.h"
#include "colosim/errors.h"
#include "colosim/traces/calibrated_model_io.h"
#include "colosim/traces/interference_import.h"
#include "commands.h"
#include "shared_flags.h"

namespace colosim::cli {
namespace {

struct CalibrateArgs {
  std::vector<std::string> data;
  std::string out;
  bool report = false;
  bool no_loao = false;
  bool no_single = false;
  bool smooth = false;
  bool quiet = false;
  int folds = 5;
  std::vector<std::uint64_t> seeds{1};
  std::vector<int> ranks;
  std::string gpu_type;
  std::string loss = "cv";
  double context_overhead_mib = 300;
  double composition_exponent = 1.0;
  double infeasible_threshold = CalibrationOptions{}.infeasible_threshold;
};

void calibrate_command(const CalibrateArgs& a) {
  if (a.out.empty() && !a.report) throw Error("calibrate: give --out FILE, --report, or both");
  auto data = traces::import_interference_data(a.data);
  if (!a.gpu_type.empty()) {
    std::erase_if(data.pairs, [&](const PairMeasurement& m) { return m.gpu_type != a.gpu_type; });
    if (data.pairs.empty()) throw InputError(data.source, 0, "gpu_type", "no pair measured on GPU type '" + a.gpu_type + "'");
    data.source += " [" + a.gpu_type + "]";
  }
  CalibrationOptions opt;
  if (!a.ranks.empty()) opt.ranks = a.ranks;
  opt.losses = a.loss == "huber" ? std::vector<bool>{true} : a.loss == "cv" ? std::vector<bool>{false, true}
                                                                           : std::vector<bool>{false};
  opt.use_measured = !a.smooth;
  opt.context_overhead_mib = a.context_overhead_mib;
  opt.composition_exponent = a.composition_exponent;
  opt.infeasible_threshold = a.infeasible_threshold;
  const Chatter chatter(a.quiet);
  chatter("data: {}: {} applications, {} pairs on {} GPU type(s)\n", data.source, data.app_names().size(),
             data.pairs.size(), data.gpu_types().size());
  if (!a.out.empty()) {
    const auto params = calibrate(data, opt);
    traces::save_calibrated_model(params, a.out);
    fmt::print("model: {}\n", CalibratedModel(params).describe());
    fmt::print("chosen by {}-fold CV: rank {}, factor lambda {}, shared factor lambda {}, loss {}; CV MAPE {:.2f}%\n",
               opt.inner_folds, params.hyper.rank, params.hyper.factor_lambda, params.hyper.shared_factor_lambda,
               params.hyper.robust ? "huber" : "squared", 100 * params.cv_mape);
    if (params.feasibility.fitted)
      fmt::print("feasibility of unmeasured pairs: classifier fitted on {} measured infeasible pairs; infeasible from "
                 "P(infeasible) >= {}\n", params.infeasible.size(), params.feasibility.threshold);
    else
      fmt::print("feasibility of unmeasured pairs: no pair measured infeasible; memory alone decides\n");
    chatter("wrote {}\n", a.out);
  }
  if (a.report) {
    AccuracyOptions ro;
    ro.folds = a.folds;
    ro.seeds = a.seeds;
    ro.leave_one_app_out = !a.no_loao;
    ro.single_type_models = !a.no_single;
    ro.calibration = opt;
    fmt::print("\n{}", format_report(evaluate_accuracy(data, ro)));
  }
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto a = std::make_shared<CalibrateArgs>();
  auto* cmd = app.add_subcommand("calibrate", "Fit the interference model to measured pairs; --report: its held-out accuracy");
  cmd->add_option("--data", a->data,
                  "measured pairs: Gavel *_throughputs.json, Lucid colocate_info.csv (single_data.csv beside it is "
                  "read too), or victim,aggressor,slowdown[,gpu_type] CSV; app,<feature>... CSVs add solo features")
      ->required();
  cmd->add_option("--out", a->out, "model file to write (.pb)");
  cmd->add_flag("--report", a->report, "k-fold over pairs and leave-one-application-out accuracy vs baselines");
  cmd->add_option("--folds", a->folds, "folds of the report (default 5)")->check(CLI::Range(2, 100));
  cmd->add_option("--seeds", a->seeds, "fold seeds of the report (default 1)");
  cmd->add_flag("--no-loao", a->no_loao, "skip leave-one-application-out in the report");
  cmd->add_flag("--no-single-type", a->no_single, "skip the per-GPU-type-only models in the report");
  cmd->add_option("--ranks", a->ranks, "interaction ranks tried by cross-validation (default 0 1 2 3 4 6)");
  cmd->add_option("--gpu-type", a->gpu_type, "use only pairs measured on this GPU type");
  cmd->add_option("--loss", a->loss, "squared, huber (robust to a few far-off pairs) or cv (default: the one cross-validation prefers)")
      ->check(CLI::IsMember({"squared", "huber", "cv"}));
  cmd->add_flag("--smooth", a->smooth, "serve fitted values for measured pairs instead of the measurements");
  cmd->add_option("--context-overhead-mib", a->context_overhead_mib,
                  "GPU memory each co-located process adds for its context (default 300)");
  cmd->add_option("--composition-exponent", a->composition_exponent,
                  "p in s = 1 + (sum excess^p)^(1/p) for 3+ jobs (default 1: excesses add)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--infeasible-threshold", a->infeasible_threshold,
                  "an unmeasured pair is infeasible when its predicted P(infeasible) is at least this (default 0.02: "
                  "conservative, see docs/interference.md)")
      ->check(CLI::Range(0.0, 1.0));
  add_quiet_flag(cmd, a->quiet);
  cmd->callback([a] { calibrate_command(*a); });
}

}  // namespace colosim::cli

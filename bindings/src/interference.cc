// Interference models (none, measured pair table, calibrated) and measured interference data
// with its calibration.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>

#include "colosim/calibrated_model.h"
#include "colosim/calibration.h"
#include "colosim/errors.h"
#include "colosim/interference_data.h"
#include "colosim/pair_table.h"
#include "colosim/traces/calibrated_model_io.h"
#include "colosim/traces/interference_import.h"
#include "colosim/traces/inputs.h"
#include "colosim/traces/interference_io.h"

#include "bindings.h"

namespace colosim::py_bindings {
namespace {

using OptionValues = std::map<std::string, std::string>;

const CalibratedModel& calibrated(const Interference& i) {
  const auto* c = dynamic_cast<const CalibratedModel*>(i.model.get());
  if (!c) throw Error("this interference model is " + i.kind + ", not a calibrated model");
  return *c;
}

JobSpec job_of(const std::string& app) {
  JobSpec j;
  j.id = app;
  j.app = app;
  return j;
}

std::string kind_of(const InterferenceModel& m) {
  if (dynamic_cast<const CalibratedModel*>(&m)) return "calibrated";
  if (dynamic_cast<const PairTable*>(&m)) return "pair table";
  if (dynamic_cast<const NoInterference*>(&m)) return "none";
  return "other";
}

GpuType gpu_of(const std::string& gpu_type) { return GpuType{gpu_type, 0, 1.0}; }

py::dict pairs_columns(const InterferenceData& d) {
  py::list gpu, a, b, sa, sb, feasible, source;
  for (const auto& p : d.pairs) {
    gpu.append(p.gpu_type);
    a.append(p.app_a);
    b.append(p.app_b);
    sa.append(p.slowdown_a);
    sb.append(p.slowdown_b);
    feasible.append(p.feasible);
    source.append(p.source);
  }
  py::dict out;
  out["gpu_type"] = gpu;
  out["app_a"] = a;
  out["app_b"] = b;
  out["slowdown_a"] = py::array_t<double>(py::array::ensure(sa, py::array::forcecast));
  out["slowdown_b"] = py::array_t<double>(py::array::ensure(sb, py::array::forcecast));
  out["feasible"] = feasible;
  out["source"] = source;
  return out;
}

}  // namespace

void bind_interference(py::module_& m) {
  py::class_<Interference>(m, "Interference",
                           "An interference model: how much a job slows down beside others on its GPU. Immutable; "
                           "one model may serve several runs at once.")
      .def_static("none", [] { return Interference{std::make_shared<NoInterference>(), "none"}; },
                  "No interference: every slowdown is 1.0.")
      .def_static(
          "load",
          [](const std::string& source, const OptionValues& options) {
            const PairTableOptions pairs = run_options_from(options).pairs;
            py::gil_scoped_release release;
            auto model = traces::resolve_interference(source, pairs);
            return Interference{model, kind_of(*model)};
          },
          py::arg("source"), py::arg("options") = OptionValues{},
          "As `colosim run --interference`: 'none', 'seed-paper', a pair table .csv "
          "(victim,aggressor,slowdown[,feasible]) or a calibrated model .pb. `options`: run options by key "
          "(colosim.run_options()); a pair table uses `composition` and `unknown_pair_slowdown`.")
      .def_static(
          "from_pairs",
          [](const std::vector<std::tuple<std::string, std::string, double>>& pairs,
             const std::vector<std::pair<std::string, std::string>>& infeasible, const OptionValues& options) {
            PairTable table(run_options_from(options).pairs, "Python pairs");
            std::size_t row = 0;
            for (const auto& [victim, aggressor, s] : pairs) {
              ++row;
              if (victim.empty() || aggressor.empty())
                throw InputError("pairs", static_cast<std::int64_t>(row), "victim", "empty application name");
              if (!(std::isfinite(s) && s > 0))
                throw InputError("pairs", static_cast<std::int64_t>(row), "slowdown", "must be a positive number");
              if (table.measured(victim, aggressor))
                throw InputError("pairs", static_cast<std::int64_t>(row), "victim",
                                 "pair (" + victim + " | " + aggressor + ") given twice");
              table.set(victim, aggressor, s);
            }
            for (const auto& [a, b] : infeasible) table.set_infeasible(a, b);
            return Interference{std::make_shared<PairTable>(std::move(table)), "pair table"};
          },
          py::arg("pairs"), py::arg("infeasible") = std::vector<std::pair<std::string, std::string>>{},
          py::arg("options") = OptionValues{},
          "A measured pair table from (victim, aggressor, slowdown) triples; `infeasible`: (a, b) pairs that "
          "cannot share a GPU; `options`: run options by key (`composition`, `unknown_pair_slowdown`).")
      .def_property_readonly("kind", [](const Interference& i) { return i.kind; },
                             "'none', 'pair table' or 'calibrated'")
      .def("describe", [](const Interference& i) { return i.model->describe(); })
      .def(
          "slowdown",
          [](const Interference& i, const std::string& victim, const std::vector<std::string>& corunners,
             const std::string& gpu_type) {
            std::vector<JobSpec> jobs;
            for (const auto& c : corunners) jobs.push_back(job_of(c));
            std::vector<const JobSpec*> ptrs;
            for (const auto& j : jobs) ptrs.push_back(&j);
            return i.model->slowdown(job_of(victim), ptrs, gpu_of(gpu_type));
          },
          py::arg("victim"), py::arg("corunners"), py::arg("gpu_type") = "",
          "Slowdown of application `victim` beside the `corunners` (application names) on a GPU of type "
          "`gpu_type`, as the simulator computes it. Raises SimulationError when the model cannot answer.")
      .def(
          "feasible",
          [](const Interference& i, const std::string& a, const std::string& b, const std::string& gpu_type) {
            return i.model->feasible(job_of(a), job_of(b), gpu_of(gpu_type));
          },
          py::arg("a"), py::arg("b"), py::arg("gpu_type") = "",
          "False when the model knows the two applications cannot share a GPU of this type.")
      .def(
          "matrix",
          [](const Interference& i, const std::vector<std::string>& apps, const std::string& gpu_type) {
            const auto n = static_cast<py::ssize_t>(apps.size());
            py::array_t<double> out({n, n});
            auto w = out.mutable_unchecked<2>();
            for (py::ssize_t v = 0; v < n; ++v)
              for (py::ssize_t a = 0; a < n; ++a) {
                const JobSpec victim = job_of(apps[static_cast<std::size_t>(v)]);
                const JobSpec aggressor = job_of(apps[static_cast<std::size_t>(a)]);
                const JobSpec* co[] = {&aggressor};
                try {
                  w(v, a) = i.model->feasible(victim, aggressor, gpu_of(gpu_type))
                                ? i.model->slowdown(victim, co, gpu_of(gpu_type))
                                : std::nan("");
                } catch (const SimulationError&) {
                  w(v, a) = std::nan("");
                }
              }
            return out;
          },
          py::arg("apps"), py::arg("gpu_type") = "",
          "Pair slowdowns as a square array [victim, aggressor] over `apps`; NaN where the model cannot answer "
          "or the pair is infeasible.")
      // --- calibrated models ---
      .def(
          "predict_pair",
          [](const Interference& i, const std::string& victim, const std::string& aggressor, const std::string& gpu_type) {
            const auto p = calibrated(i).predict_pair(AppQuery{victim, {}, 0}, AppQuery{aggressor, {}, 0}, gpu_type);
            return py::make_tuple(p.slowdown, to_string(p.source));
          },
          py::arg("victim"), py::arg("aggressor"), py::arg("gpu_type") = "",
          "Calibrated models: (slowdown, source) with source 'measured', 'fitted', 'features_only' or 'infeasible'.")
      .def(
          "fitted_pair",
          [](const Interference& i, const std::string& victim, const std::string& aggressor, const std::string& gpu_type) {
            const auto& c = calibrated(i);
            const double s = std::exp(c.log_fit(AppQuery{victim, {}, 0}, AppQuery{aggressor, {}, 0}, c.gpu_index(gpu_type)));
            return std::max(s, c.params().min_slowdown);
          },
          py::arg("victim"), py::arg("aggressor"), py::arg("gpu_type") = "",
          "Calibrated models: the fit's slowdown even where a measurement exists (for measured-vs-predicted plots).")
      .def(
          "interval",
          [](const Interference& i, const std::string& victim, const std::string& aggressor, const std::string& gpu_type,
             double level) {
            const auto band = calibrated(i).interval(AppQuery{victim, {}, 0}, AppQuery{aggressor, {}, 0}, gpu_type, level);
            return py::make_tuple(band.low, band.high);
          },
          py::arg("victim"), py::arg("aggressor"), py::arg("gpu_type") = "", py::arg("level") = 0.9,
          "Calibrated models: the central `level` prediction interval (low, high) of predict_pair(), from held-out "
          "residuals; a measured pair's is the measurement itself (zero width).")
      .def(
          "measured_pair",
          [](const Interference& i, const std::string& victim, const std::string& aggressor,
             const std::string& gpu_type) -> std::optional<double> {
            const auto p = calibrated(i).predict_pair(AppQuery{victim, {}, 0}, AppQuery{aggressor, {}, 0}, gpu_type);
            if (p.source != PredictionSource::measured) return std::nullopt;
            return p.measured;
          },
          py::arg("victim"), py::arg("aggressor"), py::arg("gpu_type") = "",
          "Calibrated models: the measurement of the pair as it was (a slowdown below 1 included), None when "
          "unmeasured; predict_pair() gives it floored at min_slowdown.")
      .def(
          "feasibility",
          [](const Interference& i, const std::string& a, const std::string& b, const std::string& gpu_type,
             std::int64_t gpu_memory_mib) {
            const auto f = calibrated(i).feasibility(AppQuery{a, {}, 0}, AppQuery{b, {}, 0},
                                                     GpuType{gpu_type, gpu_memory_mib, 1.0});
            return py::dict(py::arg("feasible") = f.feasible, py::arg("source") = to_string(f.source),
                            py::arg("probability") = f.probability, py::arg("out_of_memory") = f.out_of_memory);
          },
          py::arg("a"), py::arg("b"), py::arg("gpu_type") = "", py::arg("gpu_memory_mib") = 0,
          "Calibrated models: whether a and b can share a GPU, as a dict: feasible, source ('measured', 'predicted' "
          "or 'not modelled'), probability (P(infeasible) of the classifier; NaN unless predicted) and out_of_memory "
          "(the memory rule alone rules them out; gpu_memory_mib 0: not checked).")
      .def_property_readonly("apps", [](const Interference& i) { return calibrated(i).params().apps; },
                             "Calibrated models: the applications it was fitted on.")
      .def_property_readonly("gpu_types", [](const Interference& i) { return calibrated(i).params().gpu_types; },
                             "Calibrated models: the GPU types of its data.")
      .def_property_readonly(
          "hyper",
          [](const Interference& i) {
            const auto& p = calibrated(i).params();
            return py::dict(py::arg("rank") = p.hyper.rank, py::arg("factor_lambda") = p.hyper.factor_lambda,
                            py::arg("shared_factor_lambda") = p.hyper.shared_factor_lambda,
                            py::arg("bias_lambda") = p.hyper.bias_lambda,
                            py::arg("gpu_bias_lambda") = p.hyper.gpu_bias_lambda,
                            py::arg("feature_lambda") = p.hyper.feature_lambda, py::arg("cv_mape") = p.cv_mape);
          },
          "Calibrated models: the chosen hyper-parameters and their cross-validated error (cv_mape).")
      .def(
          "save",
          [](const Interference& i, const std::string& path) { traces::save_calibrated_model(calibrated(i).params(), path); },
          py::arg("path"), "Calibrated models: writes the model file (.pb) that load() and the CLI read.")
      .def("__repr__", [](const Interference& i) { return "Interference(" + i.model->describe() + ")"; });

  py::class_<InterferenceData>(m, "InterferenceData",
                               "Measured interference data (Gavel, Lucid or a user's CSV): solo profiles and "
                               "measured pairs, what calibrate() fits.")
      .def_static(
          "load",
          [](const std::vector<std::string>& paths) {
            py::gil_scoped_release release;
            return traces::import_interference_data(paths);
          },
          py::arg("paths"),
          "Imports and merges files: *.json -> Gavel throughputs; a CSV with speed1 -> Lucid; a CSV whose header "
          "starts with app -> solo features; otherwise a pair CSV (victim, aggressor, slowdown[, gpu_type]).")
      .def_readonly("source", &InterferenceData::source)
      .def("app_names", &InterferenceData::app_names)
      .def("gpu_types", &InterferenceData::gpu_types)
      .def("feasible_pairs", &InterferenceData::feasible_pairs, py::arg("gpu_type"))
      .def("merge", [](InterferenceData& d, const InterferenceData& other) { d.merge(other); }, py::arg("other"))
      .def("validate", &InterferenceData::validate)
      .def("pairs_columns", &pairs_columns,
           "The measured pairs as columns gpu_type, app_a, app_b, slowdown_a (of a beside b), slowdown_b, feasible, "
           "source.")
      .def("__len__", [](const InterferenceData& d) { return d.pairs.size(); })
      .def("__repr__", [](const InterferenceData& d) {
        return "InterferenceData(" + py::repr(py::str(d.source)).cast<std::string>() + ", " +
               std::to_string(d.app_names().size()) + " apps, " + std::to_string(d.pairs.size()) + " pairs)";
      });

  m.def("gavel_app_speeds", &traces::gavel_app_speeds, py::arg("path"), py::arg("reference") = "v100",
        "Per-(job type, GPU type) speeds from Gavel's throughput file for Cluster.app_speeds: isolated throughput on "
        "each type over that on `reference`, per scale factor (gang size); GPU types keep Gavel's names (k80, p100, v100)");

  m.def(
      "calibrate",
      [](const InterferenceData& data, std::optional<std::vector<int>> ranks,
         std::optional<std::vector<double>> factor_lambdas, std::optional<std::vector<double>> shared_factor_lambdas,
         int inner_folds, std::uint64_t seed, int iterations, bool use_measured, double context_overhead_mib,
         double composition_exponent, double infeasible_threshold, const std::string& loss) {
        CalibrationOptions o;
        if (ranks) o.ranks = *ranks;
        if (factor_lambdas) o.factor_lambdas = *factor_lambdas;
        if (shared_factor_lambdas) o.shared_factor_lambdas = *shared_factor_lambdas;
        o.inner_folds = inner_folds;
        o.seed = seed;
        o.iterations = iterations;
        o.use_measured = use_measured;
        o.context_overhead_mib = context_overhead_mib;
        o.composition_exponent = composition_exponent;
        o.infeasible_threshold = infeasible_threshold;
        if (loss == "squared") o.losses = {false};
        else if (loss == "huber") o.losses = {true};
        else if (loss != "cv") throw Error("calibrate: loss must be 'squared', 'huber' or 'cv', got '" + loss + "'");
        py::gil_scoped_release release;
        return Interference{std::make_shared<CalibratedModel>(colosim::calibrate(data, o)), "calibrated"};
      },
      py::arg("data"), py::arg("ranks") = py::none(), py::arg("factor_lambdas") = py::none(),
      py::arg("shared_factor_lambdas") = py::none(), py::arg("inner_folds") = 4, py::arg("seed") = 1,
      py::arg("iterations") = 40, py::arg("use_measured") = true, py::arg("context_overhead_mib") = 300.0,
      py::arg("composition_exponent") = 1.0, py::arg("infeasible_threshold") = CalibrationOptions{}.infeasible_threshold,
      py::arg("loss") = "cv",
      "Fits a calibrated interference model to measured data (docs/interference.md): hyper-parameters by "
      "cross-validation over the grid ranks x factor_lambdas (x shared_factor_lambdas with several GPU types) x "
      "loss ('cv': squared and huber; or one of them), then the fit on all the data; with pairs measured infeasible, a feasibility classifier for unmeasured "
      "pairs (infeasible when P(infeasible) >= infeasible_threshold). Deterministic for a given seed. Releases "
      "the GIL.");
}

}  // namespace colosim::py_bindings

// Traces: from any file the CLI reads, from columns (a DataFrame or a list of dicts, through
// the facade), from an importer of public traces, or from the seeded generator; and back to
// columns or a file.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <set>

#include "colosim/errors.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/generator.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/job_checks.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"

#include "bindings.h"

namespace colosim::py_bindings {
namespace {

constexpr const char* kFeaturePrefix = "feature.";

// One column of a table given as a dict of sequences, checked and converted row by row.
class Columns {
 public:
  Columns(std::string name, const py::dict& columns) : name_(std::move(name)) {
    for (auto [key, value] : columns) {
      if (!py::isinstance<py::str>(key)) throw InputError(name_, 0, "", "column names must be strings");
      const std::string k = key.cast<std::string>();
      columns_.emplace(k, py::reinterpret_borrow<py::object>(value));
    }
    rows_ = -1;
    for (const auto& [k, v] : columns_) {
      const auto n = static_cast<std::int64_t>(py::len(v));
      if (rows_ >= 0 && n != rows_)
        throw InputError(name_, 0, k, "has " + std::to_string(n) + " rows, other columns " + std::to_string(rows_));
      rows_ = n;
    }
    if (rows_ < 0) rows_ = 0;
  }

  std::int64_t rows() const { return rows_; }
  bool has(const std::string& k) const { return columns_.count(k) != 0; }
  const std::map<std::string, py::object>& all() const { return columns_; }

  py::array_t<double> numbers(const std::string& k) const {
    try {
      return py::array_t<double, py::array::c_style | py::array::forcecast>(columns_.at(k));
    } catch (const py::error_already_set&) {
      throw InputError(name_, 0, k, "is not a numeric column");
    }
  }

  std::vector<std::string> strings(const std::string& k, bool allow_missing) const {
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(rows_));
    std::int64_t row = 0;
    for (py::handle v : py::iter(columns_.at(k))) {
      ++row;
      if (py::isinstance<py::str>(v)) {
        out.push_back(v.cast<std::string>());
      } else if (py::isinstance<py::int_>(v) && !py::isinstance<py::bool_>(v)) {
        out.push_back(py::str(v).cast<std::string>());
      } else if (allow_missing && (v.is_none() || (py::isinstance<py::float_>(v) && std::isnan(v.cast<double>())))) {
        out.emplace_back();
      } else {
        throw InputError(name_, row, k, "expected a string, got " + py::repr(v).cast<std::string>());
      }
    }
    return out;
  }

  [[noreturn]] void fail(std::int64_t row, const std::string& k, const std::string& problem) const {
    throw InputError(name_, row + 1, k, problem);
  }

  double finite(const py::array_t<double>& a, std::int64_t row, const std::string& k) const {
    const double v = a.at(row);
    if (!std::isfinite(v)) fail(row, k, "missing or not a finite number");
    return v;
  }
  Tick seconds(const py::array_t<double>& a, std::int64_t row, const std::string& k) const {
    const double v = finite(a, row, k);
    if (v < 0) fail(row, k, "negative");
    if (v > 9.0e12) fail(row, k, "too large (more than 9e12 seconds)");
    return seconds_to_ticks(v);
  }
  std::int64_t integer(const py::array_t<double>& a, std::int64_t row, const std::string& k) const {
    const double v = finite(a, row, k);
    if (v != std::floor(v) || std::fabs(v) > 9.0e15) fail(row, k, "not an integer");
    return static_cast<std::int64_t>(v);
  }

 private:
  std::string name_;
  std::map<std::string, py::object> columns_;
  std::int64_t rows_ = 0;
};

Trace from_columns(const std::string& name, const py::dict& dict) {
  Columns c(name, dict);
  for (const char* required : {"id", "app", "submit_s", "duration_s", "gpus"})
    if (!c.has(required))
      throw InputError(name, 0, required, "required column missing (id, app, submit_s, duration_s, gpus)");
  static const std::set<std::string> known = {"id",        "app",       "submit_s", "duration_s", "gpus",     "memory_mib",
                                              "gpu_util",  "gpu_milli", "priority", "user",       "gpu_types"};
  std::vector<std::pair<std::string, py::array_t<double>>> features;
  for (const auto& [k, v] : c.all()) {
    if (k.rfind(kFeaturePrefix, 0) == 0 && k.size() > std::string(kFeaturePrefix).size()) {
      features.emplace_back(k, c.numbers(k));
    } else if (!known.count(k)) {
      throw InputError(name, 0, k,
                       "unknown column (known: id, app, submit_s, duration_s, gpus, memory_mib, gpu_util, gpu_milli, "
                       "priority, user, gpu_types, feature.<name>)");
    }
  }
  const auto ids = c.strings("id", false), apps = c.strings("app", false);
  const auto submit = c.numbers("submit_s"), duration = c.numbers("duration_s"), gpus = c.numbers("gpus");
  std::optional<py::array_t<double>> memory, util, milli, priority;
  if (c.has("memory_mib")) memory = c.numbers("memory_mib");
  if (c.has("gpu_util")) util = c.numbers("gpu_util");
  if (c.has("gpu_milli")) milli = c.numbers("gpu_milli");
  if (c.has("priority")) priority = c.numbers("priority");
  std::vector<std::string> users, types;
  if (c.has("user")) users = c.strings("user", true);
  if (c.has("gpu_types")) types = c.strings("gpu_types", true);

  Trace trace;
  trace.name = name;
  trace.jobs.reserve(static_cast<std::size_t>(c.rows()));
  traces::JobStreamChecker checker;
  for (std::int64_t r = 0; r < c.rows(); ++r) {
    const auto i = static_cast<std::size_t>(r);
    JobSpec job;
    job.id = ids[i];
    job.app = apps[i];
    if (job.app.empty()) c.fail(r, "app", "empty application name");
    job.submit = c.seconds(submit, r, "submit_s");
    job.solo_duration = c.seconds(duration, r, "duration_s");
    const auto g = c.integer(gpus, r, "gpus");
    if (g < 1 || g > 1'000'000) c.fail(r, "gpus", "must be at least 1, got " + std::to_string(g));
    job.gpus = static_cast<int>(g);
    if (memory) job.memory_mib = c.integer(*memory, r, "memory_mib");
    if (util) job.gpu_util = c.finite(*util, r, "gpu_util");
    if (milli && std::isfinite(milli->at(r))) {
      const auto v = c.integer(*milli, r, "gpu_milli");
      if (v < 0 || v > 1000) c.fail(r, "gpu_milli", "must be in 0..1000, got " + std::to_string(v));
      job.gpu_milli = static_cast<int>(v);
    }
    if (priority && std::isfinite(priority->at(r))) {
      const auto v = c.integer(*priority, r, "priority");
      if (v < INT32_MIN || v > INT32_MAX) c.fail(r, "priority", "out of range");
      job.priority = static_cast<int>(v);
    }
    if (!users.empty()) job.user = users[i];
    if (!types.empty() && !types[i].empty()) {
      std::size_t start = 0;
      for (;;) {
        const auto bar = types[i].find('|', start);
        job.gpu_types.push_back(types[i].substr(start, bar == std::string::npos ? std::string::npos : bar - start));
        if (job.gpu_types.back().empty()) c.fail(r, "gpu_types", "empty GPU type in '" + types[i] + "'");
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
    }
    for (const auto& [k, a] : features) {
      const double v = a.at(r);
      if (std::isnan(v)) continue;  // not known for this job
      job.features[k.substr(std::string(kFeaturePrefix).size())] = v;
    }
    traces::validate_job(job, name, r + 1);
    checker.check(job, name, r + 1);
    trace.jobs.push_back(std::move(job));
  }
  return trace;
}

py::dict to_columns(const Trace& t) {
  const auto n = static_cast<py::ssize_t>(t.jobs.size());
  py::list id(n), app(n), user(n), types(n);
  py::array_t<double> submit(n), duration(n), util(n);
  py::array_t<std::int64_t> gpus(n), memory(n), milli(n), priority(n);
  std::set<std::string> feature_names;
  for (const auto& j : t.jobs)
    for (const auto& [k, _] : j.features) feature_names.insert(k);
  std::map<std::string, py::array_t<double>> features;
  for (const auto& f : feature_names) features.emplace(f, py::array_t<double>(n));
  for (py::ssize_t i = 0; i < n; ++i) {
    const JobSpec& j = t.jobs[static_cast<std::size_t>(i)];
    id[i] = j.id;
    app[i] = j.app;
    user[i] = j.user;
    std::string ts;
    for (const auto& g : j.gpu_types) ts += (ts.empty() ? "" : "|") + g;
    types[i] = ts;
    submit.mutable_at(i) = ticks_to_seconds(j.submit);
    duration.mutable_at(i) = ticks_to_seconds(j.solo_duration);
    util.mutable_at(i) = j.gpu_util;
    gpus.mutable_at(i) = j.gpus;
    memory.mutable_at(i) = j.memory_mib;
    milli.mutable_at(i) = j.gpu_milli;
    priority.mutable_at(i) = j.priority;
    for (auto& [k, a] : features) {
      auto it = j.features.find(k);
      a.mutable_at(i) = it == j.features.end() ? std::nan("") : it->second;
    }
  }
  py::dict out;
  out["id"] = id;
  out["app"] = app;
  out["submit_s"] = submit;
  out["duration_s"] = duration;
  out["gpus"] = gpus;
  out["memory_mib"] = memory;
  out["gpu_util"] = util;
  out["gpu_milli"] = milli;
  out["priority"] = priority;
  out["user"] = user;
  out["gpu_types"] = types;
  for (auto& [k, a] : features) out[py::str(std::string(kFeaturePrefix) + k)] = a;
  return out;
}

Trace drain(JobSource& source, std::string name) {
  Trace t;
  t.name = std::move(name);
  while (auto job = source.next()) t.jobs.push_back(std::move(*job));
  return t;
}

}  // namespace

void bind_trace(py::module_& m) {
  py::class_<Trace>(m, "Trace",
                    "Jobs held in memory, in submit order. Build one with Trace.load(path), Trace.from_columns(...), "
                    "Trace.generate(...) or import_trace(...); colosim.trace() in the facade takes any of these.")
      .def_static(
          "load",
          [](const std::string& path) {
            py::gil_scoped_release release;
            auto source = traces::open_trace(path);
            return drain(*source, path);
          },
          py::arg("path"),
          "Reads a whole trace file in any format the CLI reads (.csv, .pb, .json, .textproto), chosen by extension.")
      .def_static("from_columns", &from_columns, py::arg("name"), py::arg("columns"),
                  "Jobs from a dict of equally long columns (lists or arrays), as in the CSV job format: required "
                  "id, app, submit_s, duration_s, gpus; optional memory_mib, gpu_util (default 0), gpu_milli, "
                  "priority, user, gpu_types ('|'-separated), feature.<name> (NaN: unknown). Rows must be sorted by "
                  "submit_s and ids unique. Raises InputError(file=name, line=row + 1, field=column).")
      .def_static(
          "generate",
          [](std::int64_t jobs, std::uint64_t seed, std::optional<double> arrival_rate, std::optional<double> load,
             std::optional<int> total_gpus, std::optional<std::vector<std::string>> apps, std::int64_t gpu_memory_mib,
             double min_duration_s, std::string id_prefix) {
            traces::GeneratorConfig config;
            config.seed = seed;
            config.jobs = jobs;
            if (apps) config.apps = *apps;
            config.gpu_memory_mib = gpu_memory_mib;
            config.min_duration_s = min_duration_s;
            config.id_prefix = std::move(id_prefix);
            if (load || total_gpus) {
              if (!load || !total_gpus || arrival_rate)
                throw Error("Trace.generate: give either arrival_rate, or load and total_gpus");
              config.arrival_rate = traces::arrival_rate_for_load(config, *total_gpus, *load);
            } else if (arrival_rate) {
              config.arrival_rate = *arrival_rate;
            }
            traces::validate(config);
            py::gil_scoped_release release;
            traces::GeneratedJobSource source(config);
            return drain(source, source.name());
          },
          py::arg("jobs") = 1000, py::arg("seed") = 1, py::arg("arrival_rate") = py::none(), py::arg("load") = py::none(),
          py::arg("total_gpus") = py::none(), py::arg("apps") = py::none(), py::arg("gpu_memory_mib") = 16384,
          py::arg("min_duration_s") = 1.0, py::arg("id_prefix") = "j",
          "A seeded synthetic trace (as `colosim generate`): Philly run times, Alibaba GPU request shapes, Gavel's "
          "application names, Poisson arrivals at `arrival_rate` jobs/s, or at the rate that offers `load` (1.0 = "
          "every GPU busy) to `total_gpus` GPUs. Same arguments, same jobs.")
      .def_readonly("name", &Trace::name)
      .def("__len__", [](const Trace& t) { return t.jobs.size(); })
      .def("__getitem__",
           [](const Trace& t, const py::slice& s) {
             py::ssize_t start, stop, step, length;
             if (!s.compute(static_cast<py::ssize_t>(t.jobs.size()), &start, &stop, &step, &length))
               throw py::error_already_set();
             if (step <= 0) throw py::value_error("Trace slices must have a positive step (jobs stay in submit order)");
             Trace out;
             out.name = t.name;
             for (py::ssize_t i = 0; i < length; ++i) out.jobs.push_back(t.jobs[static_cast<std::size_t>(start + i * step)]);
             return out;
           },
           "A slice of the jobs, still in submit order.")
      .def("to_columns", &to_columns,
           "Columns of the CSV job format (times in seconds): a dict of lists and NumPy arrays, for a DataFrame.")
      .def(
          "save",
          [](const Trace& t, const std::string& path) {
            std::set<std::string> features;
            for (const auto& j : t.jobs)
              for (const auto& [k, _] : j.features) features.insert(k);
            v1::TraceHeader header;
            header.set_source(t.name);
            header.set_job_count(static_cast<std::int64_t>(t.jobs.size()));
            py::gil_scoped_release release;
            auto writer = traces::open_trace_writer(path, header, std::nullopt, features);
            for (const auto& j : t.jobs) writer->write(j);
            writer->finish();
          },
          py::arg("path"), "Writes the trace; the format follows the extension (.csv, .pb, .json, .textproto).")
      .def("__repr__", [](const Trace& t) {
        return "Trace(" + py::repr(py::str(t.name)).cast<std::string>() + ", " + std::to_string(t.jobs.size()) + " jobs)";
      });

  m.def(
      "import_trace",
      [](const std::string& importer, const std::string& input, const std::vector<std::string>& extra,
         const std::map<std::string, std::string>& options) {
        traces::ImportRequest request;
        request.input = input;
        for (const auto& e : extra) request.extra.emplace_back(e);
        request.options = options;
        traces::ImportedTrace imported;
        {
          py::gil_scoped_release release;
          imported = traces::builtin_importers().run(importer, std::move(request));
        }
        Trace t;
        t.name = imported.header.source().empty() ? input : imported.header.source();
        t.jobs = std::move(imported.jobs);
        py::object cluster = py::none();
        if (imported.header.has_cluster())
          cluster = py::cast(traces::cluster_from_proto(imported.header.cluster(), input));
        return py::make_tuple(std::move(t), cluster, imported.notes);
      },
      py::arg("importer"), py::arg("input"), py::arg("extra") = std::vector<std::string>{},
      py::arg("options") = std::map<std::string, std::string>{},
      "Runs an importer of public traces (as `colosim convert --from`): returns (Trace, Cluster or None, notes).");

  m.def(
      "importers",
      [] {
        py::list out;
        const traces::ImporterRegistry registry = traces::builtin_importers();
        for (const auto* info : registry.list()) {
          py::list options;
          for (const auto& o : info->options) options.append(py::make_tuple(o.name, o.default_value, o.help));
          out.append(py::dict(py::arg("name") = info->name, py::arg("description") = info->description,
                              py::arg("inputs") = info->inputs, py::arg("options") = options));
        }
        return out;
      },
      "The trace importers: a list of dicts name, description, inputs, options [(name, default, help)].");
}

}  // namespace colosim::py_bindings

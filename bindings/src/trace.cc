// Traces: from any file the CLI reads, from columns (a DataFrame or a list of dicts, through
// the facade), from an importer of public traces, or from the seeded generator; and back to
// columns or a file.
#include <algorithm>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <set>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/generator.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/job_checks.h"
#include "colosim/traces/job_columns.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/trace_format.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"

#include "bindings.h"

namespace colosim::py_bindings {
namespace {

constexpr const char* kFeaturePrefix = "feature.";

// A table given as a dict of equally long sequences, as JobColumns (job_columns.h) reads it: text
// columns converted once to strings, the others to float64 arrays (NaN and None: missing).
class PyColumns final : public traces::JobCells {
 public:
  PyColumns(const std::string& name, const py::dict& dict) {
    std::vector<std::string> header;
    for (auto [key, value] : dict) {
      if (!py::isinstance<py::str>(key)) throw InputError(name, 0, "", "column names must be strings");
      header.push_back(key.cast<std::string>());
      objects_.push_back(py::reinterpret_borrow<py::object>(value));
      const auto n = static_cast<std::int64_t>(py::len(value));
      if (rows_ >= 0 && n != rows_)
        throw InputError(name, 0, header.back(), "has " + std::to_string(n) + " rows, other columns " + std::to_string(rows_));
      rows_ = n;
    }
    if (rows_ < 0) rows_ = 0;
    columns_.emplace(std::move(header), name, 0);
    for (std::size_t c = 0; c < objects_.size(); ++c) {
      const std::string& k = columns_->header()[c];
      if (columns_->is_text(static_cast<int>(c))) {
        texts_.emplace_back();
        auto& out = texts_.back();
        out.reserve(static_cast<std::size_t>(rows_));
        for (py::handle v : py::iter(objects_[c])) {
          if (py::isinstance<py::str>(v)) {
            out.emplace_back(v.cast<std::string>());
          } else if (py::isinstance<py::int_>(v) && !py::isinstance<py::bool_>(v)) {
            out.emplace_back(py::str(v).cast<std::string>());
          } else if (is_missing(v)) {
            out.emplace_back(std::string());
          } else {
            out.emplace_back(std::nullopt);  // not text: JobColumns says so, naming the row
          }
        }
        numbers_.emplace_back();
      } else {
        texts_.emplace_back();
        try {
          numbers_.push_back(py::array_t<double, py::array::c_style | py::array::forcecast>(objects_[c]));
        } catch (const py::error_already_set&) {
          throw InputError(name, 0, k, "is not a numeric column");
        }
      }
    }
  }

  const traces::JobColumns& columns() const { return *columns_; }
  std::int64_t rows() const { return rows_; }
  void select(std::int64_t row) { row_ = row; }

  bool missing(int c) const override {
    if (columns_->is_text(c)) {
      const auto& v = texts_[static_cast<std::size_t>(c)][static_cast<std::size_t>(row_)];
      return v && v->empty();
    }
    return std::isnan(value(c));
  }
  std::optional<std::string> text(int c) const override {
    if (!columns_->is_text(c)) return std::nullopt;
    return texts_[static_cast<std::size_t>(c)][static_cast<std::size_t>(row_)];
  }
  std::optional<double> number(int c) const override {
    if (columns_->is_text(c) || !std::isfinite(value(c))) return std::nullopt;
    return value(c);
  }
  std::optional<std::int64_t> integer(int c) const override {
    if (columns_->is_text(c)) return std::nullopt;
    return narrow<std::int64_t>(value(c));
  }
  std::string shown(int c) const override {
    return py::repr(py::sequence(objects_[static_cast<std::size_t>(c)])[static_cast<py::ssize_t>(row_)]).cast<std::string>();
  }

 private:
  static bool is_missing(py::handle v) {
    return v.is_none() || (py::isinstance<py::float_>(v) && std::isnan(v.cast<double>()));
  }
  double value(int c) const { return numbers_[static_cast<std::size_t>(c)].at(row_); }

  std::vector<py::object> objects_;
  std::optional<traces::JobColumns> columns_;
  std::vector<std::vector<std::optional<std::string>>> texts_;
  std::vector<py::array_t<double>> numbers_;
  std::int64_t rows_ = -1;
  std::int64_t row_ = 0;
};

Trace from_columns(const std::string& name, const py::dict& dict, bool allow_empty) {
  PyColumns table(name, dict);
  Trace trace;
  trace.name = name;
  trace.jobs.reserve(static_cast<std::size_t>(table.rows()));
  traces::JobStreamChecker checker(true, allow_empty);
  for (std::int64_t r = 0; r < table.rows(); ++r) {
    table.select(r);
    JobSpec job = table.columns().parse(table, r + 1);
    checker.check(job, name, r + 1, traces::JobColumns::kSubmitColumn);
    trace.jobs.push_back(std::move(job));
  }
  checker.check_end(name);
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
  // Recorded runs (imported cluster logs) in the columns that from_columns reads back.
  if (std::any_of(t.jobs.begin(), t.jobs.end(), [](const JobSpec& j) { return j.recorded.has_value(); })) {
    py::array_t<double> start(n), end(n);
    py::list nodes(n), state(n);
    for (py::ssize_t i = 0; i < n; ++i) {
      const auto& run = t.jobs[static_cast<std::size_t>(i)].recorded;
      const auto time = [&](const std::optional<Tick>& v) { return run && v ? ticks_to_seconds(*v) : std::nan(""); };
      start.mutable_at(i) = time(run ? run->start : std::nullopt);
      end.mutable_at(i) = time(run ? run->end : std::nullopt);
      std::string list;
      if (run)
        for (const auto& node : run->nodes) list += (list.empty() ? "" : "|") + node;
      nodes[i] = list;
      state[i] = run ? run->state : std::string();
    }
    out["recorded_start_s"] = start;
    out["recorded_end_s"] = end;
    out["recorded_nodes"] = nodes;
    out["recorded_state"] = state;
  }
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
          [](const std::string& path, bool allow_empty, const std::string& format) {
            py::gil_scoped_release release;
            traces::TraceReadOptions options;
            options.allow_empty = allow_empty;
            auto source = traces::open_trace_reader(path, format, options);
            return drain(*source, path);
          },
          py::arg("path"), py::arg("allow_empty") = false, py::arg("format") = "",
          "Reads a whole trace file in any trace format (colosim.trace_formats()), chosen by extension unless "
          "`format` names one. A file without jobs raises InputError unless allow_empty.")
      .def_static("from_columns", &from_columns, py::arg("name"), py::arg("columns"), py::arg("allow_empty") = false,
                  "Jobs from a dict of equally long columns (lists or arrays), as in the CSV job format: required "
                  "id, app, submit_s, duration_s, gpus; optional memory_mib, gpu_util (default 0), gpu_milli, "
                  "priority, user, gpu_types ('|'-separated), feature.<name> (NaN: unknown); None or NaN: missing. "
                  "Rows must be sorted by submit_s and ids unique; no rows raises unless allow_empty. Raises "
                  "InputError(file=name, line=row + 1, field=column).")
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
          [](const Trace& t, const std::string& path, const std::string& format) {
            std::set<std::string> features;
            for (const auto& j : t.jobs)
              for (const auto& [k, _] : j.features) features.insert(k);
            v1::TraceHeader header;
            header.set_source(t.name);
            header.set_job_count(static_cast<std::int64_t>(t.jobs.size()));
            py::gil_scoped_release release;
            auto writer = traces::open_trace_writer(path, header, format, features);
            for (const auto& j : t.jobs) writer->write(j);
            writer->finish();
          },
          py::arg("path"), py::arg("format") = "",
          "Writes the trace in `format` (colosim.trace_formats()), by default the one of the extension.")
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
          for (const auto& o : info->params) options.append(py::make_tuple(o.name, o.default_value, o.help));
          out.append(py::dict(py::arg("name") = info->name, py::arg("description") = info->description,
                              py::arg("inputs") = info->details, py::arg("options") = options));
        }
        return out;
      },
      "The trace importers: a list of dicts name, description, inputs, options [(name, default, help)].");

  m.def(
      "trace_formats",
      [] {
        py::list out;
        const traces::TraceFormatRegistry registry = traces::builtin_trace_formats();
        for (const auto* info : registry.list()) {
          py::list options;
          for (const auto& o : info->params) options.append(py::make_tuple(o.name, o.default_value, o.help));
          out.append(py::dict(py::arg("name") = info->name, py::arg("description") = info->description,
                              py::arg("extensions") = registry.extensions(info->name), py::arg("options") = options));
        }
        return out;
      },
      "The trace formats (as `colosim formats`): a list of dicts name, description, extensions, options "
      "[(name, default, help)].");
}

}  // namespace colosim::py_bindings

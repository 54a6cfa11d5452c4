// colosim convert IN OUT: between trace encodings (.pb .json .textproto .csv), or from a public
// trace through an importer (--from alibaba-gpu-v2023-openb, gavel, tiresias).
#include <fmt/format.h>

#include <map>
#include <set>

#include "colosim/errors.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/inputs.h"
#include "colosim/traces/job_checks.h"
#include "colosim/traces/trace_format.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"
#include "commands.h"
#include "shared_flags.h"

namespace colosim::cli {
namespace {

struct ConvertArgs {
  std::string in, out, from, to, unit;
  std::vector<std::string> with, options;
  bool quiet = false;
};

std::optional<v1::TimeUnit> parse_unit(const std::string& unit) {
  if (unit.empty()) return std::nullopt;
  if (unit == "s") return v1::SECONDS;
  if (unit == "ms") return v1::MILLISECONDS;
  if (unit == "us") return v1::MICROSECONDS;
  throw Error("--unit must be s, ms or us, got '" + unit + "'");
}

std::map<std::string, std::string> parse_options(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw Error("--opt needs key=value, got '" + item + "'");
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

std::set<std::string> feature_names(const traces::TraceFile& in) {
  // CSV needs its columns before the first row: one extra pass over the input.
  std::set<std::string> names;
  auto reader = in.open({.check_duplicate_ids = false});
  while (auto job = reader->next())
    for (const auto& [name, value] : job->features) names.insert(name);
  return names;
}

void convert(const ConvertArgs& a) {
  const traces::TraceFormatRegistry formats = traces::builtin_trace_formats();
  const OutputFile out(a.out, a.to);
  const bool needs_features = formats.encoding_for(out.path(), out.format()).needs_feature_names;
  const auto unit = parse_unit(a.unit);
  const Chatter chatter(a.quiet);
  const traces::ImporterRegistry importers = traces::builtin_importers();
  if (!a.from.empty() && importers.find(a.from)) {
    if (a.in == "-") throw Error("importer " + a.from + " reads files; standard input (-) is for colosim traces");
    traces::ImportRequest request;
    request.input = a.in;
    request.extra.assign(a.with.begin(), a.with.end());
    request.options = parse_options(a.options);
    traces::ImportedTrace imported = importers.run(a.from, request);
    for (const auto& note : imported.notes) chatter("{}: {}\n", a.from, note);
    if (unit) imported.header.set_time_unit(*unit);
    std::set<std::string> features;
    if (needs_features)
      for (const auto& job : imported.jobs)
        for (const auto& [name, value] : job.features) features.insert(name);
    auto writer = traces::open_trace_writer(out.path(), imported.header, out.format(), features);
    traces::JobStreamChecker checker;
    std::int64_t record = 0;
    for (const auto& job : imported.jobs) {
      checker.check(job, a.in, ++record);
      writer->write(job);
    }
    writer->finish();
    out.finish();
    chatter("{}: {} jobs written\n", out.name(), writer->jobs_written());
    return;
  }
  if (!a.with.empty() || !a.options.empty()) throw Error("--with and --opt are for importers (--from <importer>)");
  if (!a.from.empty() && !formats.find(Spec::parse(a.from, formats.kind()).name))
    throw Error("--from '" + a.from + "' is neither a trace format (" + formats.names() + ") nor an importer (" +
                importers.names() + ")");
  const traces::TraceFile in = traces::TraceFile::resolve(a.in, a.from);
  const std::set<std::string> features = needs_features ? feature_names(in) : std::set<std::string>{};
  auto reader = in.open();
  v1::TraceHeader header = reader->header();
  if (unit) header.set_time_unit(*unit);
  auto writer = traces::open_trace_writer(out.path(), header, out.format(), features);
  while (auto job = reader->next()) writer->write(*job);
  writer->finish();
  out.finish();
  chatter("{}: {} jobs written\n", out.name(), writer->jobs_written());
}

}  // namespace

void add_convert_command(CLI::App& app) {
  auto args = std::make_shared<ConvertArgs>();
  auto* cmd = app.add_subcommand("convert", "Convert a job trace between formats, or import a public trace");
  std::string importers_help = "\nImporters (--from NAME):\n";
  const traces::ImporterRegistry registry = traces::builtin_importers();
  for (const auto* info : registry.list()) {
    importers_help += fmt::format("  {}: {}\n    {}\n", info->name, info->description, info->details);
    for (const auto& o : info->params)
      importers_help += fmt::format("    --opt {}={} : {}\n", o.name, o.default_value, o.help);
  }
  cmd->footer(importers_help);
  cmd->add_option("IN", args->in, "input trace; - reads standard input (CSV unless --from names a format)")->required();
  cmd->add_option("OUT", args->out,
                  "output trace (.pb .json .textproto .csv), written whole or not at all; - writes standard output "
                  "(CSV unless --to names a format)")
      ->required();
  const traces::TraceFormatRegistry formats = traces::builtin_trace_formats();
  cmd->add_option("--from", args->from,
                  "input trace format (" + formats.names() + ") or importer name; default: IN's extension");
  cmd->add_option("--to", args->to, "output trace format (" + formats.names() + "); default: OUT's extension");
  cmd->add_option("--with", args->with, "companion files of an importer (node list, cluster spec, throughputs)");
  cmd->add_option("--opt", args->options, "importer option key=value (repeatable)");
  cmd->add_option("--unit", args->unit, "time unit of the output: s, ms or us (default: the input's)");
  add_quiet_flag(cmd, args->quiet);
  cmd->callback([args] { convert(*args); });
}

}  // namespace colosim::cli

#include "colosim/experiments/sweep.h"

#include <filesystem>
#include <map>

#include "colosim.pb.h"
#include "colosim/errors.h"
#include "colosim/traces/proto_file.h"
#include "colosim/traces/schema_version.h"

namespace colosim::experiments {
namespace {

std::string relative_to(const std::filesystem::path& dir, const std::string& path) {
  if (path.empty() || path == "none" || path == "seed-paper" || traces::GeneratorSpec::is_spec(path) ||
      traces::is_uniform_cluster_spec(path) || std::filesystem::path(path).is_absolute())
    return path;
  return (dir / path).lexically_normal().string();
}

}  // namespace

CompareSpec read_sweep(const std::string& path) {
  v1::Sweep sweep;
  traces::read_message(path, sweep);
  if (sweep.schema_version() != 0 && sweep.schema_version() != traces::kSchemaVersion)
    throw InputError(path, 0, "schema_version",
                     "is " + std::to_string(sweep.schema_version()) + ", this build reads " +
                         std::to_string(traces::kSchemaVersion));
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  CompareSpec s;
  s.trace = relative_to(dir, sweep.trace());
  s.trace_format = sweep.trace_format();
  s.vary = sweep.vary();
  s.allow_empty = sweep.allow_empty();
  for (const auto& c : sweep.clusters()) s.clusters.push_back(relative_to(dir, c));
  for (const auto& p : sweep.policies()) s.policies.push_back(p);
  if (!sweep.seeds().empty()) s.seeds = sweep.seeds();
  if (sweep.loads_size() > 0) s.loads.assign(sweep.loads().begin(), sweep.loads().end());
  if (!sweep.interference().empty()) s.interference = relative_to(dir, sweep.interference());
  s.baseline = sweep.baseline();
  // Sorted, so that the first bad key reported does not depend on the map's order.
  const std::map<std::string, std::string> options(sweep.options().begin(), sweep.options().end());
  for (const auto& [key, value] : options) {
    try {
      set_run_option(s.options, key, value);
    } catch (const Error& e) {
      throw InputError(path, 0, "options." + key, e.what());
    }
  }
  return s;
}

std::map<std::string, std::string> changed_options(const RunOptions& options) {
  const auto defaults = run_option_values(RunOptions{});
  const auto values = run_option_values(options);
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i].second != defaults[i].second) out[values[i].first] = values[i].second;
  return out;
}

}  // namespace colosim::experiments

#include "colosim/interference_data.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "colosim/checked.h"
#include "colosim/errors.h"

namespace colosim {

std::vector<std::string> InterferenceData::app_names() const {
  std::set<std::string> names;
  for (const auto& p : apps) names.insert(p.name);
  for (const auto& m : pairs) {
    names.insert(m.app_a);
    names.insert(m.app_b);
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> InterferenceData::gpu_types() const {
  std::set<std::string> types;
  for (const auto& m : pairs) types.insert(m.gpu_type);
  return {types.begin(), types.end()};
}

std::size_t InterferenceData::feasible_pairs(const std::string& gpu_type) const {
  return static_cast<std::size_t>(std::count_if(pairs.begin(), pairs.end(), [&](const PairMeasurement& m) {
    return m.gpu_type == gpu_type && m.feasible;
  }));
}

void InterferenceData::merge(InterferenceData other) {
  if (source.empty()) source = std::move(other.source);
  else if (!other.source.empty()) source += " + " + other.source;
  for (auto& a : other.apps) apps.push_back(std::move(a));
  for (auto& p : other.pairs) pairs.push_back(std::move(p));
}

namespace {
// "file:line" -> (file, line) for InputError; anything else is the file with line 0.
std::pair<std::string, std::int64_t> split_source(const std::string& source) {
  auto colon = source.rfind(':');
  if (colon != std::string::npos)
    if (auto line = parse_integer(std::string_view(source).substr(colon + 1)); line && *line > 0)
      return {source.substr(0, colon), *line};
  return {source, 0};
}
}  // namespace

void InterferenceData::validate() const {
  auto fail = [](const PairMeasurement& m, const std::string& field, const std::string& problem) {
    auto [file, line] = split_source(m.source);
    throw InputError(file, line, field, problem);
  };
  for (const auto& m : pairs) {
    if (m.app_a.empty()) fail(m, "app_a", "empty application name");
    if (m.app_b.empty()) fail(m, "app_b", "empty application name");
    const bool has_a = !std::isnan(m.slowdown_a), has_b = !std::isnan(m.slowdown_b);
    if (!m.feasible) {
      if (has_a || has_b) fail(m, "feasible", "an infeasible pair cannot have a slowdown");
      continue;
    }
    if (!has_a && !has_b) fail(m, "slowdown", "a feasible pair needs at least one slowdown");
    if (has_a && !(std::isfinite(m.slowdown_a) && m.slowdown_a > 0))
      fail(m, "slowdown_a", "must be finite and > 0, got " + std::to_string(m.slowdown_a));
    if (has_b && !(std::isfinite(m.slowdown_b) && m.slowdown_b > 0))
      fail(m, "slowdown_b", "must be finite and > 0, got " + std::to_string(m.slowdown_b));
  }
  std::map<std::tuple<std::string, std::string, std::string>, const PairMeasurement*> seen;
  for (const auto& m : pairs) {
    auto key = std::make_tuple(m.gpu_type, std::min(m.app_a, m.app_b), std::max(m.app_a, m.app_b));
    auto [it, fresh] = seen.emplace(key, &m);
    if (!fresh) fail(m, "pair", "pair measured twice on GPU type '" + m.gpu_type + "' (first at " + it->second->source + ")");
  }
  std::set<std::pair<std::string, std::string>> profiled;
  for (const auto& p : apps) {
    if (p.name.empty()) throw InputError(source, 0, "app", "empty application name in a profile");
    if (!profiled.emplace(p.name, p.gpu_type).second)
      throw InputError(source, 0, "app",
                       "application '" + p.name + "' profiled twice" + (p.gpu_type.empty() ? "" : " on " + p.gpu_type) +
                           " (which profile holds?)");
    for (const auto& [k, v] : p.features)
      if (!std::isfinite(v)) throw InputError(source, 0, k, "feature of " + p.name + " is not finite");
  }
}

}  // namespace colosim

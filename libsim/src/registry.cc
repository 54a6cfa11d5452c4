#include "colosim/registry.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "colosim/errors.h"

namespace colosim {

PolicyParams::PolicyParams(std::string policy, std::map<std::string, std::string> values)
    : policy_(std::move(policy)), values_(std::move(values)) {}

const std::string& PolicyParams::text(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw Error("policy '" + policy_ + "' has no parameter '" + name + "'");
  return it->second;
}

double PolicyParams::number(const std::string& name) const {
  const std::string& value = text(name);
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(x))
    throw Error("policy '" + policy_ + "': parameter '" + name + "' must be a number, got '" + value + "'");
  return x;
}

bool PolicyParams::flag(const std::string& name) const {
  const std::string& value = text(name);
  if (value == "true" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "no") return false;
  throw Error("policy '" + policy_ + "': parameter '" + name + "' must be true or false, got '" + value + "'");
}

PolicySpec PolicySpec::parse(std::string_view text, std::string_view kind) {
  PolicySpec spec;
  const auto colon = text.find(':');
  spec.name = std::string(text.substr(0, colon));
  const std::string what = std::string(kind) + " '" + spec.name + "'";
  if (spec.name.empty()) throw Error("empty " + std::string(kind) + " name in '" + std::string(text) + "'");
  if (colon == std::string_view::npos) return spec;
  std::string_view rest = text.substr(colon + 1);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0)
      throw Error(what + ": expected key=value, got '" + std::string(item) + "'");
    const std::string key(item.substr(0, eq));
    if (!spec.params.emplace(key, std::string(item.substr(eq + 1))).second)
      throw Error(what + ": parameter '" + key + "' given twice");
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return spec;
}

std::string PolicySpec::to_string() const {
  std::string s = name;
  char sep = ':';
  for (const auto& [k, v] : params) {
    s += sep + k + "=" + v;
    sep = ',';
  }
  return s;
}

void PolicyRegistry::add(PolicyInfo info) {
  if (info.name.empty()) throw Error("a policy needs a name");
  if (!info.make) throw Error("policy '" + info.name + "' has no factory");
  const std::string name = info.name;
  if (!entries_.emplace(name, std::move(info)).second) throw Error("policy '" + name + "' registered twice");
}

const PolicyInfo* PolicyRegistry::find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<const PolicyInfo*> PolicyRegistry::list() const {
  std::vector<const PolicyInfo*> out;
  for (const auto& [name, info] : entries_) out.push_back(&info);
  return out;
}

std::shared_ptr<PlacementPolicy> PolicyRegistry::make(const PolicySpec& spec) const {
  const PolicyInfo* info = find(spec.name);
  if (!info) {
    std::string known;
    for (const auto& [name, _] : entries_) known += (known.empty() ? "" : ", ") + name;
    throw Error("unknown policy '" + spec.name + "' (known: " + known + ")");
  }
  std::map<std::string, std::string> values;
  for (const auto& p : info->params) values[p.name] = p.default_value;
  for (const auto& [key, value] : spec.params) {
    if (!values.count(key)) {
      std::string known;
      for (const auto& p : info->params) known += (known.empty() ? "" : ", ") + p.name;
      throw Error("policy '" + spec.name + "' has no parameter '" + key + "' (parameters: " +
                  (known.empty() ? "none" : known) + ")");
    }
    values[key] = value;
  }
  return info->make(PolicyParams(spec.name, std::move(values)));
}

}  // namespace colosim

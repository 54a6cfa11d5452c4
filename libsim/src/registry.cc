#include "colosim/registry.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "colosim/checked.h"
#include "colosim/errors.h"

namespace colosim {

Params::Params(std::string owner, std::map<std::string, std::string> values)
    : owner_(std::move(owner)), values_(std::move(values)) {}

const std::string& Params::text(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw Error(owner_ + " has no parameter '" + name + "'");
  return it->second;
}

double Params::number(const std::string& name) const {
  const std::string& value = text(name);
  if (const auto x = parse_number(value)) return *x;
  throw Error(owner_ + ": parameter '" + name + "' must be a number, got '" + value + "'");
}

bool Params::flag(const std::string& name) const {
  const std::string& value = text(name);
  if (const auto x = parse_flag(value)) return *x;
  throw Error(owner_ + ": parameter '" + name + "' must be true or false, got '" + value + "'");
}

Spec Spec::parse(std::string_view text, std::string_view kind) {
  Spec spec;
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

std::string Spec::to_string() const {
  std::string s = name;
  char sep = ':';
  for (const auto& [k, v] : params) {
    s += sep + k + "=" + v;
    sep = ',';
  }
  return s;
}

}  // namespace colosim

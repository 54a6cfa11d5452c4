#pragma once
// Policies by name: one registry value per program (no globals). A policy registers itself with
// one ordinary call; see policies/builtin.cc.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "colosim/policy.h"

namespace colosim {

struct ParamSpec {
  std::string name;
  std::string default_value;
  std::string help;
};

// Parameter values of one policy instance, defaults filled in. Typed getters throw Error naming
// the policy, parameter and value when the value does not parse.
class PolicyParams {
 public:
  PolicyParams(std::string policy, std::map<std::string, std::string> values);
  const std::string& text(const std::string& name) const;
  double number(const std::string& name) const;
  bool flag(const std::string& name) const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::string policy_;
  std::map<std::string, std::string> values_;
};

// "name" or "name:key=value,key=value": the one spec syntax of policies, generator specs
// ("gen:...") and cluster specs ("uniform:...").
struct PolicySpec {
  std::string name;
  std::map<std::string, std::string> params;

  // Throws Error naming the `kind` of thing ("policy", "generator spec") and the bad item.
  static PolicySpec parse(std::string_view text, std::string_view kind = "policy");
  std::string to_string() const;
};

struct PolicyInfo {
  std::string name;
  std::string description;  // one line
  std::vector<ParamSpec> params;
  std::function<std::shared_ptr<PlacementPolicy>(const PolicyParams&)> make;
};

class PolicyRegistry {
 public:
  void add(PolicyInfo info);  // throws Error on a duplicate or empty name
  const PolicyInfo* find(std::string_view name) const;
  std::vector<const PolicyInfo*> list() const;  // by name
  // Unknown names and parameter keys are errors that list what is available.
  std::shared_ptr<PlacementPolicy> make(const PolicySpec& spec) const;
  std::shared_ptr<PlacementPolicy> make(std::string_view spec) const { return make(PolicySpec::parse(spec)); }

 private:
  std::map<std::string, PolicyInfo, std::less<>> entries_;
};

}  // namespace colosim

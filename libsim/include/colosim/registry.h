#pragma once
// The one registry pattern of colosim: name -> {one-line description, parameter schema with
// defaults and help, factory}. Policies, importers, trace formats and interference model sources
// are each a Registry value (no globals); an entry registers itself with one ordinary call.
//
// Naming rule (checked by tests/test_registries.cc): an entry registered from an extension folder
// lives in the file named after it, dashes as underscores: policy `load-balance` is
// policies/load_balance.cc, importer `alibaba-gpu-v2023-openb` is
// traces/importers/alibaba_gpu_v2023_openb.cc, trace format `textproto` is
// traces/formats/textproto.cc.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "colosim/errors.h"
#include "colosim/policy.h"

namespace colosim {

struct ParamSpec {
  std::string name;
  std::string default_value;
  std::string help;
};

// Parameter values of one instance, defaults filled in. Typed getters throw Error naming the
// owner (e.g. "policy 'random'"), parameter and value when the value does not parse.
class Params {
 public:
  Params(std::string owner, std::map<std::string, std::string> values);
  const std::string& text(const std::string& name) const;
  double number(const std::string& name) const;
  bool flag(const std::string& name) const;
  const std::map<std::string, std::string>& values() const { return values_; }
  const std::string& owner() const { return owner_; }

 private:
  std::string owner_;
  std::map<std::string, std::string> values_;
};

// "name" or "name:key=value,key=value": the one spec syntax of policies, generator specs
// ("gen:...") and cluster specs ("uniform:...").
struct Spec {
  std::string name;
  std::map<std::string, std::string> params;

  // Throws Error naming the `kind` of thing ("policy", "generator spec") and the bad item.
  static Spec parse(std::string_view text, std::string_view kind = "policy");
  std::string to_string() const;  // canonical: keys sorted
};

template <class Product, class... Args>
struct RegistryEntry {
  std::string name;
  std::string description;  // one line
  std::vector<ParamSpec> params;
  std::function<Product(const Params&, Args...)> make;
  std::string details = {};  // optional second line, e.g. the files an importer reads
};

// Registry values of different kinds (policies, importers, trace formats, interference models) share this code: add, look up, list, check parameters
// against the schema (unknown keys are errors that list the known ones) and make.
template <class Product, class... Args>
class Registry {
 public:
  using Entry = RegistryEntry<Product, Args...>;

  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  // Throws Error on an empty or duplicate name or a missing factory.
  void add(Entry entry) {
    if (entry.name.empty()) throw Error("a " + kind_ + " needs a name");
    if (!entry.make) throw Error(kind_ + " '" + entry.name + "' has no factory");
    const std::string name = entry.name;
    if (!entries_.emplace(name, std::move(entry)).second) throw Error(kind_ + " '" + name + "' registered twice");
  }
  const Entry* find(std::string_view name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::vector<const Entry*> list() const {  // by name
    std::vector<const Entry*> out;
    for (const auto& [name, entry] : entries_) out.push_back(&entry);
    return out;
  }
  // The entry of `spec` and its parameters with defaults filled in; Error for an unknown name
  // or key (listing what is known).
  std::pair<const Entry*, Params> resolve(const Spec& spec) const {
    const Entry* entry = find(spec.name);
    if (!entry) throw Error("unknown " + kind_ + " '" + spec.name + "' (known: " + names() + ")");
    std::map<std::string, std::string> values;
    for (const auto& p : entry->params) values[p.name] = p.default_value;
    for (const auto& [key, value] : spec.params) {
      if (!values.count(key)) {
        std::string known;
        for (const auto& p : entry->params) known += (known.empty() ? "" : ", ") + p.name;
        throw Error(kind_ + " '" + spec.name + "' has no parameter '" + key + "' (parameters: " +
                    (known.empty() ? "none" : known) + ")");
      }
      values[key] = value;
    }
    return {entry, Params(kind_ + " '" + spec.name + "'", std::move(values))};
  }
  Product make(const Spec& spec, Args... args) const {
    auto [entry, params] = resolve(spec);
    return entry->make(params, std::forward<Args>(args)...);
  }
  Product make(std::string_view text, Args... args) const {
    return make(Spec::parse(text, kind_), std::forward<Args>(args)...);
  }
  std::string names() const {
    std::string known;
    for (const auto& [name, _] : entries_) known += (known.empty() ? "" : ", ") + name;
    return known;
  }
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// Placement policies: `colosim run --policy`, `colosim policies`, colosim.registry in Python.
class PolicyRegistry : public Registry<std::shared_ptr<PlacementPolicy>> {
 public:
  PolicyRegistry() : Registry("policy") {}
};
using PolicyInfo = PolicyRegistry::Entry;
using PolicyParams = Params;
using PolicySpec = Spec;

}  // namespace colosim

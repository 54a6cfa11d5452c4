// Sweep files (experiments/sweep.h) in every encoding: the first byte picks .pb, .json or
// .textproto. What read_sweep accepts then goes through the checks that need no file: seeds,
// loads, policy specs against the registry, uniform cluster specs and generator specs.
#include "colosim/experiments/grid.h"
#include "colosim/experiments/sweep.h"
#include "colosim/policies/builtin.h"
#include "colosim/traces/inputs.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  quiet_protobuf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  namespace e = colosim::experiments;
  namespace t = colosim::traces;
  static const char* const kNames[] = {"sweep.pb", "sweep.json", "sweep.textproto"};
  static const colosim::PolicyRegistry policies = colosim::builtin_policies();
  const std::string path = fuzz_file(kNames[data[0] % 3], data + 1, size - 1);
  read_or_reject([&] {
    const e::CompareSpec spec = e::read_sweep(path);
    read_or_reject([&] { e::parse_seeds(spec.seeds); });
    read_or_reject([&] { e::check_loads(spec.loads); });
    for (const std::string& p : spec.policies) read_or_reject([&] { policies.make(colosim::PolicySpec::parse(p)); });
    if (!spec.baseline.empty()) read_or_reject([&] { colosim::PolicySpec::parse(spec.baseline); });
    for (const std::string& c : spec.clusters)
      if (t::is_uniform_cluster_spec(c)) read_or_reject([&] { t::parse_uniform_cluster(c); });
    if (t::GeneratorSpec::is_spec(spec.trace)) read_or_reject([&] { t::GeneratorSpec::parse(spec.trace); });
  });
  return 0;
}

// Philly run times and Helios arrival bins: the empirical distributions behind `colosim
// generate` (they are not job traces: Philly's file has run times only, Helios' only counts per
// 10-minute bin). See generator.h and docs/traces.md.
#include <cmath>

#include "colosim/errors.h"
#include "colosim/traces/csv.h"
#include "colosim/traces/generator.h"

namespace colosim::traces {

QuantileTable load_philly_runtime(const std::string& path) {
  CsvReader csv(path);
  const int runtime = csv.column("runtime");
  std::vector<double> samples;
  while (csv.next()) {
    const double x = csv.number(runtime);
    if (x < 0) csv.fail(runtime, "negative run time");
    samples.push_back(x);
  }
  if (samples.size() < 2) throw InputError(path, 0, "runtime", "need at least 2 run times");
  const auto n = samples.size();
  return QuantileTable::from_samples(std::move(samples), "Philly run times, " + path + " (" + std::to_string(n) + " jobs)");
}

ArrivalProfile load_helios_arrivals(const std::string& path, const std::string& column) {
  CsvReader csv(path);
  const int c = csv.column(column);
  csv.column("time");
  ArrivalProfile profile;
  profile.bin_seconds = 600;
  double total = 0;
  while (csv.next()) {
    const double x = csv.number(c);
    if (x < 0) csv.fail(c, "negative count");
    profile.weights.push_back(x);
    total += x;
  }
  if (!(total > 0)) throw InputError(path, 0, column, "no arrivals in any bin");
  if (!std::isfinite(total)) throw InputError(path, 0, column, "the bins sum to infinity");
  profile.source = "Helios 10-minute bins, " + path + " column " + column + " (" +
                   std::to_string(profile.weights.size()) + " bins)";
  return profile;
}

}  // namespace colosim::traces

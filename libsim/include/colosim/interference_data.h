#pragma once
// Measured interference data, independent of where it came from (Gavel's throughput JSON,
// Lucid's CSVs, a user's CSV): solo profiles of applications and measured pairs. The importers
// in traces/ produce it; the calibration (calibration.h) consumes it.
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace colosim {

// Well-known feature names. Any other name is allowed; a feature named "family:<x>" with value 1
// is a one-hot model family.
namespace feature {
inline constexpr const char* memory_mib = "memory_mib";          // solo GPU memory, MiB
inline constexpr const char* sm_util = "sm_util";                // solo SM utilisation, percent
inline constexpr const char* membw_util = "membw_util";          // solo memory-bandwidth util., %
inline constexpr const char* batch_size = "batch_size";
inline constexpr const char* amp = "amp";                        // mixed precision 0/1
inline constexpr const char* solo_throughput = "solo_throughput";  // in the source's own unit
}  // namespace feature

// Solo behaviour of one application on one GPU type.
struct AppProfile {
  std::string name;
  std::string gpu_type;  // empty: not recorded (applies to every GPU type)
  std::map<std::string, double> features;
};

// Two applications measured together on one GPU. Slowdown = solo throughput / co-located
// throughput. A slowdown that was not measured (a user CSV giving one direction only) is NaN.
struct PairMeasurement {
  std::string gpu_type;   // empty: not recorded
  std::string app_a;
  std::string app_b;      // may equal app_a (two instances of one application)
  double slowdown_a = std::numeric_limits<double>::quiet_NaN();  // of a while b runs beside it
  double slowdown_b = std::numeric_limits<double>::quiet_NaN();
  bool feasible = true;   // false: could not run together (e.g. out of memory); slowdowns NaN
  std::string source;     // "file:line" or "file:json-path" it came from
};

struct InterferenceData {
  std::string source;
  std::vector<AppProfile> apps;
  std::vector<PairMeasurement> pairs;

  // Sorted, distinct names of every application in a pair or a profile.
  std::vector<std::string> app_names() const;
  // Sorted, distinct GPU types of the pairs ("" included when some pair has none).
  std::vector<std::string> gpu_types() const;
  std::size_t feasible_pairs(const std::string& gpu_type) const;
  // Appends another data set (e.g. a user CSV next to its solo-feature CSV).
  void merge(InterferenceData other);
  // Throws InputError(pair.source, ...) on an empty name, a feasible pair without any finite
  // slowdown, a slowdown that is not finite and positive, or an infeasible pair with slowdowns.
  void validate() const;
};

}  // namespace colosim

// Interference measurements (interference_import.h): the first byte picks a pair table, an
// application-feature table, Lucid's colocation table or Gavel's throughput JSON.
#include "colosim/traces/interference_import.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  quiet_protobuf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  namespace t = colosim::traces;
  switch (data[0] % 4) {
    case 0: {
      const std::string path = fuzz_file("pairs.csv", data + 1, size - 1);
      read_or_reject([&] { t::import_pair_csv(path); });
      break;
    }
    case 1: {
      const std::string path = fuzz_file("features.csv", data + 1, size - 1);
      read_or_reject([&] { t::import_app_features_csv(path); });
      break;
    }
    case 2: {
      const std::string path = fuzz_file("colocate.csv", data + 1, size - 1);
      read_or_reject([&] { t::import_lucid(path, ""); });
      break;
    }
    default: {
      const std::string path = fuzz_file("throughputs.json", data + 1, size - 1);
      read_or_reject([&] { t::import_gavel_throughputs(path); });
      break;
    }
  }
  return 0;
}

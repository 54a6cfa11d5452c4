// The importers (importer.h) on arbitrary bytes: the first byte picks alibaba-gpu-v2023-openb
// (pod list), tiresias (job CSV), gavel (job trace, with a fixed throughput file), kubernetes
// (kubectl pods JSON) or slurm-sacct (sacct --parsable2).
#include "colosim/traces/importer.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  quiet_protobuf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  namespace t = colosim::traces;
  static const t::ImporterRegistry registry = t::builtin_importers();
  t::ImportRequest request;
  std::string importer;
  switch (data[0] % 5) {
    case 0:
      importer = "alibaba-gpu-v2023-openb";
      request.input = fuzz_file("pods.csv", data + 1, size - 1);
      break;
    case 1:
      importer = "tiresias";
      request.input = fuzz_file("jobs.csv", data + 1, size - 1);
      break;
    case 3:
      importer = "kubernetes";
      request.input = fuzz_file("pods.json", data + 1, size - 1);
      break;
    case 4:
      importer = "slurm-sacct";
      request.input = fuzz_file("sacct.txt", data + 1, size - 1);
      break;
    default: {
      importer = "gavel";
      request.input = fuzz_file("jobs.trace", data + 1, size - 1);
      static const std::string kThroughputs = R"j({"v100": {"('ResNet-18 (batch size 16)', 1)": {"null": 10.0},
                                                            "('ResNet-18 (batch size 16)', 2)": {"null": 18.0}}})j";
      request.extra.push_back(
          fuzz_file("throughputs.json", reinterpret_cast<const std::uint8_t*>(kThroughputs.data()), kThroughputs.size()));
      break;
    }
  }
  read_or_reject([&] { registry.run(importer, request); });
  return 0;
}

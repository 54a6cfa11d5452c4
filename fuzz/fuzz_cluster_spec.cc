// Cluster specs in every encoding (cluster_io.h): the first byte picks .pb, .json or .textproto.
#include "colosim/traces/cluster_io.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  quiet_protobuf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kNames[] = {"cluster.pb", "cluster.json", "cluster.textproto"};
  const std::string path = fuzz_file(kNames[data[0] % 3], data + 1, size - 1);
  read_or_reject([&] { colosim::traces::read_cluster(path); });
  return 0;
}

// Calibrated interference models (calibrated_model_io.h), then served: the loaded parameters
// must make a model that answers without undefined behaviour, or be rejected.
#include "colosim/calibrated_model.h"
#include "colosim/traces/calibrated_model_io.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  quiet_protobuf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = fuzz_file("model.pb", data, size);
  read_or_reject([&] {
    const colosim::CalibratedModel model(colosim::traces::load_calibrated_model(path));
    const auto& p = model.params();
    if (p.apps.empty()) return;
    model.predict_pair({p.apps.front()}, {p.apps.back()}, p.gpu_types.front());
    model.predict_pair({"unknown"}, {p.apps.front()}, p.gpu_types.front());
    model.feasibility({p.apps.front()}, {p.apps.back()}, {p.gpu_types.front(), 16384, 1.0});
    model.feasibility({"unknown", {{"memory_mib", 1000}}, 0}, {p.apps.back()}, {"no such type", 0, 1.0});
  });
  return 0;
}

#pragma once
// The calibrated interference model file: one binary CalibratedInterferenceModel message
// (traces/colosim.proto), conventionally *.pb.
#include <string>

#include "colosim/calibrated_model.h"

namespace colosim::traces {

void save_calibrated_model(const CalibratedParams& params, const std::string& path);
// Throws InputError when the file is missing, not a model, of a newer schema, or inconsistent.
CalibratedParams load_calibrated_model(const std::string& path);

}  // namespace colosim::traces

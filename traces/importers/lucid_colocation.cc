// Lucid's profiled pairs (S-Lab-System-Group/Lucid: simulation/data/colocate_info.csv and
// simulation/analyzer/single_data.csv).
#include "colosim/errors.h"
#include "colosim/traces/csv.h"
#include "colosim/traces/interference_import.h"

namespace colosim::traces {
namespace {

// "model/dataset/bs<batch>[/amp]" from the columns with this suffix ("1", "2" or "").
std::string app_name(const CsvReader& in, const std::string& suffix) {
  const int model = in.column("model" + suffix), dataset = in.column("dataset" + suffix);
  const int batch = in.column("batchsize" + suffix), amp_col = in.column("amp" + suffix);
  const double amp = in.number(amp_col);
  if (amp != 0 && amp != 1) in.fail(amp_col, "expected 0 or 1");
  in.number(batch);  // must be a number; the name keeps it as written
  if (in.text(model).empty()) in.fail(model, "empty model name");
  return in.text(model) + "/" + in.text(dataset) + "/bs" + in.text(batch) + (amp == 1 ? "/amp" : "");
}

}  // namespace

InterferenceData import_lucid(const std::string& colocate_path, const std::string& single_data_path) {
  InterferenceData data;
  data.source = colocate_path;
  CsvReader in(colocate_path);
  const int speed1 = in.column("speed1"), speed2 = in.column("speed2");
  const int gpu_num[] = {in.column("gpu_num1"), in.column("gpu_num2")};
  while (in.next()) {
    PairMeasurement m;
    m.app_a = app_name(in, "1");
    m.app_b = app_name(in, "2");
    m.source = colocate_path + ":" + std::to_string(in.line());
    for (int col : gpu_num)
      if (in.number(col) != 1) in.fail(col, "only single-GPU pairs are supported");
    const double s1 = in.number(speed1), s2 = in.number(speed2);
    if (s1 <= 0) in.fail(speed1, "normalised speed must be > 0");
    if (s2 <= 0) in.fail(speed2, "normalised speed must be > 0");
    m.slowdown_a = 1.0 / s1;
    m.slowdown_b = 1.0 / s2;
    data.pairs.push_back(std::move(m));
  }
  if (!single_data_path.empty()) {
    data.source += " + " + single_data_path;
    CsvReader s(single_data_path);
    const int model = s.column("model"), gpu_util = s.column("gpu_util"), gmem_util = s.column("gmem_util");
    const int gmem = s.column("gmem"), batch = s.column("batchsize"), amp = s.column("amp"), speed = s.column("speed");
    while (s.next()) {
      AppProfile p;
      p.name = app_name(s, "");
      p.features[feature::sm_util] = s.number(gpu_util);
      p.features[feature::membw_util] = s.number(gmem_util);
      p.features[feature::memory_mib] = s.number(gmem);
      p.features[feature::batch_size] = s.number(batch);
      p.features[feature::amp] = s.number(amp);
      p.features[feature::solo_throughput] = s.number(speed);
      p.features["family:" + s.text(model)] = 1.0;
      if (p.features[feature::memory_mib] <= 0) s.fail(gmem, "must be > 0");
      data.apps.push_back(std::move(p));
    }
  }
  data.validate();
  return data;
}

}  // namespace colosim::traces

// Gavel's measured throughputs (stanford-futuredata/gavel, scheduler/*_throughputs.json).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "colosim/errors.h"
#include "colosim/traces/interference_import.h"

namespace colosim::traces {
namespace {

namespace pb = google::protobuf;

// "('ResNet-18 (batch size 16)', 1)" -> ("ResNet-18 (batch size 16)", 1)
bool parse_job_key(const std::string& key, std::string& job, int& scale) {
  static const std::regex re(R"(^\('(.*)',\s*(\d+)\)$)");
  std::smatch m;
  if (!std::regex_match(key, m, re)) return false;
  job = m[1];
  scale = std::stoi(m[2]);
  return true;
}

std::vector<std::string> sorted_keys(const pb::Struct& s) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : s.fields()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

AppProfile profile(const std::string& job, const std::string& gpu, double iso) {
  AppProfile p{job, gpu, {}};
  p.features[feature::solo_throughput] = iso;
  static const std::regex bs_re(R"(^(.*) \(batch size (\d+)\)$)");
  std::smatch m;
  std::string family = job;
  if (std::regex_match(job, m, bs_re)) {
    family = m[1];
    p.features[feature::batch_size] = std::stod(m[2]);
  }
  p.features["family:" + family] = 1.0;
  return p;
}

}  // namespace

InterferenceData import_gavel_throughputs(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, 0, "", "cannot open file");
  std::stringstream buf;
  buf << in.rdbuf();
  pb::Struct root;
  auto status = pb::util::JsonStringToMessage(buf.str(), &root);
  if (!status.ok()) throw InputError(path, 0, "", "not valid JSON: " + std::string(status.message()));

  InterferenceData data;
  data.source = path;
  for (const auto& gpu : sorted_keys(root)) {
    if (gpu.find("_unconsolidated") != std::string::npos) continue;
    const auto& gv = root.fields().at(gpu);
    if (!gv.has_struct_value()) throw InputError(path, 0, gpu, "expected an object of job types");
    const auto& jobs = gv.struct_value();
    // Solo throughputs of the single-GPU job types.
    std::map<std::string, double> iso;
    std::map<std::string, const pb::Struct*> entries;
    for (const auto& key : sorted_keys(jobs)) {
      std::string job;
      int scale = 0;
      const std::string where = gpu + "/" + key;
      if (!parse_job_key(key, job, scale)) throw InputError(path, 0, where, "expected \"('<job type>', <scale factor>)\"");
      if (scale != 1) continue;
      const auto& jv = jobs.fields().at(key);
      if (!jv.has_struct_value()) throw InputError(path, 0, where, "expected an object");
      const auto& js = jv.struct_value();
      auto null_it = js.fields().find("null");
      if (null_it == js.fields().end() || !null_it->second.has_number_value())
        throw InputError(path, 0, where + "/null", "missing isolated throughput");
      double v = null_it->second.number_value();
      if (!(std::isfinite(v) && v > 0)) throw InputError(path, 0, where + "/null", "isolated throughput must be > 0");
      iso[job] = v;
      entries[job] = &js;
    }
    for (const auto& [job, v] : iso) data.apps.push_back(profile(job, gpu, v));
    for (const auto& [job_a, js] : entries) {
      for (const auto& key : sorted_keys(*js)) {
        if (key == "null") continue;
        std::string job_b;
        int scale = 0;
        const std::string where = gpu + "/('" + job_a + "', 1)/" + key;
        if (!parse_job_key(key, job_b, scale)) throw InputError(path, 0, where, "expected \"('<job type>', <scale factor>)\"");
        if (scale != 1 || job_b < job_a) continue;  // multi-GPU: never packed; mirror: read once
        if (!iso.count(job_b)) throw InputError(path, 0, where, "job type has no isolated throughput on " + gpu);
        const auto& val = js->fields().at(key);
        if (!val.has_list_value() || val.list_value().values_size() != 2 ||
            !val.list_value().values(0).has_number_value() || !val.list_value().values(1).has_number_value())
          throw InputError(path, 0, where, "expected [throughput, throughput]");
        double ca = val.list_value().values(0).number_value(), cb = val.list_value().values(1).number_value();
        PairMeasurement m;
        m.gpu_type = gpu;
        m.app_a = job_a;
        m.app_b = job_b;
        m.source = path + ":" + where;
        if (ca == 0.0 && cb == 0.0) {
          m.feasible = false;  // the pair could not run together
        } else {
          if (!(std::isfinite(ca) && ca > 0)) throw InputError(path, 0, where, "co-located throughput of " + job_a + " must be > 0");
          if (!(std::isfinite(cb) && cb > 0)) throw InputError(path, 0, where, "co-located throughput of " + job_b + " must be > 0");
          m.slowdown_a = iso[job_a] / ca;
          m.slowdown_b = iso[job_b] / cb;
        }
        data.pairs.push_back(std::move(m));
      }
    }
  }
  if (data.pairs.empty()) throw InputError(path, 0, "", "no single-GPU pair measurements found");
  return data;
}

}  // namespace colosim::traces

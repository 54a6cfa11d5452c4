// Gavel's measured throughputs (stanford-futuredata/gavel, scheduler/*_throughputs.json).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string_view>
#include <sstream>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/traces/interference_import.h"

namespace colosim::traces {
namespace {

namespace pb = google::protobuf;

// Keys come from the file and may be huge; a message shows their start.
std::string shorten(const std::string& text) { return text.size() <= 120 ? text : text.substr(0, 120) + "..."; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// "('ResNet-18 (batch size 16)', 1)" -> ("ResNet-18 (batch size 16)", 1). Scanned by hand: a
// std::regex recurses once per character and overflows the stack on a long key.
// Returns the problem, or nullptr.
const char* parse_job_key(std::string_view key, std::string& job, std::int64_t& scale) {
  constexpr const char* kShape = "expected \"('<job type>', <scale factor>)\"";
  if (key.size() < 6 || key.substr(0, 2) != "('" || key.back() != ')') return kShape;
  const auto quote = key.rfind("',");
  if (quote == std::string_view::npos || quote < 2) return kShape;
  std::string_view digits = key.substr(quote + 2, key.size() - quote - 3);
  while (!digits.empty() && is_space(digits.front())) digits.remove_prefix(1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return kShape;
  auto value = parse_integer(digits);
  if (!value) return "scale factor out of range";
  job = std::string(key.substr(2, quote - 2));
  scale = *value;
  return nullptr;
}

std::vector<std::string> sorted_keys(const pb::Struct& s) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : s.fields()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  return keys;
}

AppProfile profile(const std::string& path, const std::string& job, const std::string& gpu, double iso) {
  AppProfile p{job, gpu, {}};
  p.features[feature::solo_throughput] = iso;
  // "<family> (batch size <n>)"
  constexpr std::string_view kMarker = " (batch size ";
  std::string family = job;
  const auto at = job.rfind(kMarker);
  const std::string_view digits =
      at == std::string::npos || job.back() != ')'
          ? std::string_view()
          : std::string_view(job).substr(at + kMarker.size(), job.size() - at - kMarker.size() - 1);
  if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos) {
    auto size = parse_integer(digits);
    if (!size || *size < 1 || *size > (std::int64_t{1} << 53))
      throw InputError(path, 0, shorten(gpu + "/" + job), "batch size " + shorten(std::string(digits)) + " out of range");
    family = job.substr(0, at);
    p.features[feature::batch_size] = static_cast<double>(*size);
  }
  p.features["family:" + family] = 1.0;
  return p;
}

pb::Struct read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, 0, "", "cannot open file");
  std::stringstream buf;
  buf << in.rdbuf();
  pb::Struct root;
  auto status = pb::util::JsonStringToMessage(buf.str(), &root);
  if (!status.ok()) throw InputError(path, 0, "", "not valid JSON: " + std::string(status.message()));
  return root;
}

}  // namespace

InterferenceData import_gavel_throughputs(const std::string& path) {
  const pb::Struct root = read_json(path);

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
      std::int64_t scale = 0;
      const std::string where = shorten(gpu + "/" + key);
      if (const char* problem = parse_job_key(key, job, scale)) throw InputError(path, 0, where, problem);
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
    for (const auto& [job, v] : iso) data.apps.push_back(profile(path, job, gpu, v));
    for (const auto& [job_a, js] : entries) {
      for (const auto& key : sorted_keys(*js)) {
        if (key == "null") continue;
        std::string job_b;
        std::int64_t scale = 0;
        const std::string where = shorten(gpu + "/('" + job_a + "', 1)/" + key);
        if (const char* problem = parse_job_key(key, job_b, scale)) throw InputError(path, 0, where, problem);
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

std::vector<AppSpeed> gavel_app_speeds(const std::string& path, const std::string& reference) {
  const pb::Struct root = read_json(path);
  // {gpu: {(job, scale): isolated steps/s}}, the "null" entries only.
  auto isolated = [&](const std::string& gpu) {
    std::map<std::pair<std::string, std::int64_t>, double> out;
    const auto& gv = root.fields().at(gpu);
    if (!gv.has_struct_value()) throw InputError(path, 0, gpu, "expected an object of job types");
    for (const auto& key : sorted_keys(gv.struct_value())) {
      std::string job;
      std::int64_t scale = 0;
      const std::string where = shorten(gpu + "/" + key);
      if (const char* problem = parse_job_key(key, job, scale)) throw InputError(path, 0, where, problem);
      const auto& jv = gv.struct_value().fields().at(key);
      if (!jv.has_struct_value()) throw InputError(path, 0, where, "expected an object");
      const auto null_it = jv.struct_value().fields().find("null");
      if (null_it == jv.struct_value().fields().end() || !null_it->second.has_number_value())
        throw InputError(path, 0, where + "/null", "missing isolated throughput");
      const double v = null_it->second.number_value();
      if (!(std::isfinite(v) && v >= 0)) throw InputError(path, 0, where + "/null", "isolated throughput must be >= 0");
      if (v == 0) continue;  // Gavel could not run it there (e.g. out of memory): no speed to give
      if (scale < 1 || scale > kMaxClusterGpus) throw InputError(path, 0, where, "scale factor out of range");
      out[{job, scale}] = v;
    }
    return out;
  };
  if (!root.fields().count(reference))
    throw InputError(path, 0, reference, "no GPU type '" + reference + "' in the throughput file (the reference type)");
  const auto base = isolated(reference);
  std::vector<AppSpeed> speeds;
  for (const auto& gpu : sorted_keys(root)) {
    if (gpu.find("_unconsolidated") != std::string::npos) continue;
    for (const auto& [key, thr] : isolated(gpu)) {
      const auto it = base.find(key);
      if (it == base.end()) continue;  // no solo duration to scale: the job cannot run on the reference type either
      speeds.push_back({key.first, gpu, static_cast<int>(key.second), thr / it->second});
    }
  }
  return speeds;
}

}  // namespace colosim::traces

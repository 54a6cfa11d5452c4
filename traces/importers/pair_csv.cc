// A user's own measurements: victim,aggressor,slowdown[,gpu_type] and solo-feature CSVs, and
// the dispatcher that picks an importer by file.
#include <cmath>
#include <filesystem>
#include <map>
#include <tuple>

#include "colosim/errors.h"
#include "colosim/traces/csv.h"
#include "colosim/traces/interference_import.h"

namespace colosim::traces {

InterferenceData import_pair_csv(const std::string& path) {
  CsvReader in(path);
  const int cv = in.column("victim"), ca = in.column("aggressor"), cs = in.column("slowdown");
  const auto cg = in.find_column("gpu_type");
  for (const auto& name : in.header())
    if (name != "victim" && name != "aggressor" && name != "slowdown" && name != "gpu_type")
      throw InputError(path, 1, name, "unknown column of a pair table (victim, aggressor, slowdown, gpu_type)");
  // (gpu, a, b) with a <= b -> index in data.pairs
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> directed;
  InterferenceData data;
  data.source = path;
  while (in.next()) {
    const std::string& v = in.text(cv);
    const std::string& a = in.text(ca);
    const std::string gpu = cg ? in.text(*cg) : std::string();
    if (v.empty()) in.fail(cv, "empty application name");
    if (a.empty()) in.fail(ca, "empty application name");
    auto [dit, fresh] = directed.emplace(std::make_tuple(gpu, v, a), in.line());
    if (!fresh)
      in.fail(cv, "repeated measurement of " + v + " beside " + a + " (first on line " + std::to_string(dit->second) + ")");
    const bool infeasible = in.text(cs) == "infeasible";
    double s = 0;
    if (!infeasible) {
      s = in.number(cs);
      if (s <= 0) in.fail(cs, "must be > 0 (or 'infeasible')");
    }
    const bool swapped = a < v;
    auto key = std::make_tuple(gpu, swapped ? a : v, swapped ? v : a);
    auto it = index.find(key);
    if (it == index.end()) {
      PairMeasurement m;
      m.gpu_type = gpu;
      m.app_a = std::get<1>(key);
      m.app_b = std::get<2>(key);
      m.source = path + ":" + std::to_string(in.line());
      m.feasible = !infeasible;
      it = index.emplace(key, data.pairs.size()).first;
      data.pairs.push_back(m);
    }
    PairMeasurement& m = data.pairs[it->second];
    if (m.feasible == infeasible)
      in.fail(cs, "one direction of the pair is infeasible and the other is not (see " + m.source + ")");
    if (infeasible) continue;
    if (v == a) {  // two instances of one application: keep the mean of the rows given
      m.slowdown_b = m.slowdown_a = std::isnan(m.slowdown_a) ? s : 0.5 * (m.slowdown_a + s);
    } else if (swapped) {
      m.slowdown_b = s;
    } else {
      m.slowdown_a = s;
    }
  }
  data.validate();
  return data;
}

InterferenceData import_app_features_csv(const std::string& path) {
  CsvReader in(path);
  const int capp = in.column("app");
  const auto cg = in.find_column("gpu_type");
  const auto& header = in.header();
  // Every other column is a feature: names must be present and distinct. An unnamed first
  // column is a pandas index and is not read.
  const bool index_column = !header.empty() && header[0].empty();
  for (std::size_t c = index_column ? 1 : 0; c < header.size(); ++c) {
    if (header[c].empty()) throw InputError(path, 1, "", "column " + std::to_string(c + 1) + " has no name");
    for (std::size_t d = 0; d < c; ++d)
      if (header[d] == header[c]) throw InputError(path, 1, header[c], "repeated column");
  }
  InterferenceData data;
  data.source = path;
  std::map<std::pair<std::string, std::string>, std::int64_t> seen;
  while (in.next()) {
    AppProfile p;
    p.name = in.text(capp);
    if (p.name.empty()) in.fail(capp, "empty application name");
    if (cg) p.gpu_type = in.text(*cg);
    auto [it, fresh] = seen.emplace(std::make_pair(p.name, p.gpu_type), in.line());
    if (!fresh) in.fail(capp, "repeated application (first on line " + std::to_string(it->second) + ")");
    for (int c = 0; c < static_cast<int>(header.size()); ++c) {
      if ((c == 0 && index_column) || c == capp || (cg && c == *cg) || in.text(c).empty()) continue;
      p.features[header[static_cast<std::size_t>(c)]] = in.number(c);
    }
    data.apps.push_back(std::move(p));
  }
  return data;
}

InterferenceData import_interference_data(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  InterferenceData all;
  for (const auto& path : paths) {
    if (fs::path(path).extension() == ".json") {
      all.merge(import_gavel_throughputs(path));
      continue;
    }
    const CsvReader header(path);  // the header only: the importer reads the file again
    if (header.find_column("speed1")) {
      auto single = fs::path(path).parent_path() / "single_data.csv";
      all.merge(import_lucid(path, fs::exists(single) ? single.string() : std::string()));
    } else if (header.find_column("app")) {
      all.merge(import_app_features_csv(path));
    } else {
      all.merge(import_pair_csv(path));
    }
  }
  all.validate();
  return all;
}

}  // namespace colosim::traces

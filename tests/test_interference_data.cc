// Importers of measured interference data (issue 4): counts checked by hand against the data's
// PROVENANCE.md tables and a Python count of the files, and bad input reported with its place.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "colosim/errors.h"
#include "colosim/traces/interference_import.h"
#include "shared_data.h"

using namespace colosim;

namespace {

std::string temp_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("colosim_test_" + name);
  std::ofstream(path) << text;
  return path.string();
}

const PairMeasurement* find_pair(const InterferenceData& d, const std::string& gpu, const std::string& a,
                                 const std::string& b) {
  for (const auto& m : d.pairs)
    if (m.gpu_type == gpu && m.app_a == a && m.app_b == b) return &m;
  return nullptr;
}

}  // namespace

TEST_CASE("gavel throughputs: pairs per GPU type after the 48 withheld pairs") {
  auto path = shared_data_file("gavel-colocation/simulation_throughputs.json");
  if (!path) return;
  const auto d = traces::import_gavel_throughputs(path->string());
  // 26 single-GPU job types; 351 unordered pairs (325 + 26 self) less the 48 withheld = 303
  // per type. PROVENANCE gives 306/340/330 feasible pairs before withholding; counting the
  // shipped file ([0,0] = infeasible) leaves 265/294/287.
  CHECK(d.gpu_types() == std::vector<std::string>{"k80", "p100", "v100"});
  CHECK(d.apps.size() == 3 * 26);
  CHECK(d.app_names().size() == 26);
  CHECK(d.pairs.size() == 3 * 303);
  CHECK(d.feasible_pairs("k80") == 265);
  CHECK(d.feasible_pairs("p100") == 294);
  CHECK(d.feasible_pairs("v100") == 287);
  // SUMMARY.md: v100 A3C + CycleGAN slow down 1.57x and 1.40x; p100 LM bs20 self-pair 2.09x.
  const auto* m = find_pair(d, "v100", "A3C", "CycleGAN");
  REQUIRE(m != nullptr);
  CHECK(m->slowdown_a == doctest::Approx(1.572896).epsilon(1e-5));
  CHECK(m->slowdown_b == doctest::Approx(1.399215).epsilon(1e-5));
  const auto* self = find_pair(d, "p100", "LM (batch size 20)", "LM (batch size 20)");
  REQUIRE(self != nullptr);
  CHECK(self->slowdown_a == doctest::Approx(2.08819).epsilon(1e-5));
  for (const auto& p : d.pairs) {
    if (!p.feasible) {
      CHECK((std::isnan(p.slowdown_a) && std::isnan(p.slowdown_b)));  // never 0 or inf
    } else {
      CHECK((p.slowdown_a >= 1.0 && p.slowdown_b >= 1.0));
    }
  }
}

TEST_CASE("lucid colocation: pairs, profiles and slowdown = 1 / speed") {
  auto pairs = shared_data_file("lucid-colocation/colocate_info.csv");
  auto single = shared_data_file("lucid-colocation/single_data.csv");
  if (!pairs || !single) return;
  const auto d = traces::import_lucid(pairs->string(), single->string());
  // 1,111 rows kept of 1,388 (PROVENANCE), each a distinct unordered pair, 47 of them
  // self-pairs; 56 configurations in pairs, 66 solo profiles (BERT, ResNet50, Transformer add 10).
  CHECK(d.pairs.size() == 1111);
  CHECK(d.apps.size() == 66);
  CHECK(d.app_names().size() == 66);
  CHECK(d.gpu_types() == std::vector<std::string>{""});
  // SUMMARY.md example: LSTM/Wikitext2 bs64 with itself, speed 0.563 -> 1.776x.
  const auto* m = find_pair(d, "", "LSTM/Wikitext2/bs64", "LSTM/Wikitext2/bs64");
  REQUIRE(m != nullptr);
  CHECK(m->slowdown_a == doctest::Approx(1 / 0.563));
  std::size_t faster = 0;
  for (const auto& p : d.pairs) faster += (p.slowdown_a < 1) + (p.slowdown_b < 1);
  CHECK(faster == 473);  // speeds above 1 (noise) are kept, not clipped
}

TEST_CASE("pair csv: directions merge into pairs, infeasible marked, features read") {
  const auto path = temp_file("pairs.csv",
                              "victim,aggressor,slowdown,gpu_type\n"
                              "a,b,1.5,V100\n"
                              "b,a,1.25,V100\n"
                              "a,a,2.0,V100\n"
                              "c,a,infeasible,V100\n"
                              "a,c,infeasible,V100\n"
                              "c,b,1.1,K80\n");
  const auto d = traces::import_pair_csv(path);
  REQUIRE(d.pairs.size() == 4);
  const auto* ab = find_pair(d, "V100", "a", "b");
  REQUIRE(ab != nullptr);
  CHECK(ab->slowdown_a == 1.5);
  CHECK(ab->slowdown_b == 1.25);
  const auto* ac = find_pair(d, "V100", "a", "c");
  REQUIRE(ac != nullptr);
  CHECK_FALSE(ac->feasible);
  const auto* bc = find_pair(d, "K80", "b", "c");
  REQUIRE(bc != nullptr);
  CHECK(std::isnan(bc->slowdown_a));  // only c beside b was measured
  CHECK(bc->slowdown_b == 1.1);

  const auto fpath = temp_file("features.csv", "app,memory_mib,sm_util\na,1000,50\nb,,80\n");
  const auto f = traces::import_app_features_csv(fpath);
  REQUIRE(f.apps.size() == 2);
  CHECK(f.apps[0].features.at("memory_mib") == 1000);
  CHECK(f.apps[1].features.count("memory_mib") == 0);
}

TEST_CASE("interference importers: bad input names file, line and field") {
  auto expect = [](auto&& fn, std::int64_t line, const std::string& field) {
    try {
      fn();
      FAIL("expected InputError");
    } catch (const InputError& e) {
      CHECK(e.line() == line);
      CHECK(e.field() == field);
    }
  };
  const auto bad_number = temp_file("bad1.csv", "victim,aggressor,slowdown\na,b,1.2\na,c,fast\n");
  expect([&] { traces::import_pair_csv(bad_number); }, 3, "slowdown");
  const auto negative = temp_file("bad2.csv", "victim,aggressor,slowdown\na,b,-1\n");
  expect([&] { traces::import_pair_csv(negative); }, 2, "slowdown");
  const auto repeated = temp_file("bad3.csv", "victim,aggressor,slowdown\na,b,1.2\na,b,1.3\n");
  expect([&] { traces::import_pair_csv(repeated); }, 3, "victim");
  const auto missing = temp_file("bad4.csv", "victim,slowdown\na,1.2\n");
  expect([&] { traces::import_pair_csv(missing); }, 1, "aggressor");
  const auto half_zero = temp_file(
      "bad5.json", R"J({"k80": {"('A', 1)": {"null": 2.0, "('B', 1)": [1.0, 0.0]}, "('B', 1)": {"null": 1.0}}})J");
  expect([&] { traces::import_gavel_throughputs(half_zero); }, 0, "k80/('A', 1)/('B', 1)");
  const auto lucid = temp_file("bad6.csv",
                               ",model1,dataset1,gpu_num1,batchsize1,amp1,speed1,model2,dataset2,gpu_num2,batchsize2,"
                               "amp2,speed2,gpu_util,gmem_util,gmem\n0,M,D,1,32,0,0,N,D,1,32,0,0.9,50,20,3000\n");
  expect([&] { traces::import_lucid(lucid, ""); }, 2, "speed1");
}

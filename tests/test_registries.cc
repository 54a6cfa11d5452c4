// Issue 9: one registry pattern, and the rule that an extension's file is named after what it
// registers (docs/ARCHITECTURE.md): users find `--policy load-balance` in policies/load_balance.cc.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "colosim/errors.h"
#include "colosim/policies/builtin.h"
#include "colosim/queue_order.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/inputs.h"
#include "colosim/traces/trace_format.h"
#include "shared_data.h"

using namespace colosim;

namespace {

std::string file_name_of(std::string name) {
  for (char& c : name)
    if (c == '-') c = '_';
  return name + ".cc";
}

}  // namespace

TEST_CASE("issue 9: every registered policy, importer, queue order and trace format lives in the file named after it") {
  const PolicyRegistry policies = builtin_policies();
  const traces::ImporterRegistry importers = traces::builtin_importers();
  const traces::TraceFormatRegistry formats = traces::builtin_trace_formats();
  const QueueOrderRegistry queue_orders = builtin_queue_orders();
  for (const PolicyInfo* info : policies.list()) {
    INFO("policy " << info->name);
    CHECK(std::filesystem::exists(source_file("policies/" + file_name_of(info->name))));
  }
  for (const auto* info : importers.list()) {
    INFO("importer " << info->name);
    CHECK(std::filesystem::exists(source_file("traces/importers/" + file_name_of(info->name))));
  }
  for (const auto* info : queue_orders.list()) {
    INFO("queue order " << info->name);
    CHECK(std::filesystem::exists(source_file("libsim/queue_orders/" + file_name_of(info->name))));
  }
  for (const auto* info : formats.list()) {
    INFO("trace format " << info->name);
    CHECK(std::filesystem::exists(source_file("traces/formats/" + file_name_of(info->name))));
  }
  CHECK(formats.names() == "csv, json, pb, textproto");
}

TEST_CASE("issue 9: trace formats are registry entries: extensions are owned once, names list the known ones") {
  traces::TraceFormatRegistry formats = traces::builtin_trace_formats();
  CHECK(formats.extensions("textproto") == std::vector<std::string>{".textproto", ".txtpb"});
  CHECK(formats.make("csv").needs_feature_names);
  CHECK_FALSE(formats.make("pb").needs_feature_names);
  CHECK_THROWS_WITH(formats.make("yaml"), "unknown trace format 'yaml' (known: csv, json, pb, textproto)");
  CHECK_THROWS_WITH(formats.extensions("yaml"), "unknown trace format 'yaml' (known: csv, json, pb, textproto)");
  // A second owner of an extension is refused, so that an extension always names one format.
  CHECK_THROWS_WITH(formats.add({.name = "csv2", .description = "d", .params = {}, .make = [](const Params&) { return traces::TraceEncoding{}; }},
                                {".CSV"}),
                    "trace format 'csv2': extension .CSV belongs to 'csv'");
  CHECK_THROWS_WITH(formats.add({.name = "csv", .description = "d", .params = {}, .make = [](const Params&) { return traces::TraceEncoding{}; }},
                                {".tsv"}),
                    "trace format 'csv' registered twice");
  CHECK_FALSE(formats.find("csv2"));
  CHECK_THROWS_AS(formats.spec_for("x.tsv"), InputError);  // the failed add left nothing behind
}

TEST_CASE("issue 9: registries share one pattern: unknown names and keys list what is known") {
  const auto models = traces::builtin_interference_models();
  std::string names;
  for (const auto* e : models.list()) names += e->name + " ";
  CHECK(names == "calibrated none pair-table seed-paper ");
  CHECK_THROWS_WITH(models.make("nosuch", "", PairTableOptions{}),
                    "unknown interference model 'nosuch' (known: calibrated, none, pair-table, seed-paper)");
  CHECK_THROWS_WITH(models.make("none:x=1", "", PairTableOptions{}),
                    "interference model 'none' has no parameter 'x' (parameters: none)");
  const PolicyRegistry policies = builtin_policies();
  CHECK_THROWS_WITH(policies.make("random:nosuch=1"),
                    "policy 'random' has no parameter 'nosuch' (parameters: check_memory, pick)");
  CHECK_THROWS_WITH(traces::resolve_interference("slowdowns.txt"), doctest::Contains("slowdowns.txt: unknown interference model"));
  CHECK(traces::resolve_interference("seed-paper")->describe().find("seed paper") != std::string::npos);
}

// Issue 9: each option, metric and column is defined once, and every output follows the table.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "colosim/errors.h"
#include "colosim/job_columns.h"
#include "colosim/metric_table.h"
#include "colosim/run_options.h"
#include "colosim/traces/results_io.h"

using namespace colosim;

namespace {
std::string error_of(auto&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("issue 9: run options have unique keys, and their defaults read back to themselves") {
  std::set<std::string> keys;
  const RunOptions defaults;
  for (const OptionDef& d : run_option_table()) {
    CHECK(keys.insert(d.key).second);
    CHECK(d.cli_flag().starts_with("--"));
    CHECK(d.cli_flag().find('_') == std::string::npos);
    RunOptions o;
    if (!d.get(defaults).empty() || d.may_be_unset) set_run_option(o, d.key, d.get(defaults));
    CHECK(run_option_values(o) == run_option_values(defaults));
    for (const std::string& choice : d.choices) {
      RunOptions c;
      set_run_option(c, d.key, choice);
      CHECK(d.get(c) == choice);
    }
  }
  // The defaults the comparison once disagreed on (issue 9): one value now.
  CHECK(defaults.sim.backfill_depth == 1000);
}

TEST_CASE("issue 9: run options are set by key with dashes or underscores, and bad values name the option") {
  RunOptions o;
  set_run_option(o, "backfill-depth", "0");
  set_run_option(o, "--oom-delay-s", "2.5");
  set_run_option(o, "unknown_pair_slowdown", "1.25");
  CHECK(o.sim.backfill_depth == 0);
  CHECK(o.sim.oom_delay == 2'500'000);
  CHECK(o.pairs.unknown_pair_slowdown == 1.25);
  set_run_option(o, "unknown_pair_slowdown", "");
  CHECK_FALSE(o.pairs.unknown_pair_slowdown);
  CHECK(error_of([&] { set_run_option(o, "backfil_depth", "0"); }).starts_with("unknown option 'backfil_depth' (options: discipline,"));
  CHECK(error_of([&] { set_run_option(o, "backfill_depth", "-1"); }) ==
        "option backfill_depth: expected a whole number from 0 to 2147483647, got '-1'");
  CHECK(error_of([&] { set_run_option(o, "backfill_depth", "1e3"); }).find("got '1e3'") != std::string::npos);
  CHECK(error_of([&] { set_run_option(o, "oom_delay_s", "nan"); }).find("option oom_delay_s") != std::string::npos);
  CHECK(error_of([&] { set_run_option(o, "oom_delay_s", "1e300"); }).find("option oom_delay_s") != std::string::npos);
  CHECK(error_of([&] { set_run_option(o, "unknown_pair_slowdown", "0"); }).find("positive") != std::string::npos);
  CHECK(error_of([&] { set_run_option(o, "allow_multi_node", "maybe"); }) == "option allow_multi_node: expected true or false, got 'maybe'");
  CHECK(error_of([&] { set_run_option(o, "memory", "sometimes"); }).find("unknown memory mode 'sometimes'") != std::string::npos);
}

TEST_CASE("issue 9: summary.json and jobs.csv follow the metric and column tables") {
  Summary s;
  s.jobs = 3;
  s.finished = 2;
  s.makespan_s = 712.2;
  s.jct_mean_s = 0.1;
  const std::string json = traces::summary_to_json(s, {{"policy", "binpack"}});
  std::size_t at = 0;
  std::set<std::string> keys;
  for (const MetricDef& m : summary_metrics()) {
    CHECK(keys.insert(m.key).second);
    CHECK(find_metric(m.key) == &m);
    const auto found = json.find("\"" + std::string(m.key) + "\": ", at);
    REQUIRE(found != std::string::npos);  // present, in table order
    at = found;
  }
  CHECK(json.find("\"jobs\": 3,") != std::string::npos);           // counts as integers
  CHECK(json.find("\"makespan_s\": 712.2,") != std::string::npos);  // shortest round trip
  CHECK(json.find("\"jct_mean_s\": 0.1,") != std::string::npos);

  std::string header;
  for (const JobColumn& c : job_columns()) header += (header.empty() ? "" : ",") + std::string(c.key);
  CHECK(traces::jobs_csv_header() == header);
  JobRecord r;
  r.id = "a,b";
  r.app = "x";
  r.submit = 1'500'000;
  r.start = 2'000'000;
  r.end = 5'000'000;
  r.solo_duration = 3'000'000;
  r.gpus = 2;
  r.gpu_list = {3, 4};
  CHECK(traces::format_job_row(r) ==
        "\"a,b\",x,1.500000,2.000000,5.000000,2,0.500000,3.500000,1.000000,1.000000,1.166667,0,0.000000,0.000000,0.000000,0,finished,3|4,");
}

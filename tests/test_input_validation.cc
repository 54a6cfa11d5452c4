// Issue 9 (one definition of a valid job, one parser of the CSV job columns) and issue 10
// (reliability of the readers): every bad input is an InputError naming the file, the line or
// record and the field; never a crash, a hang, a wrapped number or a silent empty run.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "colosim/calibrated_model.h"
#include "colosim/checked.h"
#include "colosim/cluster_spec.h"
#include "colosim/errors.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/generator.h"
#include "colosim/traces/importer.h"
#include "colosim/traces/interference_import.h"
#include "colosim/traces/job_csv.h"
#include "colosim/traces/schema_version.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"
#include "shared_data.h"

using namespace colosim;
using namespace colosim::traces;

namespace {

// The first InputError that reading the whole trace raises.
InputError read_error(const std::string& path, TraceReadOptions options = {}) {
  try {
    auto reader = open_trace_reader(path, "", options);
    while (reader->next()) {
    }
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no InputError reading " << path);
  return InputError("", 0, "", "");
}

std::int64_t count_jobs(const std::string& path, TraceReadOptions options = {}) {
  auto reader = open_trace_reader(path, "", options);
  std::int64_t n = 0;
  while (reader->next()) ++n;
  return n;
}

const std::string kHeader = "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util\n";

}  // namespace

TEST_CASE("issue 9: the same bad job gets the same error through CSV, JSON, text format and .pb") {
  const auto dir = test_temp_dir("same-error");
  struct Case {
    std::string csv_row, json_job, csv_field, proto_field, problem;
  };
  // Second job bad; the first one is fine, so the error is at record 2 (line 3 of the CSV).
  const Case cases[] = {
      {"b,x,1,1,0,5,0", R"({"id": "b", "app": "x", "submit": 1, "duration": 1, "gpus": 0, "memory_mib": 5})", "memory_mib",
       "memory_mib", "a CPU-only job (gpus 0) uses no GPU memory, got 5"},
      {"b,x,1,1,1,-5,0", R"({"id": "b", "app": "x", "submit": 1, "duration": 1, "gpus": 1, "memory_mib": -5})",
       "memory_mib", "memory_mib", "negative (-5)"},
      {"b,,1,1,1,0,0", R"({"id": "b", "app": "", "submit": 1, "duration": 1, "gpus": 1})", "app", "app", "empty"},
      {"b,x,1,1,1,0,101", R"({"id": "b", "app": "x", "submit": 1, "duration": 1, "gpus": 1, "gpu_util": 101})",
       "gpu_util", "gpu_util", "must be a percentage in 0..100, got 101.000000"},
      {"b,x,1,1e300,1,0,0", R"({"id": "b", "app": "x", "submit": 1, "duration": 1e300, "gpus": 1})", "duration_s",
       "duration", "too large (over 71 years)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.csv_row);
    const auto csv = write_test_file(dir, "t.csv", kHeader + "a,x,0,1,1,0,0\n" + c.csv_row + "\n");
    const auto json = write_test_file(dir, "t.json",
                                 R"({"jobs": [{"id": "a", "app": "x", "gpus": 1}, )" + c.json_job + "]}");
    const InputError from_csv = read_error(csv);
    CHECK(from_csv.file() == csv);
    CHECK(from_csv.line() == 3);
    CHECK(from_csv.field() == c.csv_field);
    CHECK(from_csv.problem() == c.problem);
    const InputError from_json = read_error(json);
    CHECK(from_json.line() == 2);
    CHECK(from_json.field() == c.proto_field);
    CHECK(from_json.problem() == c.problem);
  }
  // .pb: written from a valid job, then the stored field made bad (the writer refuses bad jobs).
  v1::TraceHeader header;
  header.set_time_unit(v1::SECONDS);
  const auto pb = (dir / "t.pb").string();
  {
    std::ofstream out(pb, std::ios::binary);
    header.set_schema_version(kSchemaVersion);
    write_pb_header(out, header);
    v1::Job job;
    job.set_id("a");
    job.set_app("x");
    job.set_gpus(0);
    job.set_memory_mib(5);
    write_pb_job(out, job);
  }
  const InputError from_pb = read_error(pb);
  CHECK(from_pb.line() == 1);
  CHECK(from_pb.field() == "memory_mib");
  CHECK(from_pb.problem() == "a CPU-only job (gpus 0) uses no GPU memory, got 5");
}

TEST_CASE("issue 10 #6: a huge Gavel job-type key, scale factor or batch size is an InputError naming file and key") {
  const auto dir = test_temp_dir("gavel-keys");
  // A 300 kB key overflowed the stack of std::regex_match (SIGSEGV).
  const std::string long_key = "('" + std::string(300'000, 'A') + "', 1)";
  const auto long_path = write_test_file(dir, "long.json", R"j({"v100": {")j" + long_key + R"j(": {"null": 1.0}}})j");
  try {
    import_gavel_throughputs(long_path);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.file() == long_path);  // one job type, so no pair: "no single-GPU pair measurements"
    CHECK(std::string(e.what()).size() < 1000);
  }
  // A scale factor beyond int printed "error: stoi".
  const auto scale = write_test_file(dir, "scale.json", R"j({"v100": {"('A', 99999999999999999999999)": {"null": 1.0}}})j");
  CHECK_THROWS_WITH_AS(import_gavel_throughputs(scale),
                       doctest::Contains("scale.json: field 'v100/('A', 99999999999999999999999)': scale factor out of range"),
                       InputError);
  // A 400-digit batch size printed "error: stod".
  const std::string digits(400, '9');
  const auto batch = write_test_file(dir, "batch.json",
                                R"j({"v100": {"('A (batch size )j" + digits + R"j()', 1)": {"null": 1.0}}})j");
  CHECK_THROWS_WITH_AS(import_gavel_throughputs(batch), doctest::Contains("batch size 9999"), InputError);
}

TEST_CASE("issue 10 #6: checked parsing rejects what stoi and stod would wrap, throw namelessly or accept") {
  CHECK(parse_integer("42") == 42);
  CHECK_FALSE(parse_integer("9223372036854775808"));  // 2^63
  CHECK_FALSE(parse_integer("4x"));
  CHECK_FALSE(parse_integer(""));
  CHECK(parse_number("+1.5e3") == 1500.0);
  CHECK_FALSE(parse_number("1e400"));
  CHECK_FALSE(parse_number("nan"));
  CHECK_FALSE(parse_number("1.5 "));
  CHECK(narrow<int>(std::int64_t{4294967297}) == std::nullopt);  // 2^32 + 1 would wrap to 1
  CHECK(narrow<int>(7.0) == 7);
  CHECK_FALSE(narrow<int>(7.5));
  CHECK_FALSE(narrow<std::int64_t>(1e300));
  CHECK(checked_ticks(1.5) == 1'500'000);
  CHECK_FALSE(checked_ticks(1e300));
  CHECK_FALSE(checked_ticks(-1));
  CHECK_THROWS_AS(seconds_to_ticks(1e300), Error);
}

TEST_CASE("issue 10 #7: an arrival profile whose bins sum to infinity is an error, not an endless walk") {
  GeneratorConfig config;
  config.jobs = 3;
  config.profile = ArrivalProfile{};
  config.profile->bin_seconds = 600;
  config.profile->weights = {1.7e308, 1.7e308};  // each finite, the sum is not
  config.profile->source = "test bins";
  CHECK_THROWS_WITH_AS(GeneratedJobSource{config}, doctest::Contains("sum to infinity"), Error);
}

TEST_CASE("issue 10 #9: an empty trace writes to .pb without a write error or a partial file") {
  const auto dir = test_temp_dir("empty-pb");
  const auto path = dir / "empty.pb";
  v1::TraceHeader header;
  header.set_time_unit(v1::SECONDS);
  auto writer = open_trace_writer(path, header);
  writer->finish();
  CHECK(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(dir / "empty.pb.partial"));
  CHECK_FALSE(std::filesystem::exists(dir / "empty.pb.partial.body"));
  TraceReadOptions allow;
  allow.allow_empty = true;
  CHECK(count_jobs(path.string(), allow) == 0);
}

TEST_CASE("issue 10 #10: ids and names that are not UTF-8 are rejected, so that .pb can hold them") {
  const auto dir = test_temp_dir("utf8");
  const auto csv = write_test_file(dir, "bad.csv", kHeader + "a\xff,x,0,1,1,0,0\n");
  const InputError e = read_error(csv);
  CHECK(e.line() == 2);
  CHECK(e.field() == "id");
  CHECK(e.problem() == "not valid UTF-8");
  CHECK(is_valid_utf8("caf\xc3\xa9"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // a surrogate
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));      // cut short
}

TEST_CASE("issue 10 #11: 64-bit values are range-checked, never narrowed") {
  const auto dir = test_temp_dir("narrow");
  // CSV priority 2^32 + 1 became 1.
  auto csv = write_test_file(dir, "p.csv", "id,app,submit_s,duration_s,gpus,priority\na,x,0,1,1,4294967297\n");
  InputError e = read_error(csv);
  CHECK(e.field() == "priority");
  CHECK(e.problem() == "4294967297 is out of range");
  csv = write_test_file(dir, "g.csv", "id,app,submit_s,duration_s,gpus\na,x,0,1,4294967297\n");
  CHECK(read_error(csv).field() == "gpus");
  // openb: num_gpu 2^32 + 1 became a 1-GPU job; a creation time x 1e6 wrapped int64.
  const std::string pods_header =
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";
  const auto pods = write_test_file(dir, "pods.csv", pods_header + "p1,1000,100,4294967297,1000,,LS,Succeeded,0,10,0\n");
  ImportRequest request;
  request.input = pods;
  CHECK_THROWS_WITH_AS(builtin_importers().run("alibaba-gpu-v2023-openb", request),
                       doctest::Contains("pods.csv:2: field 'num_gpu': GPU count out of range"), InputError);
  const auto late = write_test_file(dir, "late.csv", pods_header + "p1,1000,100,1,1000,,LS,Succeeded,9300000000000000,9300000000000010,9300000000000000\n");
  request.input = late;
  CHECK_THROWS_WITH_AS(builtin_importers().run("alibaba-gpu-v2023-openb", request),
                       doctest::Contains("late.csv:2: field 'creation_time': too large"), InputError);
}

TEST_CASE("issue 10 #12: empty inputs are errors unless allowed") {
  const auto dir = test_temp_dir("empty");
  std::filesystem::create_directories(dir / "dir.textproto");
  const InputError is_dir = read_error((dir / "dir.textproto").string());
  CHECK(is_dir.problem() == "is a directory, not a file");
  const std::string empty_inputs[] = {
      write_test_file(dir, "empty.textproto", ""),
      write_test_file(dir, "empty.json", "{}"),
      write_test_file(dir, "empty.csv", kHeader),
  };
  TraceReadOptions allow;
  allow.allow_empty = true;
  for (const auto& path : empty_inputs) {
    CAPTURE(path);
    const InputError e = read_error(path);
    CHECK(e.file() == path);
    CHECK(e.problem().find("no jobs") != std::string::npos);
    CHECK(count_jobs(path, allow) == 0);
  }
}

TEST_CASE("issue 10 #13: a 2e9-node cluster is an error naming the field, before anything is allocated") {
  const auto dir = test_temp_dir("huge-cluster");
  const auto path = write_test_file(dir, "huge.textproto",
                               "gpu_types { name: \"V100\" memory_mib: 16384 }\n"
                               "node_groups { name_prefix: \"n\" count: 2000000000 gpu_type: \"V100\" gpus_per_node: 8 }\n");
  CHECK_THROWS_WITH_AS(read_cluster(path), doctest::Contains("huge.textproto:1: field 'node_groups.count'"), InputError);
  const auto gpus = write_test_file(dir, "gpus.json",
                               R"({"gpu_types": [{"name": "V100", "memory_mib": 16384}],
                                   "node_groups": [{"name_prefix": "n", "count": 100000, "gpu_type": "V100", "gpus_per_node": 1000}]})");
  CHECK_THROWS_WITH_AS(read_cluster(gpus), doctest::Contains("field 'node_groups.gpus_per_node'"), InputError);
  CHECK_THROWS_WITH_AS(ClusterSpec::uniform(2'000'000'000, 8, GpuType{"V100", 16384, 1.0}),
                       doctest::Contains("field 'nodes'"), InputError);
}

TEST_CASE("issue 10 #17: a CSV column named twice is an error, not a silently ignored second column") {
  const auto dir = test_temp_dir("dup-column");
  const auto csv = write_test_file(dir, "dup.csv", "id,app,submit_s,duration_s,gpus,gpus\na,x,0,1,1,2\n");
  const InputError e = read_error(csv);
  CHECK(e.line() == 1);
  CHECK(e.field() == "gpus");
  CHECK(e.problem().find("named twice") != std::string::npos);
}

TEST_CASE("issue 10 #19: a huge time is reported as too large at its line, not as unsorted or negative") {
  const auto dir = test_temp_dir("huge-times");
  auto csv = write_test_file(dir, "submit.csv", kHeader + "a,x,0,1,1,0,0\nb,x,1e300,1,1,0,0\n");
  InputError e = read_error(csv);
  CHECK(e.line() == 3);
  CHECK(e.field() == "submit_s");
  CHECK(e.problem() == "too large (over 71 years)");
  csv = write_test_file(dir, "duration.csv", "\n" + kHeader + "a,x,0,1e300,1,0,0\n");  // a blank first line
  e = read_error(csv);
  CHECK(e.line() == 3);  // the line, not the record number
  CHECK(e.field() == "duration_s");
  CHECK(e.problem() == "too large (over 71 years)");
}

TEST_CASE("issue 10 #18: a calibrated model with no feature columns and rank 0 predicts from offsets and biases") {
  // Under UBSan, taking a row of the 2 x 0 feature matrix offset a null pointer.
  CalibratedParams p;
  p.apps = {"a", "b"};
  p.gpu_types = {"V100"};
  p.app_features = Eigen::MatrixXd(2, 0);
  p.app_memory_mib = {1000, 1000};
  p.gpu_offset = Eigen::VectorXd::Constant(1, 0.1);
  p.victim_beta = p.aggressor_beta = Eigen::VectorXd(0);
  p.victim_bias = Eigen::Vector2d(0.2, 0.0);
  p.aggressor_bias = Eigen::Vector2d(0.0, 0.3);
  p.victim_gpu_bias = p.aggressor_gpu_bias = Eigen::MatrixXd(2, 0);
  p.victim_factor = p.aggressor_factor = Eigen::MatrixXd(2, 0);
  p.victim_gpu_factor = p.aggressor_gpu_factor = {Eigen::MatrixXd(2, 0)};
  p.use_measured = false;
  const CalibratedModel model(p);
  // log slowdown = offset 0.1 + victim bias of a 0.2 + aggressor bias of b 0.3 = 0.6.
  CHECK(model.predict_pair({"a"}, {"b"}, "V100").slowdown == doctest::Approx(std::exp(0.6)));
}

TEST_CASE("issue 10 #17: contradictions are errors: nested job arrays, unknown pair columns, an app profiled twice") {
  const auto dir = test_temp_dir("contradictions");
  // Protobuf's JSON parser flattened [[job], [job]] into two jobs.
  const auto nested = write_test_file(dir, "nested.json",
                                 "{\"jobs\": [\n[{\"id\": \"a\", \"app\": \"x\", \"gpus\": 1}],\n"
                                 "[{\"id\": \"b\", \"app\": \"x\", \"gpus\": 1}]]}");
  const InputError e = read_error(nested);
  CHECK(e.line() == 2);
  CHECK(e.problem().find("array directly inside an array") != std::string::npos);
  // A pair table's extra column was ignored.
  const auto pairs = write_test_file(dir, "pairs.csv", "victim,aggressor,slowdown,slowdwon\na,b,1.5,2\n");
  CHECK_THROWS_WITH_AS(import_pair_csv(pairs), doctest::Contains("pairs.csv:1: field 'slowdwon': unknown column"), InputError);
  // Two profiles of one application, from two files: which one holds?
  const auto f1 = write_test_file(dir, "f1.csv", "app,sm_util\na,50\n");
  const auto f2 = write_test_file(dir, "f2.csv", "app,sm_util\na,60\n");
  const auto p = write_test_file(dir, "p.csv", "victim,aggressor,slowdown\na,a,1.5\n");
  CHECK_THROWS_WITH_AS(import_interference_data({f1, f2, p}), doctest::Contains("application 'a' profiled twice"),
                       InputError);
}

TEST_CASE("issue 10 #10: a cluster node name that is not UTF-8 is rejected before it reaches a .pb file") {
  const auto dir = test_temp_dir("utf8-cluster");
  const auto path = write_test_file(dir, "c.json",
                               "{\"gpu_types\": [{\"name\": \"V100\", \"memory_mib\": 16384}], "
                               "\"nodes\": [{\"name\": \"n\\u00e9\", \"gpu_type\": \"V100\", \"gpus\": 1}]}");
  CHECK(read_cluster(path).nodes.at(0).name == "n\xc3\xa9");  // valid UTF-8 is kept as it is
  ClusterSpec c = read_cluster(path);
  c.nodes[0].name = "n\xe9";  // Latin-1
  CHECK_THROWS_WITH_AS(c.validate("code"), doctest::Contains("field 'nodes.name': not valid UTF-8"), InputError);
}

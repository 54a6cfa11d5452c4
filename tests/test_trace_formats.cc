// Issue 3: the native trace format (.pb stream, JSON, text format), CSV, conversions and the
// bad-input classes every reader must reject with file, record and field.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <unistd.h>

#include "colosim/errors.h"
#include "colosim/traces/job_csv.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/schema_version.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"

namespace fs = std::filesystem;
using namespace colosim;
using namespace colosim::traces;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("colosim-traces-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<JobSpec> read_all(const std::string& path) {
  auto reader = open_trace_reader(path);
  std::vector<JobSpec> jobs;
  while (auto j = reader->next()) jobs.push_back(*j);
  return jobs;
}

// The InputError a reader throws while reading `path` to the end.
InputError read_error(const std::string& path) {
  try {
    read_all(path);
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no InputError for " << path);
  return InputError("", 0, "", "");
}

const char* kCsv =
    "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util,gpu_milli,priority,user,gpu_types,feature.membw\n"
    "a,resnet,0,100.5,1,4000,55.5,500,1,alice,V100|T4,0.25\n"
    "b,bert,0.000001,3600,2,16000,90,,0,bob,,\n"
    "c,resnet,12.25,0,4,0,0,1000,-3,,A10,1e-3\n";

v1::TraceHeader header_with(std::int64_t count) {
  v1::TraceHeader h;
  h.set_schema_version(kSchemaVersion);
  h.set_source("test");
  h.set_time_unit(v1::SECONDS);
  h.set_job_count(count);
  return h;
}

JobSpec job(const std::string& id, double submit_s, double duration_s = 10) {
  JobSpec j;
  j.id = id;
  j.app = "app";
  j.submit = seconds_to_ticks(submit_s);
  j.solo_duration = seconds_to_ticks(duration_s);
  return j;
}

// A .pb file with the given header and raw Job messages (no validation on the way in).
void write_raw_pb(const std::string& path, const v1::TraceHeader& header, const std::vector<v1::Job>& jobs) {
  std::ofstream out(path, std::ios::binary);
  write_pb_header(out, header);
  for (const auto& j : jobs) write_pb_job(out, j);
}

v1::Job raw_job(const std::string& id, double submit, double duration, int gpus = 1) {
  v1::Job j;
  j.set_id(id);
  j.set_app("app");
  j.set_submit(submit);
  j.set_duration(duration);
  j.set_gpus(gpus);
  return j;
}

}  // namespace

TEST_CASE("issue 3: CSV -> pb -> JSON -> pb round trip is byte-identical and keeps every field") {
  TempDir dir;
  spit(dir.file("in.csv"), kCsv);
  const auto from_csv = read_all(dir.file("in.csv"));
  REQUIRE(from_csv.size() == 3);

  auto convert = [](const std::string& in, const std::string& out) {
    auto reader = open_trace_reader(in);
    auto writer = open_trace_writer(out, reader->header());
    while (auto j = reader->next()) writer->write(*j);
    writer->finish();
  };
  convert(dir.file("in.csv"), dir.file("a.pb"));
  convert(dir.file("a.pb"), dir.file("b.json"));
  convert(dir.file("b.json"), dir.file("c.pb"));
  convert(dir.file("c.pb"), dir.file("d.textproto"));
  convert(dir.file("d.textproto"), dir.file("e.pb"));
  CHECK(slurp(dir.file("a.pb")) == slurp(dir.file("c.pb")));
  CHECK(slurp(dir.file("a.pb")) == slurp(dir.file("e.pb")));
  CHECK_FALSE(fs::exists(dir.file("a.pb.partial")));

  const auto back = read_all(dir.file("e.pb"));
  REQUIRE(back.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(back[i].id == from_csv[i].id);
    CHECK(back[i].app == from_csv[i].app);
    CHECK(back[i].submit == from_csv[i].submit);
    CHECK(back[i].solo_duration == from_csv[i].solo_duration);
    CHECK(back[i].gpus == from_csv[i].gpus);
    CHECK(back[i].memory_mib == from_csv[i].memory_mib);
    CHECK(back[i].gpu_util == from_csv[i].gpu_util);
    CHECK(back[i].gpu_milli == from_csv[i].gpu_milli);
    CHECK(back[i].priority == from_csv[i].priority);
    CHECK(back[i].user == from_csv[i].user);
    CHECK(back[i].gpu_types == from_csv[i].gpu_types);
    CHECK(back[i].features == from_csv[i].features);
  }
  // Values as written in kCsv: 1 us is kept exactly, 100.5 s is 100,500,000 ticks.
  CHECK(back[1].submit == 1);
  CHECK(back[0].solo_duration == 100'500'000);
  CHECK(back[0].gpu_types == std::vector<std::string>{"V100", "T4"});
  CHECK(back[2].features.at("membw") == 1e-3);

  // The pb header announces the count (3), though the CSV reader did not know it.
  auto reader = open_trace_reader(dir.file("c.pb"));
  CHECK(reader->header().job_count() == 3);
  CHECK(reader->header().schema_version() == kSchemaVersion);
}

TEST_CASE("issue 3: pb -> csv -> pb keeps the jobs; time units ms and us convert exactly") {
  TempDir dir;
  spit(dir.file("in.csv"), kCsv);
  for (auto unit : {v1::SECONDS, v1::MILLISECONDS, v1::MICROSECONDS}) {
    auto reader = open_trace_reader(dir.file("in.csv"));
    auto header = reader->header();
    header.set_time_unit(unit);
    auto writer = open_trace_writer(dir.file("u.pb"), header);
    while (auto j = reader->next()) writer->write(*j);
    writer->finish();
    auto jobs = read_all(dir.file("u.pb"));
    REQUIRE(jobs.size() == 3);
    CHECK(jobs[1].submit == 1);
    CHECK(jobs[2].submit == 12'250'000);
  }
  auto writer = open_trace_writer(dir.file("out.csv"), header_with(-1), "", {"membw"});
  for (const auto& j : read_all(dir.file("u.pb"))) writer->write(j);
  writer->finish();
  const auto again = read_all(dir.file("out.csv"));
  REQUIRE(again.size() == 3);
  CHECK(again[0].features.at("membw") == 0.25);
  CHECK(again[2].priority == -3);
}

TEST_CASE("issue 3: format is chosen by extension unless named") {
  const TraceFormatRegistry formats = builtin_trace_formats();
  CHECK(formats.spec_for("x.pb").name == "pb");
  CHECK(formats.spec_for("x.JSON").name == "json");
  CHECK(formats.spec_for("x.textproto").name == "textproto");
  CHECK(formats.spec_for("x.txtpb").name == "textproto");
  CHECK(formats.spec_for("x.csv").name == "csv");
  CHECK(formats.spec_for("x.dat", "pb").name == "pb");
  CHECK_THROWS_WITH_AS(formats.spec_for("x.dat"),
                       "x.dat: cannot tell the trace format from the extension (use .csv, .json, .pb, .textproto, "
                       ".txtpb, or name the format: csv, json, pb, textproto)",
                       InputError);
  CHECK_THROWS_WITH_AS(formats.spec_for("x.csv", "yaml"), "unknown trace format 'yaml' (known: csv, json, pb, textproto)",
                       Error);
  CHECK_THROWS_WITH_AS(formats.spec_for("x.csv", "csv:sep=;"),
                       "trace format 'csv' has no parameter 'sep' (parameters: none)", Error);
  // open_trace (the simulator's entry point) reads every format.
  TempDir dir;
  spit(dir.file("in.csv"), kCsv);
  auto writer = open_trace_writer(dir.file("in.bin"), header_with(1), "pb");
  writer->write(job("x", 1));
  writer->finish();
  auto r = open_trace_reader(dir.file("in.bin"), "pb");
  CHECK(r->next()->id == "x");
  CHECK(open_trace(dir.file("in.csv"))->next()->id == "a");
}

TEST_CASE("issue 3: same jobs give the same bytes in every encoding (maps in key order)") {
  TempDir dir;
  JobSpec j = job("m", 1);
  for (int i = 0; i < 50; ++i) j.features["f" + std::to_string(i * 7919 % 50)] = i;
  for (const char* name : {"a.pb", "a.json", "a.textproto", "b.pb", "b.json", "b.textproto"}) {
    auto w = open_trace_writer(dir.file(name), header_with(1));
    w->write(j);
    w->finish();
  }
  CHECK(slurp(dir.file("a.pb")) == slurp(dir.file("b.pb")));
  CHECK(slurp(dir.file("a.json")) == slurp(dir.file("b.json")));
  CHECK(slurp(dir.file("a.textproto")) == slurp(dir.file("b.textproto")));
  const std::string json = slurp(dir.file("a.json"));
  CHECK(json.find("\"f0\"") < json.find("\"f1\""));
}

TEST_CASE("issue 3: bad job values are rejected with record and field") {
  TempDir dir;
  struct Case {
    v1::Job job;
    std::string field;
  };
  std::vector<Case> cases;
  cases.push_back({raw_job("n", 0, -1), "duration"});
  cases.push_back({raw_job("n", 0, std::numeric_limits<double>::quiet_NaN()), "duration"});
  cases.push_back({raw_job("n", 0, std::numeric_limits<double>::infinity()), "duration"});
  cases.push_back({raw_job("n", -5, 1), "submit"});
  cases.push_back({raw_job("n", 0, 1, -1), "gpus"});
  {
    auto j = raw_job("n", 0, 1, 0);  // CPU-only: a GPU share contradicts it
    j.set_gpu_milli(500);
    cases.push_back({j, "gpu_milli"});
  }
  cases.push_back({raw_job("", 0, 1), "id"});
  {
    auto j = raw_job("n", 0, 1);
    j.set_gpu_milli(1001);
    cases.push_back({j, "gpu_milli"});
  }
  {
    auto j = raw_job("n", 0, 1);
    j.set_gpu_util(std::numeric_limits<double>::quiet_NaN());
    cases.push_back({j, "gpu_util"});
  }
  {
    auto j = raw_job("n", 0, 1);
    j.set_memory_mib(-1);
    cases.push_back({j, "memory_mib"});
  }
  for (const auto& c : cases) {
    write_raw_pb(dir.file("bad.pb"), header_with(2), {raw_job("ok", 0, 1), c.job});
    const InputError e = read_error(dir.file("bad.pb"));
    CHECK(e.file() == dir.file("bad.pb"));
    CHECK(e.line() == 2);  // the second job record
    CHECK(e.field() == c.field);
  }
}

TEST_CASE("issue 3: duplicate ids and unsorted submit times are rejected, not fixed") {
  TempDir dir;
  write_raw_pb(dir.file("dup.pb"), header_with(3), {raw_job("a", 0, 1), raw_job("b", 1, 1), raw_job("a", 2, 1)});
  InputError e = read_error(dir.file("dup.pb"));
  CHECK(e.line() == 3);
  CHECK(e.field() == "id");
  write_raw_pb(dir.file("unsorted.pb"), header_with(3), {raw_job("a", 0, 1), raw_job("b", 5, 1), raw_job("c", 4, 1)});
  e = read_error(dir.file("unsorted.pb"));
  CHECK(e.line() == 3);
  CHECK(e.field() == "submit");
  CHECK(e.problem().find("record 2") != std::string::npos);
  // The same rules in JSON.
  spit(dir.file("dup.json"), R"({"header": {"schema_version": 1}, "jobs": [{"id": "a", "app": "x", "gpus": 1}, {"id": "a", "app": "x", "gpus": 1}]})");
  e = read_error(dir.file("dup.json"));
  CHECK(e.line() == 2);
  CHECK(e.field() == "id");
  // And CSV (job_csv.h).
  spit(dir.file("unsorted.csv"), "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util\na,x,5,1,1,0,0\nb,x,4,1,1,0,0\n");
  e = read_error(dir.file("unsorted.csv"));
  CHECK(e.line() == 3);
  CHECK(e.field() == "submit_s");
}

TEST_CASE("issue 3: truncated and corrupt .pb files are errors with the record") {
  TempDir dir;
  {
    auto w = open_trace_writer(dir.file("good.pb"), header_with(3));
    w->write(job("a", 0));
    w->write(job("b", 1));
    w->write(job("c", 2));
    w->finish();
  }
  const std::string good = slurp(dir.file("good.pb"));
  CHECK(read_all(dir.file("good.pb")).size() == 3);

  // Cut inside the last record.
  spit(dir.file("cut.pb"), good.substr(0, good.size() - 3));
  InputError e = read_error(dir.file("cut.pb"));
  CHECK(e.line() == 3);
  CHECK(e.field() == "Job");
  CHECK(e.problem().find("truncated") != std::string::npos);

  // Cut exactly after a whole record: caught by the header's job_count.
  {
    std::ostringstream two;
    write_pb_header(two, header_with(3));
    write_pb_job(two, job_to_proto(job("a", 0), v1::SECONDS));
    write_pb_job(two, job_to_proto(job("b", 1), v1::SECONDS));
    spit(dir.file("short.pb"), two.str());
  }
  e = read_error(dir.file("short.pb"));
  CHECK(e.line() == 3);
  CHECK(e.field() == "header.job_count");

  // Bytes that are not a Job message (field 1 with wire type 7 does not exist).
  std::string corrupt = good;
  corrupt[corrupt.size() - 2] = '\xff';
  spit(dir.file("corrupt.pb"), corrupt);
  e = read_error(dir.file("corrupt.pb"));
  CHECK(e.line() >= 1);

  // An empty file and a file that is not a trace at all.
  spit(dir.file("empty.pb"), "");
  CHECK_THROWS_AS(read_all(dir.file("empty.pb")), InputError);
  spit(dir.file("text.pb"), "id,app\nhello,world\n");
  CHECK_THROWS_AS(read_all(dir.file("text.pb")), InputError);
}

TEST_CASE("issue 3: a wrong schema version is rejected") {
  TempDir dir;
  auto h = header_with(0);
  h.set_schema_version(kSchemaVersion + 1);
  write_raw_pb(dir.file("v2.pb"), h, {});
  InputError e = read_error(dir.file("v2.pb"));
  CHECK(e.line() == 0);
  CHECK(e.field() == "header.schema_version");
  // A .pb stream must carry the version (it is its only magic number) ...
  h.set_schema_version(0);
  write_raw_pb(dir.file("v0.pb"), h, {});
  CHECK(read_error(dir.file("v0.pb")).field() == "header.schema_version");
  // ... a hand-written JSON or text trace may leave it out.
  spit(dir.file("v0.textproto"), "jobs { id: \"a\" app: \"x\" gpus: 1 duration: 5 }\n");
  CHECK(read_all(dir.file("v0.textproto")).size() == 1);
  spit(dir.file("v9.json"), R"({"header": {"schema_version": 9}})");
  CHECK(read_error(dir.file("v9.json")).field() == "header.schema_version");
}

TEST_CASE("issue 3: text-format and JSON syntax errors say where") {
  TempDir dir;
  spit(dir.file("bad.textproto"), "header { schema_version: 1 }\njobs {\n  id: \"a\"\n  gpus: many\n}\n");
  InputError e = read_error(dir.file("bad.textproto"));
  CHECK(e.line() == 4);  // the line with `gpus: many`
  CHECK(e.problem().find("column") != std::string::npos);
  spit(dir.file("bad.json"), R"({"jobs": [{"id": "a", "gpus": "x"}]})");
  CHECK_THROWS_AS(read_all(dir.file("bad.json")), InputError);
  spit(dir.file("unknown.json"), R"({"jobs": [{"id": "a", "gpus": 1, "colour": "red"}]})");
  CHECK_THROWS_AS(read_all(dir.file("unknown.json")), InputError);
}

TEST_CASE("issue 3: CSV missing/extra columns and non-numeric values") {
  TempDir dir;
  spit(dir.file("missing.csv"), "id,app,submit_s,gpus,memory_mib,gpu_util\na,x,0,1,0,0\n");
  InputError e = read_error(dir.file("missing.csv"));
  CHECK(e.line() == 1);
  CHECK(e.field() == "duration_s");
  spit(dir.file("extra.csv"), "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util\na,x,0,1,1,0,0,7\n");
  e = read_error(dir.file("extra.csv"));
  CHECK(e.line() == 2);
  spit(dir.file("nan.csv"), "id,app,submit_s,duration_s,gpus,memory_mib,gpu_util\na,x,0,ten,1,0,0\n");
  e = read_error(dir.file("nan.csv"));
  CHECK(e.line() == 2);
  CHECK(e.field() == "duration_s");
}

TEST_CASE("issue 3: a writer leaves no file behind unless finished, and checks an announced count") {
  TempDir dir;
  {
    auto w = open_trace_writer(dir.file("x.pb"), header_with(-1));
    w->write(job("a", 0));
  }
  CHECK_FALSE(fs::exists(dir.file("x.pb")));
  CHECK(fs::is_empty(dir.path));
  auto w = open_trace_writer(dir.file("y.pb"), header_with(2));
  w->write(job("a", 0));
  CHECK_THROWS_AS(w->finish(), Error);
}

TEST_CASE("issue 3: JobSpec <-> Job conversion moves cpu_milli and host memory to their fields") {
  JobSpec j = job("a", 1.5, 2);
  j.features[kCpuMilliFeature] = 6000;
  j.features[kHostMemoryFeature] = 12288;
  j.features["membw"] = 0.5;
  const v1::Job p = job_to_proto(j, v1::SECONDS);
  CHECK(p.cpu_milli() == 6000);
  CHECK(p.host_memory_mib() == 12288);
  CHECK(p.features().size() == 1);
  CHECK(p.submit() == 1.5);
  const JobSpec back = job_from_proto(p, v1::SECONDS, "mem", 1);
  CHECK(back.features == j.features);
  CHECK(back.submit == 1'500'000);
}

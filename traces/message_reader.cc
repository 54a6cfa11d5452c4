// JSON and text-format traces: one colosim.v1.Trace message per file.
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include "colosim/errors.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/trace_reader.h"

namespace colosim::traces {
namespace {

class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (found) return;
    found = true;
    this->line = line + 1;  // the parser counts from 0
    this->column = column + 1;
    this->message = message;
  }
  bool found = false;
  int line = 0;
  int column = 0;
  std::string message;
};

}  // namespace

v1::Trace parse_trace_json(const std::string& text, const std::string& file) {
  v1::Trace trace;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(text, &trace, options);
  if (!status.ok()) {
    std::string message(status.message());
    // The parser appends a multi-line excerpt; the first line is the message.
    if (auto nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
    throw InputError(file, 0, "json", "not a colosim.v1.Trace in JSON: " + message);
  }
  return trace;
}

v1::Trace parse_trace_textproto(const std::string& text, const std::string& file) {
  v1::Trace trace;
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &trace)) {
    if (!errors.found) throw InputError(file, 0, "textproto", "not a colosim.v1.Trace in text format");
    // InputError has one position: the line. The column goes into the message.
    throw InputError(file, errors.line, "textproto",
                     "column " + std::to_string(errors.column) + ": " + errors.message);
  }
  return trace;
}

MessageTraceReader::MessageTraceReader(v1::Trace trace, std::string name, TraceReadOptions options)
    : trace_(std::move(trace)), name_(std::move(name)), checker_(options.check_duplicate_ids) {
  validate_header(trace_.header(), name_, /*allow_unset_version=*/true);
  const auto count = trace_.header().job_count();
  if (count > 0 && count != trace_.jobs_size())
    throw InputError(name_, 0, "header.job_count",
                     "the header announces " + std::to_string(count) + " jobs, the file has " +
                         std::to_string(trace_.jobs_size()));
}

std::optional<JobSpec> MessageTraceReader::next() {
  if (pos_ == trace_.jobs_size()) return std::nullopt;
  const std::int64_t record = pos_ + 1;
  JobSpec job = job_from_proto(trace_.jobs(pos_), trace_.header().time_unit(), name_, record);
  checker_.check(job, name_, record);
  ++pos_;
  return job;
}

}  // namespace colosim::traces

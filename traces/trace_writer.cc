// Writers for the three Protobuf encodings (CSV: job_csv.h).
#include "colosim/traces/trace_writer.h"
#include "colosim/traces/proto_file.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <fstream>
#include <system_error>

#include "colosim/errors.h"
#include "colosim/traces/atomic_file.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/schema_version.h"

namespace colosim::traces {
namespace {

namespace pbio = google::protobuf::io;

// Deterministic: map entries in key order, so equal messages give equal bytes.
void append_delimited(std::string& buffer, const google::protobuf::Message& message) {
  pbio::StringOutputStream zero_copy(&buffer);
  pbio::CodedOutputStream coded(&zero_copy);
  coded.SetSerializationDeterministic(true);
  coded.WriteVarint32(static_cast<std::uint32_t>(message.ByteSizeLong()));
  message.SerializeWithCachedSizes(&coded);
}

// The jobs of a trace whose count is not known yet, kept aside until the header can be written.
class BodyFile {
 public:
  explicit BodyFile(std::filesystem::path path) : path_(std::move(path)), out_(path_, std::ios::binary | std::ios::trunc) {
    if (!out_) throw Error("cannot write '" + path_.string() + "'");
  }
  ~BodyFile() {
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  std::ofstream& stream() { return out_; }
  // Appends the body to `to`, closing it first.
  void append_to(std::ostream& to) {
    out_.flush();
    if (!out_) throw Error("write error on '" + path_.string() + "'");
    out_.close();
    // operator<< of an empty streambuf sets failbit: an empty trace would read as a write error.
    std::error_code ec;
    const auto size = std::filesystem::file_size(path_, ec);
    if (ec) throw Error("cannot read back '" + path_.string() + "': " + ec.message());
    if (size == 0) return;
    std::ifstream body(path_, std::ios::binary);
    to << body.rdbuf();
  }

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

class PbFileWriter final : public TraceWriter {
 public:
  PbFileWriter(std::filesystem::path path, v1::TraceHeader header) : path_(std::move(path)), header_(std::move(header)) {
    known_count_ = header_.job_count() > 0;
    if (known_count_) {
      file_ = std::make_unique<AtomicFile>(path_);
      append_delimited(buffer_, header_);
    } else {
      body_ = std::make_unique<BodyFile>(path_.string() + ".partial.body");
    }
  }
  void write(const JobSpec& job) override {
    append_delimited(buffer_, job_to_proto(job, header_.time_unit()));
    ++count_;
    if (buffer_.size() >= (1u << 16)) flush();
  }
  void finish() override {
    flush();
    if (known_count_) {
      if (count_ != header_.job_count())
        throw Error("'" + path_.string() + "': the header announces " + std::to_string(header_.job_count()) +
                    " jobs, " + std::to_string(count_) + " were written");
      file_->commit();
    } else {
      header_.set_job_count(count_);
      AtomicFile file(path_);
      append_delimited(buffer_, header_);
      file.stream().write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
      buffer_.clear();
      body_->append_to(file.stream());
      file.commit();
      body_.reset();
    }
  }
  std::int64_t jobs_written() const override { return count_; }

 private:
  void flush() {
    std::ostream& out = known_count_ ? file_->stream() : body_->stream();
    out.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    if (!out) throw Error("write error on '" + path_.string() + ".partial'");
  }
  std::filesystem::path path_;
  v1::TraceHeader header_;
  bool known_count_ = false;
  std::unique_ptr<AtomicFile> file_;  // the trace, when its job count is known
  std::unique_ptr<BodyFile> body_;    // the jobs, until the count is known
  std::string buffer_;
  std::int64_t count_ = 0;
};

// JSON and text format: the whole Trace is built in memory and written at finish().
class MessageFileWriter final : public TraceWriter {
 public:
  MessageFileWriter(std::filesystem::path path, v1::TraceHeader header, TraceFormat format)
      : path_(std::move(path)), format_(format) {
    *trace_.mutable_header() = std::move(header);
  }
  void write(const JobSpec& job) override { *trace_.add_jobs() = job_to_proto(job, trace_.header().time_unit()); }
  void finish() override {
    auto& header = *trace_.mutable_header();
    if (header.job_count() > 0 && header.job_count() != trace_.jobs_size())
      throw Error("'" + path_.string() + "': the header announces " + std::to_string(header.job_count()) +
                  " jobs, " + std::to_string(trace_.jobs_size()) + " were written");
    header.set_job_count(trace_.jobs_size());
    write_file_atomically(path_, format_ == TraceFormat::json ? trace_to_json(trace_) : trace_to_textproto(trace_));
  }
  std::int64_t jobs_written() const override { return trace_.jobs_size(); }

 private:
  std::filesystem::path path_;
  TraceFormat format_;
  v1::Trace trace_;
};

}  // namespace

std::unique_ptr<TraceWriter> make_csv_trace_writer(const std::filesystem::path& path, const v1::TraceHeader& header,
                                                   std::set<std::string> features);

void write_pb_header(std::ostream& out, const v1::TraceHeader& header) {
  std::string buffer;
  append_delimited(buffer, header);
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

void write_pb_job(std::ostream& out, const v1::Job& job) {
  std::string buffer;
  append_delimited(buffer, job);
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

std::string trace_to_json(const v1::Trace& trace) { return to_json(trace); }

std::string trace_to_textproto(const v1::Trace& trace) {
  return "# proto-file: traces/colosim.proto\n# proto-message: colosim.v1.Trace\n" + to_text(trace);
}

std::unique_ptr<TraceWriter> open_trace_writer(const std::filesystem::path& path, v1::TraceHeader header,
                                               std::optional<TraceFormat> format, std::set<std::string> csv_features) {
  header.set_schema_version(kSchemaVersion);
  ticks_per_unit(header.time_unit(), path.string(), 0);
  switch (trace_format_for_path(path, format)) {
    case TraceFormat::pb: return std::make_unique<PbFileWriter>(path, std::move(header));
    case TraceFormat::json: return std::make_unique<MessageFileWriter>(path, std::move(header), TraceFormat::json);
    case TraceFormat::textproto:
      return std::make_unique<MessageFileWriter>(path, std::move(header), TraceFormat::textproto);
    case TraceFormat::csv: return make_csv_trace_writer(path, header, std::move(csv_features));
  }
  throw Error("unreachable trace format");
}

}  // namespace colosim::traces

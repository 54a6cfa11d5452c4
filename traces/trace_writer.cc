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

std::filesystem::path partial_path(const std::filesystem::path& path) {
  auto p = path;
  p += ".partial";
  return p;
}

std::ofstream open_out(const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot write '" + path.string() + "'");
  return out;
}

void commit(std::ofstream& out, const std::filesystem::path& from, const std::filesystem::path& to) {
  out.flush();
  if (!out) throw Error("write error on '" + from.string() + "'");
  out.close();
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
  if (ec) throw Error("cannot rename '" + from.string() + "' to '" + to.string() + "': " + ec.message());
}

class PbFileWriter final : public TraceWriter {
 public:
  PbFileWriter(std::filesystem::path path, v1::TraceHeader header)
      : path_(std::move(path)), partial_(partial_path(path_)), header_(std::move(header)) {
    known_count_ = header_.job_count() > 0;
    body_path_ = partial_;
    if (!known_count_) body_path_ += ".body";
    out_ = open_out(body_path_);
    if (known_count_) append_delimited(buffer_, header_);
  }
  ~PbFileWriter() override {
    if (finished_) return;
    std::error_code ec;
    out_.close();
    std::filesystem::remove(body_path_, ec);
    std::filesystem::remove(partial_, ec);
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
      commit(out_, partial_, path_);
    } else {
      out_.close();
      header_.set_job_count(count_);
      std::ofstream final_out = open_out(partial_);
      append_delimited(buffer_, header_);
      final_out.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
      buffer_.clear();
      // operator<< of an empty streambuf sets failbit: an empty trace would read as a write error.
      std::error_code ec;
      const auto body_size = std::filesystem::file_size(body_path_, ec);
      if (ec) throw Error("cannot read back '" + body_path_.string() + "': " + ec.message());
      if (body_size > 0) {
        std::ifstream body(body_path_, std::ios::binary);
        final_out << body.rdbuf();
      }
      commit(final_out, partial_, path_);
      std::filesystem::remove(body_path_);
    }
    finished_ = true;
  }
  std::int64_t jobs_written() const override { return count_; }

 private:
  void flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    if (!out_) throw Error("write error on '" + body_path_.string() + "'");
  }
  std::filesystem::path path_, partial_, body_path_;
  v1::TraceHeader header_;
  bool known_count_ = false;
  bool finished_ = false;
  std::ofstream out_;
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
    const std::string text = format_ == TraceFormat::json ? trace_to_json(trace_) : trace_to_textproto(trace_);
    const auto partial = partial_path(path_);
    std::ofstream out = open_out(partial);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    commit(out, partial, path_);
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

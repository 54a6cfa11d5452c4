// Trace format `pb`: a binary stream of length-delimited messages, a TraceHeader then one Job
// each (.pb). Read and written as a stream, in constant memory.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <fstream>
#include <system_error>

#include "colosim/errors.h"
#include "colosim/traces/atomic_file.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/proto_file.h"
#include "colosim/traces/trace_format.h"
#include "colosim/traces/trace_reader.h"
#include "colosim/traces/trace_writer.h"

namespace colosim::traces {

namespace pbio = google::protobuf::io;

namespace {

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

std::unique_ptr<TraceReader> open_pb_reader(const std::string& path, TraceReadOptions options) {
  check_not_directory(path);
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in) throw InputError(path, 0, "", "cannot open file");
  std::error_code ec;
  std::optional<std::uint64_t> size;
  if (std::filesystem::is_regular_file(path, ec)) size = std::filesystem::file_size(path, ec);
  if (ec) size.reset();
  return std::make_unique<PbTraceReader>(std::move(in), path, size, options);
}

}  // namespace

// One record may not exceed this many bytes (a corrupt length prefix must not make the reader
// allocate gigabytes; a real Job is a few hundred bytes).
constexpr std::uint64_t kMaxRecordBytes = 64u << 20;

struct PbTraceReader::Stream {
  explicit Stream(std::unique_ptr<std::istream> in) : in(std::move(in)), zero_copy(this->in.get()) {}
  std::unique_ptr<std::istream> in;
  pbio::IstreamInputStream zero_copy;
  std::uint64_t offset = 0;  // bytes consumed so far
};

PbTraceReader::PbTraceReader(std::unique_ptr<std::istream> in, std::string name, std::optional<std::uint64_t> size_hint,
                             TraceReadOptions options)
    : stream_(std::make_unique<Stream>(std::move(in))),
      name_(std::move(name)),
      size_(size_hint),
      checker_(options.check_duplicate_ids, options.allow_empty) {
  if (!read_message(header_, 0, "TraceHeader")) throw InputError(name_, 0, "header", "empty file: no TraceHeader");
  validate_header(header_, name_);
}

PbTraceReader::~PbTraceReader() = default;

bool PbTraceReader::read_message(google::protobuf::MessageLite& message, std::int64_t record, const char* what) {
  pbio::CodedInputStream coded(&stream_->zero_copy);
  const std::uint64_t start = stream_->offset;
  const void* data = nullptr;
  int available = 0;
  if (!coded.GetDirectBufferPointer(&data, &available)) return false;  // clean end of file
  const std::string at = " at byte " + std::to_string(start);
  std::uint32_t size = 0;
  if (!coded.ReadVarint32(&size))
    throw InputError(name_, record, what,
                     std::string(size_ && start + 5 > *size_ ? "truncated" : "corrupt") + " length prefix" + at);
  const std::uint64_t body = start + static_cast<std::uint64_t>(coded.CurrentPosition());
  if (size_ && body + size > *size_)
    throw InputError(name_, record, what,
                     "truncated record" + at + ": needs " + std::to_string(size) + " bytes, file has " +
                         std::to_string(*size_ - body));
  if (size > kMaxRecordBytes)
    throw InputError(name_, record, what, "corrupt record" + at + ": length " + std::to_string(size) + " too large");
  auto limit = coded.PushLimit(static_cast<int>(size));
  const bool ok = message.ParseFromCodedStream(&coded) && coded.BytesUntilLimit() == 0;
  coded.PopLimit(limit);
  if (!ok)
    throw InputError(name_, record, what,
                     std::string(size_ ? "corrupt" : "truncated or corrupt") + " record" + at + ": " +
                         std::to_string(size) + " bytes that do not parse as colosim.v1." + what);
  stream_->offset = body + size;
  return true;
}

std::optional<JobSpec> PbTraceReader::next() {
  if (done_) return std::nullopt;
  const std::int64_t record = checker_.count() + 1;
  if (!read_message(job_, record, "Job")) {
    done_ = true;
    if (stream_->in->bad()) throw InputError(name_, record, "", "read error");
    if (header_.job_count() > 0 && header_.job_count() != checker_.count())
      throw InputError(name_, record, "header.job_count",
                       "truncated: the header announces " + std::to_string(header_.job_count()) +
                           " jobs, the file ends after " + std::to_string(checker_.count()));
    checker_.check_end(name_);
    return std::nullopt;
  }
  if (header_.job_count() > 0 && record > header_.job_count())
    throw InputError(name_, record, "header.job_count",
                     "more jobs than the header announces (" + std::to_string(header_.job_count()) + ")");
  JobSpec job = job_from_proto(job_, header_.time_unit(), name_, record);
  checker_.check(job, name_, record);
  return job;
}

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

void add_pb_format(TraceFormatRegistry& registry) {
  registry.add({.name = "pb",
                .description = "binary stream: a TraceHeader, then one Job per length-delimited message (streamed)",
                .params = {},
                .make = [](const Params&) {
                  return TraceEncoding{
                      .open_reader = open_pb_reader,
                      .open_writer = [](const std::filesystem::path& path, v1::TraceHeader header,
                                        std::set<std::string>) -> std::unique_ptr<TraceWriter> {
                        return std::make_unique<PbFileWriter>(path, std::move(header));
                      }};
                }},
               {".pb"});
}

}  // namespace colosim::traces

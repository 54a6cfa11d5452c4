// The binary stream reader: a length-delimited TraceHeader, then length-delimited Jobs.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include "colosim/errors.h"
#include "colosim/traces/job_proto.h"
#include "colosim/traces/schema_version.h"
#include "colosim/traces/trace_reader.h"

namespace colosim::traces {

namespace pbio = google::protobuf::io;

// One record may not exceed this many bytes (a corrupt length prefix must not make the reader
// allocate gigabytes; a real Job is a few hundred bytes).
constexpr std::uint64_t kMaxRecordBytes = 64u << 20;

struct PbTraceReader::Stream {
  explicit Stream(std::unique_ptr<std::istream> in) : in(std::move(in)), zero_copy(this->in.get()) {}
  std::unique_ptr<std::istream> in;
  pbio::IstreamInputStream zero_copy;
  std::uint64_t offset = 0;  // bytes consumed so far
};

void validate_header(const v1::TraceHeader& header, const std::string& file, bool allow_unset_version) {
  if (header.schema_version() != kSchemaVersion && !(allow_unset_version && header.schema_version() == 0))
    throw InputError(file, 0, "header.schema_version",
                     "schema version " + std::to_string(header.schema_version()) + ", this build reads version " +
                         std::to_string(kSchemaVersion) + (header.schema_version() == 0 ? " (missing header?)" : ""));
  ticks_per_unit(header.time_unit(), file, 0);
  if (header.job_count() < -1)
    throw InputError(file, 0, "header.job_count", "must be -1 (unknown) or a count, got " +
                                                      std::to_string(header.job_count()));
  if (header.has_cluster() && header.cluster().schema_version() != 0 &&
      header.cluster().schema_version() != kSchemaVersion)
    throw InputError(file, 0, "header.cluster.schema_version",
                     "schema version " + std::to_string(header.cluster().schema_version()) +
                         ", this build reads version " + std::to_string(kSchemaVersion));
}

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

}  // namespace colosim::traces

#include "colosim/traces/proto_file.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>

#include "colosim/errors.h"

namespace colosim::traces {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Keeps the first text-format error with its position.
class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (!has_error) {
      has_error = true;
      this->line = line + 1;
      this->column = column + 1;
      this->message = message;
    }
  }
  bool has_error = false;
  int line = 0;
  int column = 0;
  std::string message;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", "cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

Encoding encoding_for(const std::string& path) {
  if (ends_with(path, ".pb") || ends_with(path, ".bin")) return Encoding::binary;
  if (ends_with(path, ".json")) return Encoding::json;
  for (const char* ext : {".textproto", ".txtpb", ".pbtxt", ".txt"})
    if (ends_with(path, ext)) return Encoding::text;
  throw InputError(path, 0, "", "unknown file extension: expected .pb, .json or .textproto");
}

void read_message(const std::string& path, google::protobuf::Message& message) {
  read_message(path, encoding_for(path), message);
}

void read_message(const std::string& path, Encoding encoding, google::protobuf::Message& message) {
  const std::string data = slurp(path);
  const std::string type = message.GetDescriptor()->full_name();
  switch (encoding) {
    case Encoding::binary:
      if (!message.ParseFromString(data))
        throw InputError(path, 0, "", "not a valid binary " + type + " message (truncated or corrupt)");
      return;
    case Encoding::json: {
      google::protobuf::util::JsonParseOptions options;
      options.ignore_unknown_fields = false;
      const auto status = google::protobuf::util::JsonStringToMessage(data, &message, options);
      if (!status.ok()) throw InputError(path, 0, "", "invalid JSON for " + type + ": " + std::string(status.message()));
      return;
    }
    case Encoding::text: {
      google::protobuf::TextFormat::Parser parser;
      FirstError errors;
      parser.RecordErrorsTo(&errors);
      if (!parser.ParseFromString(data, &message)) {
        throw InputError(path, errors.line, "", "column " + std::to_string(errors.column) + ": " + errors.message);
      }
      return;
    }
  }
}

void write_message(const std::string& path, const google::protobuf::Message& message) {
  write_message(path, encoding_for(path), message);
}

void write_message(const std::string& path, Encoding encoding, const google::protobuf::Message& message) {
  std::string data;
  switch (encoding) {
    case Encoding::binary:
      // Deterministic serialisation: maps in key order, so equal messages give equal bytes.
      {
        google::protobuf::io::StringOutputStream stream(&data);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        message.SerializeToCodedStream(&coded);
      }
      break;
    case Encoding::json: {
      google::protobuf::util::JsonPrintOptions options;
      options.add_whitespace = true;
      options.preserve_proto_field_names = true;
      const auto status = google::protobuf::util::MessageToJsonString(message, &data, options);
      if (!status.ok()) throw Error("cannot write JSON: " + std::string(status.message()));
      break;
    }
    case Encoding::text:
      google::protobuf::TextFormat::PrintToString(message, &data);
      break;
  }
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error("cannot write " + path);
  out << data;
  if (!out) throw Error("error while writing " + path);
}

}  // namespace colosim::traces

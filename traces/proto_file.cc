#include "colosim/traces/proto_file.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "colosim/traces/atomic_file.h"
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


// Protobuf's JSON parser reads [[a], [b]] for a repeated field as [a, b]. No colosim message has
// a list of lists, so one is a mistake to report, not a shape to flatten silently.
void reject_nested_arrays(const std::string& text, const std::string& source) {
  std::vector<char> open;  // '[' or '{' of each enclosing container
  bool in_string = false, escaped = false;
  std::int64_t line = 1;
  for (char c : text) {
    if (c == '\n') ++line;
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[') {
      if (!open.empty() && open.back() == '[')
        throw InputError(source, line, "", "an array directly inside an array: no field of this message is a list of lists");
      open.push_back(c);
    } else if (c == '{') {
      open.push_back(c);
    } else if ((c == ']' || c == '}') && !open.empty()) {
      open.pop_back();
    }
  }
}

}  // namespace

std::string to_binary(const google::protobuf::Message& message) {
  std::string data;
  google::protobuf::io::StringOutputStream stream(&data);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return data;
}

std::string to_json(const google::protobuf::Message& message) {
  // Printed from the deterministic binary form: printing the message itself would list map
  // entries in hash order, which changes from run to run.
  static constexpr const char* kUrlPrefix = "type.googleapis.com";
  std::unique_ptr<google::protobuf::util::TypeResolver> resolver(google::protobuf::util::NewTypeResolverForDescriptorPool(
      kUrlPrefix, message.GetDescriptor()->file()->pool()));
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::BinaryToJsonString(
      resolver.get(), std::string(kUrlPrefix) + "/" + message.GetDescriptor()->full_name(), to_binary(message), &json,
      options);
  if (!status.ok()) throw Error("cannot print " + message.GetDescriptor()->full_name() + " as JSON: " + std::string(status.message()));
  return json;
}

std::string to_text(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::TextFormat::Printer printer;  // prints map entries sorted by key
  if (!printer.PrintToString(message, &text)) throw Error("cannot print " + message.GetDescriptor()->full_name() + " as text");
  return text;
}

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

void check_not_directory(const std::string& path) {
  // An ifstream opens a directory and then reads nothing: it would pass for an empty file.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path, 0, "", "is a directory, not a file");
}

std::string read_file_bytes(const std::string& path) {
  check_not_directory(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", "cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void parse_message(const std::string& data, Encoding encoding, const std::string& source,
                   google::protobuf::Message& message) {
  const std::string type = message.GetDescriptor()->full_name();
  switch (encoding) {
    case Encoding::binary:
      if (!message.ParseFromString(data))
        throw InputError(source, 0, "", "not a valid binary " + type + " message (truncated or corrupt)");
      return;
    case Encoding::json: {
      reject_nested_arrays(data, source);
      google::protobuf::util::JsonParseOptions options;
      options.ignore_unknown_fields = false;
      const auto status = google::protobuf::util::JsonStringToMessage(data, &message, options);
      if (!status.ok()) {
        std::string problem(status.message());
        // The parser appends a multi-line excerpt; the first line is the message.
        if (auto nl = problem.find('\n'); nl != std::string::npos) problem.resize(nl);
        throw InputError(source, 0, "", "not a " + type + " in JSON: " + problem);
      }
      return;
    }
    case Encoding::text: {
      google::protobuf::TextFormat::Parser parser;
      FirstError errors;
      parser.RecordErrorsTo(&errors);
      if (!parser.ParseFromString(data, &message)) {
        if (!errors.has_error) throw InputError(source, 0, "", "not a " + type + " in text format");
        // InputError has one position, the line; the column goes into the message.
        throw InputError(source, errors.line, "", "column " + std::to_string(errors.column) + ": " + errors.message);
      }
      return;
    }
  }
}

void read_message(const std::string& path, Encoding encoding, google::protobuf::Message& message) {
  parse_message(read_file_bytes(path), encoding, path, message);
}

void write_message(const std::string& path, const google::protobuf::Message& message) {
  write_message(path, encoding_for(path), message);
}

void write_message(const std::string& path, Encoding encoding, const google::protobuf::Message& message) {
  const std::string data = encoding == Encoding::binary ? to_binary(message)
                           : encoding == Encoding::json ? to_json(message)
                                                        : to_text(message);
  write_file_atomically(path, data);
}

}  // namespace colosim::traces

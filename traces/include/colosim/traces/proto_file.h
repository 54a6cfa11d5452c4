#pragma once
// Reading and writing one whole Protobuf message in any of the three encodings, chosen by the
// file's extension.
#include <google/protobuf/message.h>

#include <string>

namespace colosim::traces {

enum class Encoding { binary, json, text };

// .pb -> binary, .json -> JSON, .textproto/.txtpb/.pbtxt/.txt -> text. InputError otherwise.
Encoding encoding_for(const std::string& path);

// Deterministic encodings: equal messages give equal bytes (map entries in key order).
std::string to_binary(const google::protobuf::Message& message);
std::string to_json(const google::protobuf::Message& message);
std::string to_text(const google::protobuf::Message& message);

// The bytes of a file; InputError if it cannot be read or is a directory.
std::string read_file_bytes(const std::string& path);
// InputError(path, 0, "", "is a directory, not a file") when it is one.
void check_not_directory(const std::string& path);

// Parses `data` in `encoding` into `message`. Throws InputError naming `source` and, for text
// format, the line and column of the first problem.
void parse_message(const std::string& data, Encoding encoding, const std::string& source,
                   google::protobuf::Message& message);

// Throws InputError with the file and, for text format, the line and column of the problem.
void read_message(const std::string& path, google::protobuf::Message& message);
void read_message(const std::string& path, Encoding encoding, google::protobuf::Message& message);
void write_message(const std::string& path, const google::protobuf::Message& message);
void write_message(const std::string& path, Encoding encoding, const google::protobuf::Message& message);

}  // namespace colosim::traces

#pragma once
// Job trace encodings, one registry entry each (traces/formats/<name>.cc): name, one-line
// description, the file extensions it owns, and a reader and a writer factory. A format is named
// by a spec ("csv", "textproto"); without one, a file's extension picks it.
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "colosim.pb.h"
#include "colosim/registry.h"
#include "colosim/traces/trace_read_options.h"

namespace colosim::traces {

class TraceReader;
class TraceWriter;

// What a format's factory makes: how to read and write a file in it.
struct TraceEncoding {
  std::function<std::unique_ptr<TraceReader>(const std::string& path, TraceReadOptions options)> open_reader;
  // `header` is complete (schema version set); `features`: the feature columns, for formats
  // that need them before the first job (needs_feature_names).
  std::function<std::unique_ptr<TraceWriter>(const std::filesystem::path& path, v1::TraceHeader header,
                                             std::set<std::string> features)>
      open_writer;
  // The writer must know every job feature name up front (CSV: its columns), so a converter
  // reads its input once more to collect them.
  bool needs_feature_names = false;
};

class TraceFormatRegistry : public Registry<TraceEncoding> {
 public:
  TraceFormatRegistry() : Registry("trace format") {}
  // Registers `entry` as the format of files ending in `extensions` (".pb"; matched without
  // regard to case). Error when an extension is already owned.
  void add(Entry entry, std::vector<std::string> extensions);
  const std::vector<std::string>& extensions(std::string_view name) const;  // Error for an unknown name

  // The format of `path`: the spec `format` when given (Error for an unknown name or parameter,
  // listing the known ones), else the format that owns the extension (InputError naming the
  // file and listing the known extensions).
  Spec spec_for(const std::filesystem::path& path, const std::string& format = "") const;
  TraceEncoding encoding_for(const std::filesystem::path& path, const std::string& format = "") const;

 private:
  std::map<std::string, std::string> by_extension_;          // lower-case extension -> name
  std::map<std::string, std::vector<std::string>, std::less<>> extensions_;  // name -> as registered
};

// Each file in traces/formats/ provides one of these; builtin_trace_formats() calls them all.
void add_pb_format(TraceFormatRegistry& registry);
void add_json_format(TraceFormatRegistry& registry);
void add_textproto_format(TraceFormatRegistry& registry);
void add_csv_format(TraceFormatRegistry& registry);

TraceFormatRegistry builtin_trace_formats();

}  // namespace colosim::traces

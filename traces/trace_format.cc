#include "colosim/traces/trace_format.h"

#include <algorithm>
#include <cctype>

#include "colosim/errors.h"

namespace colosim::traces {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

void TraceFormatRegistry::add(Entry entry, std::vector<std::string> extensions) {
  const std::string name = entry.name;
  for (const auto& ext : extensions)
    if (by_extension_.count(lower(ext)))
      throw Error("trace format '" + name + "': extension " + ext + " belongs to '" + by_extension_.at(lower(ext)) + "'");
  Registry::add(std::move(entry));
  for (const auto& ext : extensions) by_extension_[lower(ext)] = name;
  extensions_[name] = std::move(extensions);
}

const std::vector<std::string>& TraceFormatRegistry::extensions(std::string_view name) const {
  auto it = extensions_.find(name);
  if (it == extensions_.end()) throw Error("unknown " + kind() + " '" + std::string(name) + "' (known: " + names() + ")");
  return it->second;
}

Spec TraceFormatRegistry::spec_for(const std::filesystem::path& path, const std::string& format) const {
  if (!format.empty()) {
    Spec spec = Spec::parse(format, kind());
    resolve(spec);  // an unknown name or parameter is an Error here, listing the known ones
    return spec;
  }
  auto it = by_extension_.find(lower(path.extension().string()));
  if (it != by_extension_.end()) return Spec{it->second, {}};
  std::string known;
  for (const auto& [ext, name] : by_extension_) known += (known.empty() ? "" : ", ") + ext;
  throw InputError(path.string(), 0, "",
                   "cannot tell the trace format from the extension (use " + known + ", or name the format: " + names() + ")");
}

TraceEncoding TraceFormatRegistry::encoding_for(const std::filesystem::path& path, const std::string& format) const {
  return make(spec_for(path, format));
}

TraceFormatRegistry builtin_trace_formats() {
  TraceFormatRegistry registry;
  add_csv_format(registry);
  add_json_format(registry);
  add_pb_format(registry);
  add_textproto_format(registry);
  return registry;
}

}  // namespace colosim::traces

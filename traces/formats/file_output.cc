#include "file_output.h"

#include <system_error>

#include "colosim/errors.h"

namespace colosim::traces {

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

}  // namespace colosim::traces

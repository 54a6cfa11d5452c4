#include "colosim/experiments/grid.h"

#include <charconv>
#include <cmath>
#include <set>

#include "colosim/errors.h"

namespace colosim::experiments {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = text.find(sep);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text = text.substr(at + 1);
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// A limit that catches a typo such as 1-1000000000 before it allocates the grid.
constexpr std::uint64_t kMaxSeeds = 100000;

}  // namespace

std::vector<std::uint64_t> parse_seeds(std::string_view text) {
  const std::string quoted = "--seeds '" + std::string(text) + "'";
  if (trim(text).empty()) throw Error(quoted + ": no seeds (write e.g. 1-10 or 1,2,5)");
  std::vector<std::uint64_t> seeds;
  std::set<std::uint64_t> seen;
  for (std::string_view raw : split(text, ',')) {
    const std::string_view item = trim(raw);
    const auto dash = item.find('-');
    std::uint64_t first = 0, last = 0;
    if (dash == std::string_view::npos) {
      if (!parse_u64(item, first))
        throw Error(quoted + ": '" + std::string(item) + "' is not a seed (a whole number >= 0, or a range like 1-10)");
      last = first;
    } else {
      const auto a = trim(item.substr(0, dash)), b = trim(item.substr(dash + 1));
      if (!parse_u64(a, first) || !parse_u64(b, last))
        throw Error(quoted + ": '" + std::string(item) + "' is not a range of seeds (write FIRST-LAST, e.g. 1-10)");
      if (last < first)
        throw Error(quoted + ": the range '" + std::string(item) + "' ends before it starts");
    }
    if (last - first >= kMaxSeeds || seeds.size() + (last - first) >= kMaxSeeds)
      throw Error(quoted + ": more than " + std::to_string(kMaxSeeds) + " seeds");
    for (std::uint64_t s = first;; ++s) {
      if (!seen.insert(s).second) throw Error(quoted + ": seed " + std::to_string(s) + " is listed twice");
      seeds.push_back(s);
      if (s == last) break;
    }
  }
  return seeds;
}

void check_loads(const std::vector<double>& loads) {
  if (loads.empty()) throw Error("--load: no load factors");
  std::set<double> seen;
  for (double x : loads) {
    if (!std::isfinite(x) || !(x > 0))
      throw Error("--load: load factor " + std::to_string(x) + " must be a positive number (1 = the trace as recorded)");
    if (!seen.insert(x).second) throw Error("--load: load factor " + std::to_string(x) + " is listed twice");
  }
}

std::vector<double> parse_loads(std::string_view text) {
  const std::string quoted = "--load '" + std::string(text) + "'";
  std::vector<double> loads;
  for (std::string_view raw : split(text, ',')) {
    const std::string item(trim(raw));
    double x = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), x);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size())
      throw Error(quoted + ": '" + item + "' is not a number (write e.g. 0.5,1,1.5)");
    if (!std::isfinite(x) || !(x > 0))
      throw Error(quoted + ": load factor '" + item + "' must be positive (1 = the trace as recorded, 2 = arrivals twice as fast)");
    loads.push_back(x);
  }
  std::set<double> seen;
  for (double x : loads)
    if (!seen.insert(x).second) throw Error(quoted + ": a load factor is listed twice");
  return loads;
}

RunPoint point_at(const GridShape& g, std::size_t index) {
  RunPoint p;
  p.index = index;
  p.seed = index % g.seeds;
  index /= g.seeds;
  p.policy = index % g.policies;
  index /= g.policies;
  p.load = index % g.loads;
  p.cluster = index / g.loads;
  return p;
}

std::vector<RunPoint> expand(const GridShape& shape) {
  std::vector<RunPoint> out;
  out.reserve(shape.size());
  for (std::size_t i = 0; i < shape.size(); ++i) out.push_back(point_at(shape, i));
  return out;
}

}  // namespace colosim::experiments

#include "compare_tables.h"

#include <fmt/format.h>

#include "colosim/metric_table.h"
#include "table.h"

namespace colosim::cli {
namespace {

using experiments::Experiment;

// Table cells keep room for the '*' mark; trailing blanks at line ends help nobody.
std::string trim_lines(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::size_t last = end;
    while (last > start && text[last - 1] == ' ') --last;
    out.append(text, start, last - start);
    if (end < text.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

std::string label_of(const Experiment& e, const experiments::GroupStats& g) {
  return fmt::format("cluster {} ({} GPUs), load x{}", e.clusters[g.cluster].label, e.clusters[g.cluster].spec.total_gpus(),
                     experiments::json_number(e.loads[g.load]));
}

}  // namespace

void print_tables(const Experiment& e, const experiments::Analysis& a) {
  const auto& all = summary_metrics();
  std::vector<std::size_t> shown;  // indices into summary_metrics()
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].in_compare_table) shown.push_back(i);
  std::vector<std::string> header = {"policy"};
  for (std::size_t m : shown) header.push_back(all[m].label);
  const std::size_t per_block = e.policies.size();
  for (std::size_t b = 0; b * per_block < a.groups.size(); ++b) {
    const auto& first = a.groups[b * per_block];
    bool all_invariant = true;
    for (std::size_t p = 0; p < per_block; ++p) all_invariant = all_invariant && a.groups[b * per_block + p].seed_invariant;
    if (all_invariant)
      fmt::print("{}: the same result on each of {} seeds, so no interval (see the note below)\n", label_of(e, first),
                 e.seeds.size());
    else
      fmt::print("{}: mean +- 95% CI over {} seed{} (Student t)\n", label_of(e, first), e.seeds.size(),
                 e.seeds.size() == 1 ? "" : "s");
    Table t(header);
    for (std::size_t p = 0; p < per_block; ++p) {
      const auto& g = a.groups[b * per_block + p];
      std::vector<std::string> row = {e.policies[g.policy].label};
      for (std::size_t m : shown) row.push_back(experiments::format_mean_ci(g.metrics[m]));
      t.add_row(std::move(row));
    }
    fmt::print("{}\n", trim_lines(t.render()));
    if (!e.baseline || per_block < 2) continue;
    fmt::print("Paired with {} on the same seeds: change of the mean; * = the 95% CI of the per-seed difference excludes 0\n",
               e.policies[*e.baseline].label);
    Table d(header);
    for (const auto& ps : a.paired) {
      if (ps.cluster != first.cluster || ps.load != first.load) continue;
      std::vector<std::string> row = {e.policies[ps.policy].label};
      for (std::size_t m : shown) row.push_back(experiments::format_change(ps.metrics[m]));
      d.add_row(std::move(row));
    }
    fmt::print("{}\n", trim_lines(d.render()));
  }
  fmt::print("JCT: submit to end of finished jobs. slowdown: run time over time alone on the same GPUs (sharing only).\n"
             "GPU util: GPU-time with at least one job over GPUs x makespan. k = 1e3, M = 1e6.\n");
  if (!e.note.empty()) fmt::print("{}\n", e.note);
  if (!a.variation_note.empty()) fmt::print("{}\n", a.variation_note);
}

}  // namespace colosim::cli

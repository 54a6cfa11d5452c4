#include "colosim/traces/interference_io.h"

#include "colosim/calibrated_model.h"
#include "colosim/errors.h"
#include "colosim/traces/calibrated_model_io.h"
#include "colosim/traces/csv.h"

namespace colosim::traces {

PairTable read_pair_table_csv(const std::string& path, PairTableOptions options) {
  CsvReader csv(path);
  const int victim = csv.column("victim"), aggressor = csv.column("aggressor"), slowdown = csv.column("slowdown");
  const auto feasible = csv.find_column("feasible");
  PairTable table(options, path);
  while (csv.next()) {
    if (csv.text(victim).empty()) csv.fail(victim, "empty application name");
    if (csv.text(aggressor).empty()) csv.fail(aggressor, "empty application name");
    if (feasible) {
      const std::int64_t f = csv.integer(*feasible);
      if (f != 0 && f != 1) csv.fail(*feasible, "must be 0 or 1");
      if (f == 0) {
        table.set_infeasible(csv.text(victim), csv.text(aggressor));
        continue;
      }
    }
    const double s = csv.number(slowdown);
    if (s <= 0) csv.fail(slowdown, "slowdown must be positive");
    if (table.measured(csv.text(victim), csv.text(aggressor)))
      csv.fail(victim, "pair (" + csv.text(victim) + " | " + csv.text(aggressor) + ") given twice");
    table.set(csv.text(victim), csv.text(aggressor), s);
  }
  return table;
}

}  // namespace colosim::traces

#pragma once
// Importers turn the trace files of other systems into colosim jobs (and a cluster when the
// source has one). One importer per file in traces/importers/, registered by name in an
// ImporterRegistry value (no globals): builtin_importers() lists them all.
//
// Importers read small, finished traces (thousands of rows), so they return the jobs in memory,
// sorted by submit time (stable, like Tiresias' own loader). Anything dropped is counted in
// `notes`, never dropped silently; a row that cannot be read is an InputError.
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "colosim.pb.h"
#include "colosim/job.h"

namespace colosim::traces {

struct ImportRequest {
  std::filesystem::path input;                    // the main file (pod list, job trace)
  std::vector<std::filesystem::path> extra;       // companion files (node list, cluster spec, throughputs)
  std::map<std::string, std::string> options;     // importer options; unknown keys are errors
};

struct ImportedTrace {
  v1::TraceHeader header;          // source, unit, origin; cluster when the source has one
  std::vector<JobSpec> jobs;       // sorted by submit time
  std::vector<std::string> notes;  // what was skipped or assumed, one line each
};

struct ImportOption {
  std::string name;
  std::string default_value;
  std::string help;
};

struct ImporterInfo {
  std::string name;         // what users type: --from <name>
  std::string description;  // one line
  std::string inputs;       // what IN and --with are, one line
  std::vector<ImportOption> options;
  std::function<ImportedTrace(const ImportRequest&)> run;
};

class ImporterRegistry {
 public:
  void add(ImporterInfo info);  // throws Error on an empty or duplicate name
  const ImporterInfo* find(std::string_view name) const;
  std::vector<const ImporterInfo*> list() const;  // by name
  // Finds the importer (Error listing the known names otherwise), checks the option keys
  // against its schema, fills in defaults and runs it.
  ImportedTrace run(std::string_view name, ImportRequest request) const;

 private:
  std::map<std::string, ImporterInfo, std::less<>> entries_;
};

// Each importer file provides one of these; builtin_importers() calls them all.
void add_alibaba_openb_importer(ImporterRegistry& registry);
void add_tiresias_importer(ImporterRegistry& registry);
void add_gavel_importer(ImporterRegistry& registry);

ImporterRegistry builtin_importers();

// Shared by importers: option value parsing with errors that name the importer and option.
double option_number(const ImportRequest& request, const std::string& importer, const std::string& key);
bool option_flag(const ImportRequest& request, const std::string& importer, const std::string& key);

}  // namespace colosim::traces

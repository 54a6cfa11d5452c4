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
#include "colosim/registry.h"

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

// Importers in the one registry pattern (colosim/registry.h): an entry's params are the
// importer's options, its details say what IN and --with are.
class ImporterRegistry : public Registry<ImportedTrace, const ImportRequest&> {
 public:
  ImporterRegistry() : Registry("importer") {}
  // Finds the importer (Error listing the known names otherwise), checks the option keys against
  // its schema, fills in defaults, runs it, sorts the jobs by submit time and checks every job and
  // the cluster as the readers will.
  ImportedTrace run(std::string_view name, ImportRequest request) const;
};
using ImporterInfo = ImporterRegistry::Entry;

// Each importer file provides one of these; builtin_importers() calls them all.
void add_alibaba_gpu_v2023_openb_importer(ImporterRegistry& registry);
void add_tiresias_importer(ImporterRegistry& registry);
void add_gavel_importer(ImporterRegistry& registry);
void add_kubernetes_importer(ImporterRegistry& registry);
void add_slurm_sacct_importer(ImporterRegistry& registry);

ImporterRegistry builtin_importers();

// Shared by importers: option values parsed as Params does, errors naming the importer and option.
double option_number(const ImportRequest& request, const std::string& importer, const std::string& key);
bool option_flag(const ImportRequest& request, const std::string& importer, const std::string& key);

}  // namespace colosim::traces

#pragma once
// Importers of measured interference data (colosim/interference_data.h). Each throws
// InputError(file, line or 0, field, problem) on bad input and never fixes data up silently.
#include <string>
#include <vector>

#include "colosim/cluster_spec.h"
#include "colosim/interference_data.h"

namespace colosim::traces {

// Gavel's `simulation_throughputs.json` / `physical_cluster_throughputs.json`
// ({gpu: {"('<job>', <scale>)": {"null": iso, "('<other>', <scale>)": [c_job, c_other]}}}).
// Only scale factor 1 (single-GPU) entries and the GPU types without "_unconsolidated" are
// read (those copies repeat the same pairs). Each unordered pair is read once, from the outer
// key that sorts first; [0, 0] is an infeasible pair, a single zero is an error. Slowdown =
// iso / co-located. Profiles: per GPU type, solo_throughput, batch_size and family:<model>.
InterferenceData import_gavel_throughputs(const std::string& path);

// Per-(job type, GPU type) speeds from the same file, for ClusterSpec::app_speeds: for every
// (job type, scale factor) with an isolated throughput on `reference` (e.g. "v100", where the
// gavel importer measures solo durations), one entry per GPU type (Gavel's names: k80, p100,
// v100) with speed = throughput there / throughput on the reference type, for that gang size.
// A throughput of 0 (Gavel could not run the job there) gives no entry: such a job then runs at
// the type's own speed, so keep it off that type (JobSpec::gpu_types) if that matters. Keep
// the entries whose GPU types the cluster has (ClusterSpec::validate rejects the others).
std::vector<AppSpeed> gavel_app_speeds(const std::string& path, const std::string& reference);

// Lucid's `colocate_info.csv` (pairs, speeds normalised to solo: slowdown = 1 / speed) and
// `single_data.csv` (solo profiles: sm_util = gpu_util, membw_util = gmem_util,
// memory_mib = gmem, batch_size, amp, solo_throughput = speed, family:<model>). Applications
// are named "<model>/<dataset>/bs<batch>" plus "/amp" with mixed precision. Speeds above 1
// (noise) are kept as they are (slowdown < 1). GPU type: not recorded (empty).
// `single_data_path` may be empty (no profiles).
InterferenceData import_lucid(const std::string& colocate_path, const std::string& single_data_path);

// A user's CSV with a header naming the columns victim, aggressor, slowdown and optionally
// gpu_type (any order). One row per directed measurement; slowdown "infeasible" marks a pair
// that cannot run together. Both directions of a pair may be given on separate rows; a
// repeated (gpu_type, victim, aggressor) is an error.
InterferenceData import_pair_csv(const std::string& path);

// Solo features: header "app[,gpu_type],<feature>,<feature>..." with numeric values (an empty
// cell: not known).
InterferenceData import_app_features_csv(const std::string& path);

// By file name: *.json -> Gavel; a CSV whose header has speed1 -> Lucid (single_data.csv taken
// from the same folder when it exists); otherwise the pair CSV. Several paths are merged; a
// CSV whose header starts with "app" is read as solo features.
InterferenceData import_interference_data(const std::vector<std::string>& paths);

}  // namespace colosim::traces

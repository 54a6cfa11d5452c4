// colosim generate OUT: a seeded synthetic trace, written as a stream (same seed, same bytes).
#include <fmt/format.h>

#include "colosim/errors.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/generator.h"
#include "colosim/traces/schema_version.h"
#include "colosim/traces/trace_format.h"
#include "colosim/traces/trace_writer.h"
#include "commands.h"
#include "shared_flags.h"

namespace colosim::cli {
namespace {

struct GenerateArgs {
  std::string out, to, arrivals = "poisson", durations = "builtin", shapes = "builtin", apps, cluster;
  std::uint64_t seed = 1;
  std::int64_t count = 1000;
  bool quiet = false;
  std::optional<double> rate, load;
  std::optional<int> gpus;
  std::int64_t gpu_memory_mib = 16384;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

void generate(const GenerateArgs& a) {
  traces::GeneratorConfig config;
  config.seed = a.seed;
  config.jobs = a.count;
  config.gpu_memory_mib = a.gpu_memory_mib;
  if (a.durations != "builtin") config.durations = traces::load_philly_runtime(a.durations);
  if (a.shapes != "builtin") config.shapes = traces::load_openb_shapes(a.shapes);
  if (a.arrivals != "poisson") config.profile = traces::load_helios_arrivals(a.arrivals);
  if (!a.apps.empty()) config.apps = split_list(a.apps);
  std::optional<ClusterSpec> cluster;
  if (!a.cluster.empty()) cluster = traces::read_cluster(a.cluster);
  if (a.rate && a.load) throw Error("give --rate or --load, not both");
  if (a.rate) {
    config.arrival_rate = *a.rate;
  } else if (a.load) {
    const int gpus = a.gpus ? *a.gpus : cluster ? cluster->total_gpus() : 0;
    if (gpus < 1) throw Error("--load needs the cluster size: --cluster FILE or --gpus N");
    config.arrival_rate = traces::arrival_rate_for_load(config, gpus, *a.load);
  }
  traces::validate(config);
  v1::TraceHeader header;
  header.set_schema_version(traces::kSchemaVersion);
  header.set_source(traces::describe(config));
  header.set_time_unit(v1::SECONDS);
  header.set_time_origin("generator start");
  header.set_job_count(config.jobs);
  if (cluster) *header.mutable_cluster() = traces::cluster_to_proto(*cluster);
  const OutputFile out(a.out, a.to);
  auto writer = traces::open_trace_writer(out.path(), header, out.format());
  traces::GeneratedJobSource source(std::move(config));
  while (auto job = source.next()) writer->write(*job);
  writer->finish();
  out.finish();
  Chatter(a.quiet)("{}: {} jobs written ({})\n", out.name(), writer->jobs_written(), header.source());
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  auto* cmd = app.add_subcommand("generate", "Write a seeded synthetic job trace (streamed; .pb or .csv for big ones)");
  cmd->add_option("OUT", args->out, "output trace (.pb .json .textproto .csv); - writes standard output (CSV unless --to)")
      ->required();
  // --jobs means parallel runs in every command; the job count is --count.
  cmd->add_option("-n,--count", args->count, "number of jobs (default 1000)");
  cmd->add_option("--seed", args->seed, "random seed (default 1)");
  cmd->add_option("--rate", args->rate, "mean arrivals per second (default 0.01)");
  cmd->add_option("--load", args->load, "offered load instead of --rate: 1.0 keeps every GPU busy on average");
  cmd->add_option("--gpus", args->gpus, "GPUs the load is offered to");
  cmd->add_option("--cluster", args->cluster, "cluster file: its GPUs for --load, and embedded in the trace header");
  cmd->add_option("--arrivals", args->arrivals,
                  "poisson, or a Helios cluster_throughput CSV (10-minute bins of submit_gpu_job) for a daily profile");
  cmd->add_option("--durations", args->durations, "builtin (Philly quantiles) or a philly_runtime.csv");
  cmd->add_option("--shapes", args->shapes, "builtin (Alibaba openb default pod mix) or an openb pod list CSV");
  cmd->add_option("--apps", args->apps, "comma-separated app names (default: Gavel's 26 job types)");
  cmd->add_option("--gpu-memory-mib", args->gpu_memory_mib, "GPU memory of a whole-GPU job (default 16384)");
  cmd->add_option("--to", args->to,
                  "output trace format (" + traces::builtin_trace_formats().names() + "); default: OUT's extension");
  add_quiet_flag(cmd, args->quiet);
  cmd->callback([args] { generate(*args); });
}

}  // namespace colosim::cli

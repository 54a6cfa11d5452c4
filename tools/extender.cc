// colosim extender: serves a placement policy to kube-scheduler as a scheduler extender
// (docs/kubernetes.md), the same policy object that `colosim run` simulates.
#include <fmt/format.h>
#include <signal.h>

#include <thread>

#include "colosim/checked.h"
#include "colosim/errors.h"
#include "colosim/extender/server.h"
#include "colosim/extender/service.h"
#include "commands.h"
#include "option_flags.h"

namespace colosim::cli {
namespace {

struct ExtenderArgs {
  extender::ExtenderSettings settings;
  std::string listen = "127.0.0.1:8888";
  double max_body_mib = 64;
};

void serve(ExtenderArgs a, const OptionFlags& flags) {
  flags.apply(a.settings.options);
  if (!(a.max_body_mib > 0 && a.max_body_mib <= 4096)) throw Error("--max-body-mib must be in (0, 4096]");
  if (a.settings.names.default_gpu_memory_mib < 1) throw Error("--gpu-memory-mib must be >= 1");
  if (a.settings.names.gpu_memory_unit_mib < 1) throw Error("--gpu-memory-unit-mib must be >= 1");
  const auto colon = a.listen.rfind(':');
  const std::optional<std::int64_t> port =
      colon == std::string::npos ? std::nullopt : parse_integer(a.listen.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) throw Error("--listen must be HOST:PORT (port 0: any free port), got '" + a.listen + "'");
  const std::string host = a.listen.substr(0, colon);

  extender::ExtenderService service(a.settings);
  extender::ExtenderServer server(service, static_cast<std::size_t>(a.max_body_mib * 1024 * 1024));
  // SIGINT and SIGTERM end the server from this thread (sigwait), not from a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  const int bound = server.bind(host, static_cast<int>(*port));
  fmt::print("colosim extender: policy {} on http://{}:{} (POST /filter /prioritize /bind /state; GET /state /healthz)\n",
             a.settings.policy, host, bound);
  std::fflush(stdout);
  std::thread http([&] { server.serve(); });
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server.stop();
  http.join();
  fmt::print(stderr, "colosim extender: stopped\n");
}

}  // namespace

void add_extender_command(CLI::App& app) {
  auto args = std::make_shared<ExtenderArgs>();
  auto* cmd = app.add_subcommand("extender", "Serve a placement policy to kube-scheduler as a scheduler extender (docs/kubernetes.md)");
  auto& s = args->settings;
  cmd->add_option("--policy", s.policy, "placement policy, e.g. binpack or fgd (not one that preempts or works in rounds)")
      ->required();
  cmd->add_option("--interference", s.interference, "none, seed-paper, a pair table .csv or a calibrated model .pb")
      ->capture_default_str();
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port, printed)")->capture_default_str();
  cmd->add_flag("--pin", s.pin, "filter passes only the node the policy chose (default: every node with room)");
  cmd->add_option("--decision-log", s.decision_log, "append one JSON line per decision and binding to this file");
  cmd->add_option("--max-body-mib", args->max_body_mib, "largest request body accepted (413 beyond)")->capture_default_str();
  cmd->add_option("--gpu-resource", s.names.gpu_resource, "extended resource counting whole GPUs")->capture_default_str();
  cmd->add_option("--gpu-memory-resource", s.names.gpu_memory_resource,
                  "extended resource asking for GPU memory on one shared GPU (gpushare; run with --gpu-sharing stack)")
      ->capture_default_str();
  cmd->add_option("--gpu-count-resource", s.names.gpu_count_resource, "node resource counting GPUs shared by memory")
      ->capture_default_str();
  cmd->add_option("--gpu-memory-unit-mib", s.names.gpu_memory_unit_mib, "MiB per unit of the GPU-memory resource")
      ->capture_default_str();
  cmd->add_option("--app-label", s.names.app_label, "pod label naming the application")->capture_default_str();
  cmd->add_option("--queue-label", s.names.queue_label, "pod label naming the queue (empty: the namespace)");
  cmd->add_option("--gpu-type-label", s.names.gpu_type_label, "node label naming the GPU type")->capture_default_str();
  cmd->add_option("--gpu-type", s.names.default_gpu_type, "GPU type of nodes without that label")->capture_default_str();
  cmd->add_option("--gpu-memory-mib", s.names.default_gpu_memory_mib, "GPU memory of nodes without label nvidia.com/gpu.memory")
      ->capture_default_str();
  auto flags = std::make_shared<OptionFlags>(cmd);
  cmd->callback([args, flags] { serve(*args, *flags); });
}

}  // namespace colosim::cli

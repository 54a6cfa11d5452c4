// Reads a cluster and a job CSV, runs the built-in exclusive policy, prints the jobs finished.
#include <iostream>
#include <utility>

#include "colosim/interference.h"
#include "colosim/policies/builtin.h"
#include "colosim/simulator.h"
#include "colosim/traces/cluster_io.h"
#include "colosim/traces/job_csv.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consumer CLUSTER JOBS_CSV\n";
    return 2;
  }
  const colosim::ClusterSpec cluster = colosim::traces::read_cluster(argv[1]);
  auto jobs = colosim::traces::read_job_csv(argv[2]);
  const auto policy = colosim::builtin_policies().make("exclusive");
  const colosim::NoInterference none;
  const colosim::RunResult result = colosim::simulate(cluster, std::move(jobs), none, *policy);
  std::cout << "finished " << result.summary.finished << " of " << result.summary.jobs << "\n";
}

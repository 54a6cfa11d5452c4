"""Issue 15: node CPU and host memory from Python: a run enforces them unless told to ignore
them, and a Python policy sees what each node has left."""
from __future__ import annotations

import pandas as pd

import colosim

# One node, 2 GPUs, 8 CPUs (as tests/test_node_resources.cc works it out).
CLUSTER = colosim.Cluster(name="cpu", gpu_types=[colosim.GpuType("G", 16384)],
                          nodes=[colosim.Node("n0", "G", 2, cpu_milli=8000)])


def trace():
    return colosim.trace(pd.DataFrame(
        [{"id": i, "app": "x", "submit_s": 0, "duration_s": d, "gpus": 1, "memory_mib": 1000, "feature.cpu_milli": cpu}
         for i, d, cpu in [("a", 100, 6000), ("b", 50, 4000)]]))


def test_node_cpu_delays_a_job_unless_ignored():
    enforced = colosim.run(CLUSTER, trace(), "none", "binpack").jobs.set_index("id")
    assert (enforced.loc["b", "start_s"], enforced.loc["b", "end_s"]) == (100, 150)
    ignored = colosim.run(CLUSTER, trace(), "none", "binpack", node_resources="ignore").jobs.set_index("id")
    assert (ignored.loc["b", "start_s"], ignored.loc["b", "end_s"]) == (0, 50)


class Watcher(colosim.Policy):
    """First fitting GPU; records the node's CPU as each pass sees it."""

    name = "cpu-watcher"

    def __init__(self):
        super().__init__()
        self.seen = []

    def schedule(self, pass_):
        cluster = pass_.cluster
        self.seen.append((pass_.now_s, cluster.cpu_capacity_milli(0), cluster.used_cpu_milli(0),
                          cluster.host_memory_capacity_mib(0), cluster.used_host_memory_mib(0)))
        for job in pass_.pending:
            for g in range(cluster.gpu_count):
                if pass_.fits(job, g):
                    pass_.place(job, [g])
                    break


def test_a_python_policy_sees_node_cpu_and_fits_counts_it():
    watcher = Watcher()
    result = colosim.run(CLUSTER, trace(), "none", watcher).jobs.set_index("id")
    assert result.loc["b", "start_s"] == 100
    assert watcher.seen[0] == (0, 8000, 0, 0, 0)
    assert (100, 8000, 0, 0, 0) in watcher.seen  # a has left when b is offered again

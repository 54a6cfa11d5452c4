"""run() releases the GIL: several simulations proceed in Python threads at once (issue 5)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

import colosim

from test_python_policy import FirstFit


def _inputs(jobs=400):
    cluster = colosim.Cluster.uniform(nodes=4, gpus_per_node=8)
    trace = colosim.Trace.generate(jobs=jobs, seed=21, load=1.4, total_gpus=32)
    return cluster, trace


def test_concurrent_runs_equal_serial_runs():
    cluster, trace = _inputs()
    model = colosim.interference("none")
    work = [("binpack", 1), ("random", 2), ("load-balance", 3), ("exclusive", 4), ("random", 5), ("standalone", 6)]
    serial = [colosim.run(cluster, trace, model, p, seed=s).jobs for p, s in work]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda w: colosim.run(cluster, trace, model, w[0], seed=w[1]).jobs, work))
    for a, b in zip(serial, threaded):
        pd.testing.assert_frame_equal(a, b)


def test_python_policies_in_threads_at_once():
    cluster, trace = _inputs(200)
    serial = colosim.run(cluster, trace, "none", FirstFit()).jobs
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: colosim.run(cluster, trace, "none", FirstFit()).jobs, range(3)))
    for r in results:
        pd.testing.assert_frame_equal(r, serial)


def test_the_gil_is_released_while_a_run_simulates():
    # If run() held the GIL, this thread could not execute a single bytecode until it returned.
    cluster, trace = _inputs(3000)
    done = threading.Event()
    box = {}

    def simulate():
        box["t0"] = time.perf_counter()
        box["result"] = colosim.run(cluster, trace, "none", "random", time_series=False)
        box["t1"] = time.perf_counter()
        done.set()

    ticks = []
    worker = threading.Thread(target=simulate)
    worker.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    during = [t for t in ticks if box["t0"] < t < box["t1"]]
    duration = box["t1"] - box["t0"]
    assert box["result"].summary["jobs"] == 3000
    # Ticks every ~1 ms throughout the run; without the release there would be none (or a
    # single one before the call took the GIL).
    assert len(during) >= max(3, int(duration / 0.001 / 20)), (len(during), duration)

"""colosim.run(): results as DataFrames, arrays and dicts, identical to the CLI's files (issue 5)."""
from __future__ import annotations

import csv
import json
import subprocess

import numpy as np
import pandas as pd
import pytest

import colosim


def cli_run(cli, out, cluster, trace, interference, policy, *extra):
    subprocess.run([str(cli), "run", "--cluster", str(cluster), "--trace", str(trace), "--interference",
                    str(interference), "--policy", policy, "--out", str(out), *extra],
                   check=True, capture_output=True, text=True)
    return out / "jobs.csv", out / "summary.json"


def as_printed(value, kind):
    """A DataFrame cell as jobs.csv prints it."""
    if kind == "float":
        return "" if np.isnan(value) else f"{value:.6f}"
    return str(value)


def assert_frame_matches_csv(df: pd.DataFrame, path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == colosim.JOBS_COLUMNS == tuple(df.columns)
    assert len(rows) - 1 == len(df)
    kinds = {c: "float" if df[c].dtype == np.float64 else "text" for c in df.columns}
    for i, row in enumerate(rows[1:]):
        printed = [as_printed(df.iloc[i][c], kinds[c]) for c in df.columns]
        assert printed == row, f"row {i + 1}"


@pytest.mark.parametrize("policy", ["binpack", "load-balance", "random", "exclusive", "standalone"])
def test_dataframe_equals_cli_jobs_csv_on_seed_paper(tmp_path, cli, seed_paper, policy):
    jobs_csv, summary_json = cli_run(cli, tmp_path / "cli", seed_paper["cluster"], seed_paper["trace"],
                                     seed_paper["interference"], policy, "--seed", "3")
    result = colosim.run(seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"], policy, seed=3)
    # Same columns, same values, same dtypes as reading the CLI's file.
    pd.testing.assert_frame_equal(result.jobs, colosim.read_jobs_csv(jobs_csv))
    assert_frame_matches_csv(result.jobs, jobs_csv)
    # Byte-identical files through the Python API.
    result.write(tmp_path / "py", meta=json.loads(summary_json.read_text())["run"])
    assert (tmp_path / "py" / "jobs.csv").read_bytes() == jobs_csv.read_bytes()
    assert (tmp_path / "py" / "summary.json").read_bytes() == summary_json.read_bytes()
    assert result.summary == json.loads(summary_json.read_text())["summary"]


def test_dataframe_equals_cli_on_a_generated_trace_with_sharing_and_ooms(tmp_path, cli):
    cluster = colosim.Cluster.uniform(nodes=2, gpus_per_node=4, gpu_type="V100", memory_mib=16384)
    cluster.save(str(tmp_path / "cluster.textproto"))
    generated = pd.DataFrame(colosim.Trace.generate(jobs=300, seed=11, load=1.5, total_gpus=8).to_columns())
    # Without GPU shares and stacked, only memory limits sharing, and random:check_memory=false
    # over-commits it.
    generated["gpu_milli"] = 0
    trace = colosim.trace(generated)
    trace.save(str(tmp_path / "trace.csv"))
    pairs = tmp_path / "pairs.csv"
    apps = sorted(set(trace.to_columns()["app"]))
    with open(pairs, "w") as f:
        f.write("victim,aggressor,slowdown\n")
        for i, v in enumerate(apps):
            for j, a in enumerate(apps):
                f.write(f"{v},{a},{1 + ((i * 7 + j * 3) % 10) / 10:.3f}\n")
    extra = ("--memory", "overcommit", "--gpu-sharing", "stack", "--seed", "5")
    jobs_csv, _ = cli_run(cli, tmp_path / "cli", tmp_path / "cluster.textproto", tmp_path / "trace.csv", pairs,
                          "random:check_memory=false", *extra)
    result = colosim.run(cluster, tmp_path / "trace.csv", pairs, "random", policy_params={"check_memory": False},
                         memory="overcommit", gpu_sharing="stack", seed=5)
    assert result.summary["oom_events"] > 0, "the comparison should cover OOM retries"
    df = result.jobs
    assert (df["outcome"] == "finished").any() and df["gpu_list"].str.contains("|", regex=False).any()
    pd.testing.assert_frame_equal(df, colosim.read_jobs_csv(jobs_csv))
    assert_frame_matches_csv(df, jobs_csv)


def test_summary_stats_and_records_are_consistent(seed_paper):
    r = colosim.run(seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"], "binpack")
    assert set(r.summary) == {"jobs", "finished", "makespan_s", "jct_mean_s", "jct_p50_s", "jct_p95_s", "jct_p99_s",
                              "queueing_delay_mean_s", "slowdown_mean", "slowdown_p95", "speedup_mean", "gpu_time_utilisation",
                              "memory_utilisation", "oom_events", "oom_failed", "unschedulable", "never_started", "unfinished",
                              "preemptions", "lost_gpu_time_share", "ftf_jain", "ftf_max", "fragmentation_ratio_mean"}
    assert r.summary["jobs"] == len(r) == 8 and r.summary["finished"] == 8
    assert r.stats["events"] > 0 and r.stats["passes"] > 0
    df = r.jobs
    assert df["jct_s"].mean() == pytest.approx(r.summary["jct_mean_s"])
    assert (df["jct_s"] == df["end_s"] - df["submit_s"]).all()
    assert (df["slowdown"] >= 1.0).all()
    assert r.policy == "binpack" and "binpack" in repr(r)


def test_jobs_array_without_pandas(seed_paper):
    r = colosim.run(seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"], "load-balance")
    a = r.jobs_array()
    assert isinstance(a, np.ndarray) and a.dtype.names == colosim.JOBS_COLUMNS
    assert a["gpus"].dtype == np.int64 and a["jct_s"].dtype == np.float64 and a["id"].dtype.kind == "U"
    df = r.jobs
    assert a["id"].tolist() == df["id"].tolist()
    assert np.array_equal(a["end_s"], df["end_s"].to_numpy(), equal_nan=True)


def test_time_series_accounts_for_gpus_and_queue():
    cluster = colosim.Cluster.uniform(nodes=1, gpus_per_node=2, gpu_type="V100", memory_mib=16384)
    # Hand-made: three exclusive 1-GPU jobs at t=0 on 2 GPUs; the third waits 100 s.
    jobs = [{"id": f"j{i}", "app": "x", "submit_s": 0, "duration_s": 100, "gpus": 1, "memory_mib": 1000}
            for i in range(3)]
    r = colosim.run(cluster, jobs, "none", "exclusive")
    ts = r.time_series
    assert tuple(ts) == colosim.TIME_SERIES_KEYS
    assert ts["time_s"].tolist() == [0.0, 100.0, 200.0]
    assert ts["busy_gpus"].tolist() == [2, 1, 0]
    assert ts["gpu_utilisation"].tolist() == [1.0, 0.5, 0.0]
    assert ts["queued"].tolist() == [1, 0, 0]
    assert ts["running"].tolist() == [2, 1, 0]
    assert ts["memory_utilisation"][0] == pytest.approx(2000 / 32768)
    assert r.jobs.set_index("id").loc["j2", "queueing_delay_s"] == 100.0
    no_series = colosim.run(cluster, jobs, "none", "exclusive", time_series=False)
    assert no_series.time_series["time_s"].size == 0


def test_runs_are_deterministic_and_seeded():
    cluster = colosim.Cluster.uniform(nodes=2, gpus_per_node=4)
    trace = colosim.Trace.generate(jobs=200, seed=2, load=1.2, total_gpus=8)
    a = colosim.run(cluster, trace, "none", "random", seed=9).jobs
    b = colosim.run(cluster, trace, "none", "random", seed=9).jobs
    c = colosim.run(cluster, trace, "none", "random", seed=10).jobs
    pd.testing.assert_frame_equal(a, b)
    assert not a["gpu_list"].equals(c["gpu_list"])


def test_policy_by_name_with_parameters_and_compare(seed_paper):
    r1 = colosim.run(seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"],
                     "random:check_memory=false", memory="overcommit")
    r2 = colosim.run(seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"], "random",
                     policy_params={"check_memory": False}, memory="overcommit")
    assert r1.policy == r2.policy == "random:check_memory=false"
    pd.testing.assert_frame_equal(r1.jobs, r2.jobs)
    table = colosim.compare({"a": r1, "b": r2})
    assert list(table.index) == ["a", "b"] and "jct_mean_s" in table.columns
    assert list(colosim.compare([r1]).index) == ["random:check_memory=false"]


def test_run_errors_are_colosim_errors(seed_paper):
    args = (seed_paper["cluster"], seed_paper["trace"], seed_paper["interference"])
    with pytest.raises(colosim.Error, match="binpack"):  # the message lists the known policies
        colosim.run(*args, "no-such-policy")
    with pytest.raises(colosim.Error, match="colour"):
        colosim.run(*args, "binpack:colour=red")
    with pytest.raises(colosim.Error):
        colosim.run(*args, "binpack", discipline="lifo")
    with pytest.raises(colosim.Error):
        colosim.run(*args, "binpack", memory="sometimes")
    with pytest.raises(colosim.InputError):
        colosim.run(seed_paper["cluster"], "/nonexistent/jobs.csv", "none", "binpack")
    # A pair the table does not know, with no default: the run stops with SimulationError.
    with pytest.raises(colosim.SimulationError):  # the pair meets only when jobs stack
        colosim.run(*args[:2], {("LAMMPS", "GROMACS"): 1.2}, "binpack", gpu_sharing="stack")
    lenient = colosim.run(*args[:2], {("LAMMPS", "GROMACS"): 1.2}, "binpack", unknown_pair_slowdown=1.0)
    assert lenient.summary["finished"] == 8
    with pytest.raises(TypeError):
        colosim.run(*args, policy=42)


def test_unschedulable_jobs_are_reported_not_lost():
    cluster = colosim.Cluster.uniform(nodes=1, gpus_per_node=2, memory_mib=8000)
    jobs = [{"id": "big", "app": "x", "submit_s": 0, "duration_s": 10, "gpus": 4},
            {"id": "fat", "app": "x", "submit_s": 0, "duration_s": 10, "gpus": 1, "memory_mib": 9000},
            {"id": "ok", "app": "x", "submit_s": 1, "duration_s": 10, "gpus": 1}]
    r = colosim.run(cluster, jobs, "none", "binpack")
    df = r.jobs.set_index("id")
    assert df.loc["big", "outcome"] == "unschedulable" and df.loc["ok", "outcome"] == "finished"
    assert r.summary["jobs"] == 3
    assert np.isnan(df.loc["big", "jct_s"]) and df.loc["big", "note"] != ""


def test_help_documents_run_and_policy_schema():
    doc = colosim.run.__doc__
    for name in colosim.registry.names():
        assert name in doc
    assert "check_memory" in doc  # random's parameter, from the registry's schema
    assert "PolicyError" in doc
    infos = {p["name"]: p for p in colosim.policies()}
    assert infos["random"]["params"][0][0] == "check_memory"


_LONG_RUN = """
import sys, time
import colosim
cluster = colosim.Cluster.uniform(nodes=4, gpus_per_node=8)
print("started", flush=True)
began = time.monotonic()
try:
    # Fifty million streamed jobs under a built-in policy: minutes, with the GIL released.
    colosim.run(cluster, "gen:jobs=50000000,load=0.9", "none", "binpack", time_series=False)
except KeyboardInterrupt:
    print(f"KeyboardInterrupt after {time.monotonic() - began:.2f} s", flush=True)
    sys.exit(42)
print("finished", flush=True)
"""


def test_issue10_14_ctrl_c_interrupts_a_long_run_with_a_builtin_policy():
    import os
    import signal
    import sys
    import time

    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(colosim.__file__)))
    child = subprocess.Popen([sys.executable, "-c", _LONG_RUN], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env)
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(1.0)  # well into the simulation
        child.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = child.communicate(timeout=10)
        elapsed = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 42, (out, err)
    assert "KeyboardInterrupt after" in out
    # Seen within the ~100 ms polling period, not at the end of a run of minutes.
    assert elapsed < 3.0, elapsed

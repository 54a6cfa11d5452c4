"""issue 9: the comparison grid from Python (colosim.compare / colosim.sweep) and on Dask: the same
runs.csv and summary.json bytes as `colosim compare`, whoever runs the grid points."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import colosim

# Dask 2022.12 with Debian's tornado warns on starting a LocalCluster; nothing of ours.
pytestmark = pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")

# A small grid: 2 loads x 2 policies x 2 seeds = 8 runs of 120 generated jobs each.
TRACE = "gen:workload=seed-paper,jobs=120,load=1.2"
CLUSTER = "uniform:nodes=2,gpus_per_node=4,memory_mib=16384"
GRID = dict(trace=TRACE, clusters=[CLUSTER], policies=["exclusive", "load-balance"], seeds="1-2",
            loads=[1, 1.5], interference="seed-paper")
CLI_GRID = ["--trace", TRACE, "--cluster", CLUSTER, "--policy", "exclusive", "load-balance", "--seeds", "1-2",
            "--load", "1,1.5", "--interference", "seed-paper", "--composition", "additive"]


def cli_compare(cli: Path, out: Path, *extra: str) -> None:
    result = subprocess.run([str(cli), "compare", *CLI_GRID, "--quiet", "--jobs", "2", "--out", str(out), *extra],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def files(out: Path) -> tuple[bytes, bytes]:
    return (out / "runs.csv").read_bytes(), (out / "summary.json").read_bytes()


@pytest.fixture(scope="module")
def cli_out(cli, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli")
    cli_compare(cli, out)
    return out


@pytest.fixture(scope="module")
def local_grid() -> colosim.Comparison:
    return colosim.compare(**GRID, jobs=2, composition="additive")


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    # Worker processes, as on a real cluster: the spec is pickled to them and they import colosim
    # (PYTHONPATH is inherited).
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster


def test_issue9_compare_writes_the_cli_bytes(local_grid, cli_out, tmp_path):
    local_grid.write(tmp_path)
    assert files(tmp_path) == files(cli_out)
    assert local_grid.runs_csv == (cli_out / "runs.csv").read_bytes()
    assert local_grid.summary_json.encode() == (cli_out / "summary.json").read_bytes()


def test_issue9_runs_frame_has_the_csv_values_and_integer_columns(local_grid, cli_out):
    runs = local_grid.runs
    assert list(runs.columns) == ["run", "cluster", "load", "policy", "seed", *colosim.SUMMARY_METRICS, "events",
                                  "predictions", "app_fallbacks", "gpu_type_fallbacks"]
    assert len(runs) == 8 and list(runs["run"]) == list(range(8))
    ints = [m["key"] for m in colosim._colosim.summary_metrics() if m["type"] == "int"]
    for column in ["run", "seed", "events", *ints]:
        assert runs[column].dtype == np.int64, column
    assert runs["jobs"].tolist() == [120] * 8  # every generated job is reported once
    # Grid order: load slower than policy, policy slower than seed.
    assert runs["load"].tolist() == [1.0] * 4 + [1.5] * 4
    assert runs["policy"].tolist() == ["exclusive", "exclusive", "load-balance", "load-balance"] * 2
    assert runs["seed"].tolist() == [1, 2] * 4
    # runs.csv prints reals as the shortest text that reads back: the same values.
    pd.testing.assert_frame_equal(runs, pd.read_csv(cli_out / "runs.csv"), check_dtype=False)


def same(value, expected) -> bool:
    """A DataFrame cell against summary.json's value (null for no value)."""
    if expected is None:
        return value is None or (isinstance(value, float) and np.isnan(value))
    return value == expected


def test_issue9_groups_and_paired_match_summary_json(local_grid):
    summary = json.loads(local_grid.summary_json)
    groups, paired = local_grid.groups, local_grid.paired
    metrics = len(colosim.SUMMARY_METRICS)
    assert len(groups) == 2 * 2 * metrics  # loads x policies x metrics
    assert len(paired) == 2 * 1 * metrics  # load-balance against exclusive, per load
    assert local_grid.baseline == "exclusive" and set(paired["baseline"]) == {"exclusive"}
    assert (groups["n"] == 2).all() and (groups["ci_low"] <= groups["mean"]).all()
    assert (groups["mean"] <= groups["ci_high"]).all()
    # The mean of a group is the mean of its runs.
    runs = local_grid.runs
    row = groups[(groups.policy == "load-balance") & (groups.load == 1.5) & (groups.metric == "jct_mean_s")]
    expected = runs[(runs.policy == "load-balance") & (runs.load == 1.5)]["jct_mean_s"].mean()
    assert row["mean"].item() == pytest.approx(expected, rel=1e-12)
    # Exactly the numbers of summary.json (shortest round-trip text reads back to the same double).
    checked = 0
    for g in summary["groups"]:
        for key, stats in g["metrics"].items():
            row = groups[(groups.cluster == g["cluster"]) & (groups.load == g["load"]) & (groups.policy == g["policy"])
                         & (groups.metric == key)].iloc[0]
            for column in ("mean", "sd", "ci_low", "ci_high"):
                assert same(row[column], stats[column]), (g["policy"], key, column)
            checked += 1
    for p in summary["paired"]:
        for key, stats in p["metrics"].items():
            row = paired[(paired.load == p["load"]) & (paired.policy == p["policy"]) & (paired.metric == key)].iloc[0]
            assert same(row["difference"], stats["mean_difference"])
            assert same(row["ci_low"], stats["ci_low"]) and same(row["ci_high"], stats["ci_high"])
            assert same(row["relative_change"], stats["relative_change"])
            assert bool(row["significant"]) == stats["excludes_zero"]
            checked += 1
    assert checked == len(groups) + len(paired)


def test_issue9_sweep_file_with_overrides_equals_cli_sweep(cli, tmp_path):
    sweep = tmp_path / "sweep.json"
    sweep.write_text(json.dumps({"trace": TRACE, "clusters": [CLUSTER], "policies": ["exclusive", "binpack"],
                                 "seeds": "1-3", "interference": "seed-paper", "options": {"composition": "additive"}}))
    cli_out = tmp_path / "cli"
    result = subprocess.run([str(cli), "compare", "--sweep", str(sweep), "--seeds", "1-2", "--quiet", "--out",
                             str(cli_out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    py_out = tmp_path / "py"
    colosim.sweep(sweep, seeds="1-2", jobs=2).write(py_out)
    assert files(py_out) == files(cli_out)


def test_issue9_sweep_on_a_dask_local_cluster_equals_the_thread_pool(dask_cluster, local_grid, tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = {**GRID, "options": {"composition": "additive"}}
    with distributed.Client(dask_cluster) as client:
        on_dask = colosim.sweep(spec, client=client)
    assert on_dask.runs_csv == local_grid.runs_csv
    assert on_dask.summary_json == local_grid.summary_json
    # A scheduler address works the same (the docs' one-line change for a real cluster).
    by_address = colosim.compare(**GRID, client=dask_cluster.scheduler_address, composition="additive")
    assert by_address.runs_csv == local_grid.runs_csv


def test_issue9_cli_dask_flag_equals_the_local_run(cli, cli_out, dask_cluster, tmp_path):
    out = tmp_path / "dask"
    cli_compare(cli, out, "--dask", dask_cluster.scheduler_address)
    assert files(out) == files(cli_out)


@pytest.fixture(scope="module")
def varied_trace(tmp_path_factory) -> Path:
    """A trace file for --vary (which varies files, not gen: specs), with an extension that names no
    format, so that --trace-format must travel too."""
    path = tmp_path_factory.mktemp("varied") / "jobs.trace"
    colosim.Trace.generate(jobs=120, seed=2, load=1.2, total_gpus=8).save(str(path), format="csv")
    return path


def varied_cli_grid(trace: Path) -> list[str]:
    return ["--trace", str(trace), "--trace-format", "csv", "--vary", "jitter:seconds=300", "--cluster", CLUSTER,
            "--policy", "exclusive", "binpack", "--seeds", "1-2"]


VARIED = dict(trace_format="csv", vary="jitter:seconds=300", clusters=[CLUSTER], policies=["exclusive", "binpack"],
              seeds="1-2")


def test_issue9_compare_with_vary_writes_the_cli_bytes(cli, varied_trace, tmp_path):
    out = tmp_path / "cli"
    result = subprocess.run([str(cli), "compare", *varied_cli_grid(varied_trace), "--quiet", "--jobs", "2",
                             "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    grid = colosim.compare(trace=varied_trace, jobs=2, **VARIED)
    assert grid.runs_csv == (out / "runs.csv").read_bytes()
    assert grid.summary_json.encode() == (out / "summary.json").read_bytes()
    assert json.loads(grid.summary_json)["inputs_vary_with_seed"] is True
    # The seeds saw different traces: the same policy differs between them.
    runs = grid.runs
    assert runs[runs.policy == "exclusive"]["makespan_s"].nunique() == 2


def test_issue9_cli_dask_with_vary_equals_the_thread_pool(cli, varied_trace, dask_cluster, tmp_path):
    outs = {}
    for name, extra in (("pool", []), ("dask", ["--dask", dask_cluster.scheduler_address])):
        outs[name] = tmp_path / name
        result = subprocess.run([str(cli), "compare", *varied_cli_grid(varied_trace), "--quiet", "--jobs", "2",
                                 "--out", str(outs[name]), *extra], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
    assert files(outs["dask"]) == files(outs["pool"])


def test_issue9_cli_dask_refuses_standard_input_clearly(cli, tmp_path):
    result = subprocess.run([str(cli), "compare", "--trace", "-", "--cluster", CLUSTER, "--policy", "exclusive",
                             "--dask", "tcp://127.0.0.1:1", "--out", str(tmp_path)], input="id,app,submit_s,duration_s,gpus\na,x,0,1,1\n",
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 1
    assert "not standard input (-)" in result.stderr


@pytest.mark.parametrize("bad, message", [
    (dict(policies=["exclusive", "no-such-policy"]), "no-such-policy"),
    (dict(no_such_option=3), "no_such_option"),
    (dict(seeds="3-1"), "3-1"),
    (dict(trace="/nonexistent/trace.csv"), "/nonexistent/trace.csv"),
])
def test_issue9_bad_input_raises_before_any_run(bad, message):
    # The client is never touched: resolving the spec fails first, before anything runs.
    with pytest.raises(colosim.Error, match=message):
        colosim.compare(**{**GRID, **bad}, client=object())


def test_issue9_sweep_file_errors_name_the_file(tmp_path):
    sweep = tmp_path / "bad.json"
    sweep.write_text(json.dumps({"trace": TRACE, "options": {"no_such_option": "1"}}))
    with pytest.raises(colosim.InputError, match="bad.json") as info:
        colosim.sweep(sweep)
    assert info.value.field == "options.no_such_option"


def test_issue9_compare_of_finished_results_still_works():
    cluster = colosim.Cluster.uniform(nodes=1, gpus_per_node=2)
    trace = colosim.Trace.generate(jobs=20, seed=1, load=0.8, total_gpus=2)
    results = {name: colosim.run(cluster, trace, policy=name) for name in ("binpack", "exclusive")}
    table = colosim.compare(results)
    assert len(table) == 2


def test_issue9_ctrl_c_stops_the_thread_pool():
    # 400 runs of 3000 jobs: far more than the half second before the signal.
    big = dict(GRID, trace="gen:workload=seed-paper,jobs=3000,load=1.2", seeds="1-100")
    # Ctrl-C every half second until the comparison ends: one that lands before the pool starts
    # must not decide the test. The first raises KeyboardInterrupt, as Python's own handler
    # does; later ones are ignored, so none can escape into pytest after the test.
    raised = threading.Event()

    def interrupt(signum, frame):
        if not raised.is_set():
            raised.set()
            raise KeyboardInterrupt

    ended = threading.Event()

    def press_ctrl_c():
        while not ended.wait(0.5):
            os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, interrupt)
    presser = threading.Thread(target=press_ctrl_c, daemon=True)
    presser.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            colosim.compare(**big, jobs=2)
    finally:
        ended.set()
        presser.join()
        signal.signal(signal.SIGINT, previous)


def test_issue9_cli_dask_checks_the_spec_before_starting_python(cli, tmp_path):
    # Nothing listens at this address: reaching Python would wait for the connection timeout.
    args = [str(cli), "compare", *CLI_GRID, "--policy", "no-such-policy", "--dask", "tcp://127.0.0.1:1",
            "--out", str(tmp_path)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=20)
    assert result.returncode == 1
    assert "no-such-policy" in result.stderr
    assert not (tmp_path / "runs.csv").exists()

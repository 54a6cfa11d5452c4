"""Issue 17: colosim.validate() on the bundled example logs, as `colosim validate` (one core)."""
from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest
from matplotlib.figure import Figure

import colosim
import colosim.plot
from conftest import ROOT

LOGS = ROOT / "examples" / "logs"


def example_pods():
    trace, cluster, notes = colosim.import_trace("kubernetes", LOGS / "pods.json", [LOGS / "nodes.json"],
                                                 {"log-time": "2026-03-02T22:00:00Z"})
    assert "skipped 3 pods never bound to a node" in notes
    return trace, cluster


def test_first_fit_reproduces_the_log_it_recorded():
    trace, cluster = example_pods()
    v = colosim.validate(trace, cluster, policy="first-fit")
    assert len(v.jobs) == 57
    assert list(v.jobs.columns[:3]) == ["id", "recorded_queueing_delay_s", "simulated_queueing_delay_s"]
    errors = v.errors()
    assert list(errors.index) == ["queueing_delay", "start", "jct"]
    assert (errors["mae_s"] == 0).all() and (errors["ks_distance"] == 0).all()
    assert v.summary["placement"]["same_nodes_fraction"] == 1
    assert v.jobs["same_nodes"].all()
    assert v.summary["start"]["mape_percent"] is None  # start times count from an arbitrary origin
    assert len(v.result.jobs) == 57


def test_python_and_cli_write_the_same_validation(cli, tmp_path):
    pb = tmp_path / "pods.pb"
    subprocess.run([cli, "convert", "--from", "kubernetes", LOGS / "pods.json", pb, "--with", LOGS / "nodes.json",
                    "--opt", "log-time=2026-03-02T22:00:00Z", "-q"], check=True)
    subprocess.run([cli, "validate", "--trace", pb, "--policy", "first-fit", "--queue-order", "sjf", "--out", tmp_path,
                    "-q"], check=True, stdout=subprocess.DEVNULL)
    v = colosim.validate(pb, policy="first-fit", queue_order="sjf")
    cli_jobs = pd.read_csv(tmp_path / "validate.csv", dtype={"id": str})
    pd.testing.assert_frame_equal(v.jobs, cli_jobs)
    cli_summary = json.loads((tmp_path / "validate.json").read_text())
    for q in ("queueing_delay", "start", "jct"):
        assert v.summary[q] == cli_summary[q]
    assert v.summary["queueing_delay"]["mae_s"] > 600  # shortest first reorders the queue


def test_recorded_columns_of_a_dataframe_and_the_plot():
    jobs = pd.DataFrame({"id": ["a", "b"], "app": ["x", "x"], "submit_s": [0, 10], "duration_s": [100, 50],
                         "gpus": [1, 1], "recorded_start_s": [0, 100], "recorded_end_s": [100, 150],
                         "recorded_nodes": ["node0", "node0"], "recorded_state": ["Succeeded", "Succeeded"]})
    # One GPU: b waited for a, as recorded. Two GPUs: b starts at once, 90 s earlier.
    one = colosim.validate(jobs, "uniform:nodes=1,gpus_per_node=1,memory_mib=1000")
    assert one.summary["queueing_delay"]["mae_s"] == 0
    two = colosim.validate(jobs, "uniform:nodes=1,gpus_per_node=2,memory_mib=1000")
    assert two.summary["queueing_delay"]["mae_s"] == 45
    assert two.summary["queueing_delay"]["bias_s"] == -45
    assert two.summary["jct"]["mape_n"] == 2 and two.summary["jct"]["mape_percent"] == pytest.approx(100 * (90 / 140) / 2)
    fig = colosim.plot.validation(two)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert isinstance(colosim.plot.validation(two.jobs), Figure)


def test_a_trace_without_recorded_runs_is_an_error():
    with pytest.raises(colosim.Error, match="no job has a recorded run"):
        colosim.validate(ROOT / "examples" / "seed_paper" / "jobs.csv", ROOT / "examples" / "seed_paper" / "cluster.textproto")


def test_recorded_runs_survive_a_dataframe_round_trip():
    trace, cluster = example_pods()
    frame = pd.DataFrame(trace.to_columns())
    assert {"recorded_start_s", "recorded_end_s", "recorded_nodes", "recorded_state"} <= set(frame.columns)
    assert frame["recorded_end_s"].isna().sum() == 8  # still running at the log time
    from_frame = colosim.validate(frame, cluster, policy="first-fit", queue_order="sjf")
    direct = colosim.validate(trace, cluster, policy="first-fit", queue_order="sjf")
    pd.testing.assert_frame_equal(from_frame.jobs, direct.jobs)

"""Issue 15: the FGD paper's experiment from Python: colosim.inflate() gives the same curves as
``colosim inflate`` (worked out in tests/test_inflation.cc), and colosim.plot.inflation draws them."""
from __future__ import annotations

import os
import pathlib
import subprocess

import pandas as pd
import pytest

import colosim
from colosim import plot

TWO_GPUS = colosim.Cluster.uniform(nodes=1, gpus_per_node=2, gpu_type="G", memory_mib=16384)


def trace():
    return colosim.trace(pd.DataFrame([{"id": "x", "app": "A", "submit_s": 0, "duration_s": 10, "gpus": 1,
                                        "memory_mib": 0, "gpu_milli": 600}]))


def test_inflate_curves_and_summary_by_hand():
    # Jobs of 600 on 2 GPUs: two placed, then nothing fits; arrived 30, 60, 90, 120%.
    result = colosim.inflate(trace(), TWO_GPUS, policies=["fgd", "best-fit"], seeds="1-3", threads=2)
    curves = result.curves
    assert list(curves.columns) == ["policy", "seed", "arrived_pct", "allocated_pct", "unallocated_pct",
                                    "fragmentation_pct"]
    assert len(curves) == 2 * 3 * 131
    at = curves.set_index(["policy", "seed", "arrived_pct"])
    assert at.loc[("fgd", 1, 30), "allocated_pct"] == pytest.approx(30)
    assert at.loc[("best-fit", 3, 90), "unallocated_pct"] == pytest.approx(40)
    assert at.loc[("fgd", 2, 30), "fragmentation_pct"] == pytest.approx(400 / 14, abs=1e-4)
    assert pd.isna(at.loc[("fgd", 1, 0), "allocated_pct"])
    summary = result.summary(at=90).set_index("policy")
    assert summary.loc["fgd", "unallocated_median"] == pytest.approx(40)
    assert summary.loc["best-fit", "jobs"] == 12


def test_inflate_rejects_bad_input():
    with pytest.raises(colosim.Error, match="unknown policy 'nosuch'"):
        colosim.inflate(trace(), TWO_GPUS, policies=["nosuch"], seeds="1")
    with pytest.raises(colosim.Error, match="node_resources"):
        colosim.inflate(trace(), TWO_GPUS, seeds="1", node_resources="sometimes")
    with pytest.raises(colosim.Error, match="seed"):
        colosim.inflate(trace(), TWO_GPUS, seeds="x")


def test_inflation_plot(tmp_path):
    result = colosim.inflate(trace(), TWO_GPUS, policies=["fgd", "gpu-packing"], seeds="1-2", threads=1)
    fig = plot.inflation(result)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "unallocated GPUs (%)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["fgd", "gpu-packing"]
    fig.savefig(tmp_path / "inflation.png")
    assert (tmp_path / "inflation.png").stat().st_size > 1000
    assert plot.inflation(result.curves, "fragmentation_pct").axes[0].get_ylabel() == "fragmentation / idle GPUs (%)"


def test_openb_default_inflates_under_every_paper_policy():
    # The real trace and node list, one seed, arrivals to 50%: every policy places every job.
    data = os.environ.get("COLOSIM_DATA")
    if not data:
        pytest.skip("COLOSIM_DATA is not set: the openb trace is not available")
    folder = pathlib.Path(data) / "alibaba-gpu-v2023-openb"
    pods, nodes = folder / "openb_pod_list_default.csv", folder / "openb_node_list_gpu_node.csv"
    assert pods.exists() and nodes.exists(), f"COLOSIM_DATA is set but {folder} lacks the openb lists"
    jobs, cluster, _ = colosim.import_trace("alibaba-gpu-v2023-openb", str(pods), [str(nodes)])
    result = colosim.inflate(jobs, cluster, seeds="42", max_ratio=0.5, threads=2)
    summary = result.summary(at=50).set_index("policy")
    assert list(summary.index) == list(colosim._inflation.PAPER_POLICIES)
    assert (summary["unallocated_median"] < 51).all() and (summary["unallocated_median"] > 49).all()


def test_inflation_report(tmp_path):
    result = colosim.inflate(trace(), TWO_GPUS, policies=["fgd", "best-fit"], seeds="1-2", threads=1)
    result.curves.to_csv(tmp_path / "curves.csv", index=False)
    result.summary(at=90).to_csv(tmp_path / "summary.csv", index=False)
    from colosim import report
    assert report.main(["--inflation", str(tmp_path / "curves.csv"), "--out", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text()
    assert "<title>colosim inflate</title>" in page
    assert "<th>unallocated % at 90%</th>" in page
    assert "<tr><th>fgd</th><td>40.00</td><td>40.00-40.00</td>" in page
    assert page.count("data:image/png;base64,") == 3
    assert report.main(["--inflation", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "x.html")]) == 1


def test_run_measures_fragmentation_against_the_trace():
    # tests/test_fragmentation.cc: a (600, 0-100 s) and b (600, 50-150 s) on one node of 2 GPUs
    # under first-fit: the ratio is 2/7, 1, 2/7 over three 50 s spans, a mean of 11/21.
    jobs = colosim.trace(pd.DataFrame([
        {"id": "a", "app": "A", "submit_s": 0, "duration_s": 100, "gpus": 1, "memory_mib": 0, "gpu_milli": 600},
        {"id": "b", "app": "A", "submit_s": 50, "duration_s": 100, "gpus": 1, "memory_mib": 0, "gpu_milli": 600}]))
    measured = colosim.run(TWO_GPUS, jobs, "none", "first-fit", fragmentation="trace")
    assert measured.summary["fragmentation_ratio_mean"] == pytest.approx(11 / 21)
    series = measured.time_series
    assert list(series["time_s"]) == [0, 50, 100, 150]
    assert list(series["fragmentation_ratio"]) == pytest.approx([2 / 7, 1, 2 / 7, 0])
    assert plot.fragmentation(measured).axes[0].get_ylabel() == "fragmentation / idle GPUs"
    unmeasured = colosim.run(TWO_GPUS, jobs, "none", "first-fit")
    assert unmeasured.summary["fragmentation_ratio_mean"] == 0
    assert all(pd.isna(unmeasured.time_series["fragmentation_ratio"]))
    with pytest.raises(colosim.Error, match="fragmentation"):
        colosim.run(TWO_GPUS, jobs, "none", "first-fit", fragmentation="arrivals")


def test_cli_inflate_writes_the_html_report(cli, tmp_path):
    trace_csv = tmp_path / "jobs.csv"
    trace_csv.write_text("id,app,submit_s,duration_s,gpus,memory_mib,gpu_milli\nx,A,0,10,1,0,600\n")
    out = subprocess.run([str(cli), "inflate", "--cluster", "uniform:nodes=1,gpus_per_node=2,memory_mib=16384", "--trace",
                          str(trace_csv), "--seeds", "1-2", "--policies", "fgd", "best-fit", "--at", "90", "--out",
                          str(tmp_path / "out"), "--report", str(tmp_path / "report.html")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "report.html").read_text()
    assert "<th>unallocated % at 90%</th>" in page
    assert page.count("data:image/png;base64,") == 3

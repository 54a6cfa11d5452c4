"""colosim.plot renders headless PNGs with the expected axes (issue 5)."""
from __future__ import annotations

import io
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

import colosim
from colosim import plot


def png_size(fig: Figure) -> tuple[int, int, int]:
    """(width, height, distinct colours) of the rendered PNG."""
    import matplotlib.image as mpimg

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    buf.seek(0)
    img = mpimg.imread(buf)
    colours = len(np.unique(img.reshape(-1, img.shape[-1]), axis=0))
    return img.shape[1], img.shape[0], colours


@pytest.fixture(scope="module")
def runs():
    cluster = colosim.Cluster.uniform(nodes=2, gpus_per_node=4)
    trace = colosim.Trace.generate(jobs=120, seed=8, load=1.2, total_gpus=8)
    return {p: colosim.run(cluster, trace, "none", p) for p in ("binpack", "exclusive")}


def test_jct_cdf(runs):
    fig = plot.jct_cdf({k: r.jobs for k, r in runs.items()})
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("JCT (s)", "fraction of jobs", "JCT CDF per policy")
    assert [t.get_text().split(" (")[0] for t in ax.get_legend().get_texts()] == ["binpack", "exclusive"]
    w, h, colours = png_size(fig)
    assert w > 100 and h > 100 and colours > 10
    assert plot.jct_cdf(list(runs.values())).axes[0].get_legend() is not None  # Results, labelled by policy


def test_gpu_utilisation_and_queue_length(runs):
    fig = plot.gpu_utilisation(runs)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time (s)", "busy GPUs (fraction)")
    assert ax.get_title() == "GPU utilisation over time" and len(ax.get_lines()) == 2
    assert png_size(fig)[2] > 10
    fig = plot.queue_length({k: r.time_series for k, r in runs.items()})
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("time (s)", "queued jobs", "Queue length over time")
    assert png_size(fig)[2] > 10
    assert len(plot.gpu_utilisation(runs["binpack"]).axes[0].get_lines()) == 1


def test_slowdown_by_app():
    cluster = colosim.Cluster.uniform(nodes=1, gpus_per_node=2)
    jobs = [{"id": f"j{i}", "app": "ab"[i % 2], "submit_s": 0, "duration_s": 100, "gpus": 1, "memory_mib": 1000}
            for i in range(8)]
    r = colosim.run(cluster, jobs, {("a", "a"): 1.2, ("a", "b"): 1.5, ("b", "a"): 1.1, ("b", "b"): 1.3}, "binpack")
    fig = plot.slowdown_by_app(r.jobs)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("application", "slowdown", "Slowdown per application")
    assert sorted(t.get_text() for t in ax.get_xticklabels()) == ["a", "b"]
    assert png_size(fig)[2] > 10


def test_interference_heatmap_measured_vs_predicted():
    import pandas as pd

    apps = ["a", "b", "c"]
    measured = pd.DataFrame([[1.0, 1.5, np.nan], [1.2, 1.1, 1.3], [2.0, np.nan, 1.4]], index=apps, columns=apps)
    model = colosim.interference({(v, a): float(measured.loc[v, a]) + 0.05 for v in apps for a in apps
                                  if not np.isnan(measured.loc[v, a])}, unknown_pair_slowdown=1.25)
    predicted = pd.DataFrame(model.matrix(apps), index=apps, columns=apps)
    fig = plot.interference_heatmap(measured, predicted)
    titles = [ax.get_title() for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert titles[:2] == ["measured", "predicted"]
    for ax in fig.axes[:2]:
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("aggressor", "victim")
        assert [t.get_text() for t in ax.get_yticklabels()] == apps
    assert any(ax.get_ylabel() == "slowdown" for ax in fig.axes[2:])  # the colour bar
    assert png_size(fig)[2] > 10
    single = plot.interference_heatmap(measured.to_numpy(), labels=apps)
    assert single.axes[0].get_title() == "measured"


def test_summary_bars(runs):
    fig = plot.summary_bars(colosim.compare(runs), "jct_mean_s")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "jct_mean_s" and len(ax.patches) == 2
    assert png_size(fig)[2] > 5


def test_plot_imports_without_the_compiled_module(tmp_path):
    package = pathlib.Path(colosim.__file__).parent
    copy = tmp_path / "colosim"
    copy.mkdir()
    for f in package.iterdir():
        if f.suffix in (".py", ".pyi"):
            shutil.copy(f, copy / f.name)
    code = ("import pandas as pd, colosim.plot as p\n"
            "df = pd.DataFrame({'jct_s': [1.0, 2.0, 4.0], 'outcome': ['finished'] * 3})\n"
            "fig = p.jct_cdf({'x': df}); fig.savefig('out.png')\n"
            "try:\n    import colosim; colosim.run\nexcept ImportError as e:\n    print('ImportError', e)\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out.png").stat().st_size > 1000
    assert "ImportError" in out.stdout and "PYTHONPATH=build/python" in out.stdout

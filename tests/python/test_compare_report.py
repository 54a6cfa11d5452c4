"""colosim compare --report: a self-contained HTML page that a browser shows with its table and
plots (checked on a headless Chromium screenshot)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image


def run_compare(cli: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    args = [str(cli), "compare", "--trace", "gen:workload=seed-paper,jobs=300,load=1.2",
            "--cluster", "uniform:nodes=2,gpus_per_node=4,memory_mib=16384", "--interference", "seed-paper",
            "--policy", "exclusive", "load-balance", "--seeds", "1-3", "--quiet", "--out", str(out), *extra]
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def screenshot(page: Path, png: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "chromium is not installed (./scripts/setup installs it)"
    # The sanitizer run preloads the ASan runtime for Python; Chromium must not inherit it.
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", f"--screenshot={png}", "--window-size=1200,1600",
                        page.resolve().as_uri()], capture_output=True, timeout=120, check=True, env=env)


def test_report_is_self_contained_and_shows_table_and_plots(cli, tmp_path):
    # The CLI finds the package in <build>/python, next to <build>/tools/colosim.
    report = tmp_path / "report.html"
    result = run_compare(cli, tmp_path / "out", "--report", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    assert report.is_file()
    assert "wrote" not in result.stdout + result.stderr  # --quiet (issue 9): no chatter

    page = report.read_text()
    # The table, with both policies and an interval in every cell of the results table.
    assert '<table class="results">' in page
    assert "<th>load-balance</th>" in page and "<th>exclusive</th>" in page
    assert "&plusmn;" in page
    assert "Paired with exclusive" in page
    # Plots are inline PNGs; nothing is fetched from anywhere.
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) >= 3
    assert all(len(b) > 5000 for b in images)
    assert not re.search(r'(src|href)="(?!data:)', page)

    png = tmp_path / "report.png"
    screenshot(report, png)
    assert png.stat().st_size > 50_000  # a blank page is a few kB
    pixels = image.imread(str(png))[:, :, :3]
    assert pixels.shape[:2] == (1600, 1200)
    assert len(np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50  # not uniform
    rgb = (pixels * 255).astype(int)

    def share(color, tolerance=12):
        return float(np.mean(np.all(np.abs(rgb - np.array(color)) <= tolerance, axis=2)))

    # The table: its header cells are #f2f2f2 and its text is dark.
    assert share((0xF2, 0xF2, 0xF2), 2) > 0.005
    assert share((0x22, 0x22, 0x22), 40) > 0.002
    # A plot: matplotlib's first two colours (C0 blue, C1 orange) drawn somewhere on screen.
    assert share((31, 119, 180), 30) > 0.0005
    assert share((255, 127, 14), 30) > 0.0005


def test_report_module_reports_missing_inputs(tmp_path):
    env = dict(os.environ)
    result = subprocess.run(["/usr/bin/python3", "-m", "colosim.report", "--runs", str(tmp_path / "none.csv"),
                             "--out", str(tmp_path / "r.html")], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "colosim.report:" in result.stderr and "none.csv" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_compare_without_python_package_says_how_to_get_it(cli, tmp_path):
    env = dict(os.environ, COLOSIM_PYTHONPATH=str(tmp_path / "nowhere"))
    args = [str(cli), "compare", "--trace", "gen:jobs=20", "--cluster", "uniform:nodes=1", "--policy", "binpack",
            "--quiet", "--out", str(tmp_path / "out"), "--report", str(tmp_path / "r.html")]
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode != 0
    assert "the Python package is not at" in result.stderr
    # The runs themselves are kept.
    assert (tmp_path / "out" / "runs.csv").exists()

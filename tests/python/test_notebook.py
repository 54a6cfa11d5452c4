"""examples/policy_comparison.ipynb runs top to bottom without an error (issue 5)."""
from __future__ import annotations

import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

import colosim

from conftest import ROOT, shared_data

NOTEBOOK = ROOT / "examples" / "policy_comparison.ipynb"


def execute(tmp_path: pathlib.Path, monkeypatch, data: str | None):
    # The kernel is Debian's python3 (kernel "python3"); it inherits this environment, so it
    # imports the colosim under test.
    package_root = str(pathlib.Path(colosim.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
    if data is None:
        monkeypatch.delenv("COLOSIM_DATA", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def outputs_of(nb) -> str:
    text = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text.append(out.get("text", ""))
            text.append(str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(text)


def test_notebook_runs_on_synthetic_data(tmp_path, monkeypatch):
    nb = execute(tmp_path, monkeypatch, data=None)
    text = outputs_of(nb)
    assert "synthetic trace" in text and "least-slowdown" in text
    images = sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
    assert images >= 6, "every plot cell should display its figure"


def test_notebook_runs_on_the_alibaba_trace_and_gavel_calibration(tmp_path, monkeypatch):
    root = shared_data("alibaba-gpu-v2023-openb/openb_pod_list_default.csv").parents[1]
    shared_data("gavel-colocation/simulation_throughputs.json")
    nb = execute(tmp_path, monkeypatch, data=str(root))
    text = outputs_of(nb)
    assert "calibrated in" in text and "least-slowdown" in text

"""Shared fixtures of the Python tests (run by ./scripts/test with PYTHONPATH=<build>/python)."""
from __future__ import annotations

import os
import pathlib

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed_paper"


def build_dir() -> pathlib.Path:
    """The build whose module is under test: COLOSIM_BUILD_DIR (set by ./scripts/test), else
    the folder two levels above the imported package (<build>/python/colosim)."""
    env = os.environ.get("COLOSIM_BUILD_DIR")
    if env:
        return pathlib.Path(env)
    import colosim

    return pathlib.Path(colosim.__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    path = build_dir() / "tools" / "colosim"
    assert path.exists(), f"the colosim CLI is not built at {path}"
    return path


@pytest.fixture(scope="session")
def seed_paper() -> dict[str, str]:
    return {"cluster": str(SEED / "cluster.textproto"), "trace": str(SEED / "jobs.csv"),
            "interference": str(SEED / "slowdowns.csv")}


def shared_data(relative: str) -> pathlib.Path:
    """A file of the shared public data. COLOSIM_DATA unset: the test is skipped with a message;
    set but the file is missing: the test fails (CI cannot pass by skipping)."""
    root = os.environ.get("COLOSIM_DATA")
    if not root:
        pytest.skip(f"COLOSIM_DATA is unset, so {relative} cannot be found")
    path = pathlib.Path(root) / relative
    assert path.exists(), f"COLOSIM_DATA is set but {path} is missing"
    return path

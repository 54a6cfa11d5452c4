"""`pip install .` into a fresh virtual environment makes `import colosim` work from anywhere,
without PYTHONPATH (issue 9)."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from conftest import ROOT, SEED, build_dir

SCRIPT = f"""
import pathlib, sys
import colosim
assert pathlib.Path(colosim.__file__).is_relative_to(sys.prefix), colosim.__file__
assert pathlib.Path(colosim.__file__).with_name("py.typed").exists()
assert pathlib.Path(colosim.__file__).with_name("_colosim.pyi").exists()
r = colosim.run({str(SEED / 'cluster.textproto')!r}, {str(SEED / 'jobs.csv')!r}, "none", "exclusive")
print(r.summary["finished"], r.summary["jobs"])
"""


def test_issue_9_pip_install_into_a_fresh_venv_works_outside_the_checkout(tmp_path):
    venv = tmp_path / "venv"
    # --system-site-packages: numpy and pandas come from Debian, as a user of this project has them.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_PRELOAD")}
    # Offline (--no-index, --no-build-isolation), and the module comes from the build under test
    # rather than a second full build of the libraries (minutes on CI; see setup.py).
    env.update(COLOSIM_CMAKE_BUILD_DIR=str(build_dir()), PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1")
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--no-build-isolation", str(ROOT)],
                             cwd=tmp_path, env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr

    # From outside the checkout, without PYTHONPATH: only the installed package can be imported.
    # The ASan build's module needs its runtime preloaded, as for pytest itself.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([str(python), "-c", SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    # examples/seed_paper/jobs.csv: 8 jobs, all of which finish.
    assert run.stdout.split() == ["8", "8"]
    assert not (ROOT / "bindings" / "python" / "colosim.egg-info").exists()

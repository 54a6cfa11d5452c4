"""Builds colosim's compiled module (_colosim) with CMake for `pip install .`; the metadata and the
pure-Python package are declared in pyproject.toml.

The module is built for the interpreter that runs pip (sys.executable), in a CMake build of its
own under build-pip/, with the tests and benchmarks off.

COLOSIM_CMAKE_BUILD_DIR=<dir> reuses an existing CMake build tree instead (relative paths are
relative to this folder): only the _colosim target is brought up to date there and copied. The
tests use it because a full rebuild of the libraries costs minutes on CI's two cores, while what
they check is the packaging (metadata, files, an import from outside the checkout), not the
compiler. The module must have been built for this interpreter's version; otherwise the
build stops with a message saying so.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        reuse = os.environ.get("COLOSIM_CMAKE_BUILD_DIR")
        if reuse:
            build_dir = (ROOT / reuse).resolve()
            if not (build_dir / "CMakeCache.txt").exists():
                raise SystemExit(f"COLOSIM_CMAKE_BUILD_DIR={reuse}: {build_dir} is not a configured CMake build")
        else:
            build_dir = ROOT / "build-pip" / "cmake"
            subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja",
                            "-DCMAKE_BUILD_TYPE=Release", "-DCOLOSIM_BUILD_PYTHON=ON", "-DCOLOSIM_BUILD_TESTS=OFF",
                            "-DCOLOSIM_BUILD_BENCH=OFF", f"-DPython3_EXECUTABLE={sys.executable}"], check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_colosim", "-j", jobs], check=True)
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = build_dir / "python" / "colosim" / f"_colosim{suffix}"
        if not built.exists():
            found = sorted(p.name for p in (build_dir / "python" / "colosim").glob("_colosim*"))
            raise SystemExit(f"{built} is missing: the CMake build in {build_dir} made {found or 'no module'}, "
                             f"not one for {sys.executable} (Python {sys.version.split()[0]})")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)


setup(
    ext_modules=[CMakeExtension("colosim._colosim")],
    cmdclass={"build_ext": CMakeBuild},
    # Not build/: that is the CMake build folder of ./scripts/test.
    options={"build": {"build_base": "build-pip"}, "egg_info": {"egg_base": "build-pip"}},
)

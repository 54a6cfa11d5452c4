"""The type stubs of the compiled module list exactly what it exports (issue 5)."""
from __future__ import annotations

import ast
import pathlib

import colosim
from colosim import _colosim


def test_stub_matches_the_compiled_module():
    stub_path = pathlib.Path(colosim.__file__).with_name("_colosim.pyi")
    tree = ast.parse(stub_path.read_text())
    stub: dict[str, set[str] | None] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            stub[node.name] = {b.name for b in node.body if isinstance(b, ast.FunctionDef)} | {
                b.target.id for b in node.body if isinstance(b, ast.AnnAssign) and isinstance(b.target, ast.Name)}
        elif isinstance(node, (ast.FunctionDef, ast.AnnAssign)):
            stub[node.name if isinstance(node, ast.FunctionDef) else node.target.id] = None
    assert set(stub) == {k for k in dir(_colosim) if not k.startswith("_")}
    for name, members in stub.items():
        if members is None or issubclass(getattr(_colosim, name), BaseException):
            continue
        actual = {k for k in dir(getattr(_colosim, name)) if not k.startswith("_")}
        assert actual == {m for m in members if not m.startswith("_")}, name


def test_public_functions_have_docstrings():
    for name in colosim.__all__ if hasattr(colosim, "__all__") else dir(colosim):
        obj = getattr(colosim, name)
        if callable(obj) and not name.startswith("_"):
            assert (obj.__doc__ or "").strip(), name

"""The public API as type checkers see it: generated stubs, current, shipped, usable.

``retrograd``'s functions and Tensor's op methods are built from the op records at
import time; ``retrograd/__init__.pyi`` and ``retrograd/tensor.pyi`` declare them
(``python -m retrograd._stubgen`` writes them). These tests fail while the committed
stubs are stale, when the package would not ship them, and when mypy rejects a small
user script written against them, or accepts one that calls a method Tensor lacks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import retrograd
from retrograd import _stubgen

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

PACKAGE = Path(retrograd.__file__).parent
ROOT = Path(__file__).resolve().parents[1]

USER_SCRIPT = """
import retrograd

x = retrograd.ones(2, 3, requires_grad=True)
y: retrograd.Tensor = retrograd.sin(x)
z = y.sin().exp() * 2 + retrograd.logaddexp(x, x)
z.sum().backward()
retrograd.ones(3, requires_grad=True).sum().backward()
retrograd.ones(()).backward()
grad: retrograd.Tensor | None = x.grad
with retrograd.no_grad():
    x.add_(1.0)
shape: retrograd.Size = x.shape
d: retrograd.dtype = retrograd.float32
"""


def test_committed_stubs_are_current():
    for name, text in _stubgen.stubs().items():
        committed = (PACKAGE / name).read_text(encoding="utf-8")
        assert committed == text, f"retrograd/{name} is stale: run python -m retrograd._stubgen"


def test_stubs_declare_every_public_name_and_tensor_method():
    init, tensor = _stubgen.namespace_stub(), _stubgen.tensor_stub()
    for name in retrograd.__all__:
        assert f" {name}" in init or f"{name}:" in init, name
    for name in ("sin", "sin_", "backward", "logaddexp", "__add__", "grad", "shape"):
        assert f"def {name}(" in tensor, name


def test_the_package_ships_the_stubs_and_py_typed():
    assert (PACKAGE / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["setuptools"]["package-data"]["retrograd"]
    assert "py.typed" in shipped and "*.pyi" in shipped


def test_dir_shows_the_public_api_only():
    names = dir(retrograd)
    assert names == sorted(retrograd.__all__)
    for internal in ("annotations", "warnings", "creation", "engine", "graph", "storage"):
        assert internal not in names
    for public in ("Tensor", "sin", "tensor", "no_grad", "autograd", "nn", "float32", "bool"):
        assert public in names


def _mypy(tmp_path: Path, source: str) -> tuple[str, int]:
    api = pytest.importorskip("mypy.api", reason="mypy is not installed (the test extra)")
    # The editable install maps core/ to retrograd through an import hook mypy cannot
    # follow: give it the package under its import name instead.
    search = tmp_path / "path"
    search.mkdir()
    os.symlink(PACKAGE, search / "retrograd", target_is_directory=True)
    script = tmp_path / "user.py"
    script.write_text(source, encoding="utf-8")
    # mypy's main raises the recursion limit to 16,384 for the rest of the process; the
    # tests after this one must run with the limit they were written for.
    limit = sys.getrecursionlimit()
    try:
        stdout, stderr, status = api.run([
            str(script), "--follow-imports=silent", "--no-error-summary",
            "--cache-dir", str(tmp_path / "cache"), "--python-version", "3.11",
        ])  # fmt: skip
    finally:
        sys.setrecursionlimit(limit)
    return stdout + stderr, status


@pytest.fixture
def mypy_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MYPYPATH", str(tmp_path / "path"))
    return tmp_path


def test_mypy_accepts_a_user_script(mypy_path: Path):
    output, status = _mypy(mypy_path, USER_SCRIPT)
    assert status == 0, output


def test_mypy_rejects_a_method_tensor_lacks(mypy_path: Path):
    output, status = _mypy(mypy_path, USER_SCRIPT + "x.sin().no_such_method()\n")
    assert status == 1 and 'has no attribute "no_such_method"' in output, output

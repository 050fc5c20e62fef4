"""Third-party plugins, installed as packages and found through their entry points.

- ``examples/retrograd-array-api-strict``, the worked example of docs/plugins.md, is
  installed with ``pip install --target`` into a temporary directory that only the
  child processes see (PYTHONPATH), and replays the tutorial exactly as NumPy does, in a
  new process. The environment the tests run in is left as it was: its
  ``retrograd.backends()`` is the same before and after (checked).
- ``tests/data/retrograd-numpy-impostor`` claims the name ``numpy`` and
  ``tests/data/retrograd-fast-matmul`` overrides NumPy's ``matmul``. They are installed
  with ``pip install --target`` into a throwaway directory that only the child process
  sees (PYTHONPATH): the impostor breaks every retrograd process that can see it, so it
  must never land in the shared environment, even for a moment, while other processes
  use it. Deleting the directory is the uninstall.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "retrograd-array-api-strict"
DATA = Path(__file__).resolve().parent / "data"
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def _installer() -> list[str] | None:
    """pip for this interpreter, or uv's pip (nox's uv-backed venvs have no pip)."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip", "install", "-q"]
    if shutil.which("uv"):
        return ["uv", "pip", "install", "-q", "--python", sys.executable]
    return None


def _can_build_offline() -> bool:
    """Whether this environment's setuptools builds wheels by itself (it has bdist_wheel
    from version 70.1 on; before, only with the ``wheel`` package)."""
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    major_minor = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    return major_minor >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _install(*args: str) -> None:
    """Install without dependencies: offline when this environment has setuptools to
    build with, else letting the installer fetch it; skip if that is impossible."""
    command = _installer()
    if command is None:
        pytest.skip("neither pip nor uv is available to install a plugin package")
    flags = ["--no-deps"]
    if _can_build_offline():
        flags += ["--no-index", "--no-build-isolation"]
    result = subprocess.run([*command, *flags, *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"could not install {args[-1]}: {result.stderr.strip()[-300:]}")


def _python(*args: str, path: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RETROGRAD_BACKEND"}
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(path), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=300
    )


def _backend_names(path: Path | None = None) -> list[str]:
    """``retrograd.backends()``'s names in a new process (seeing ``path`` if given)."""
    code = "import retrograd; print(*(b.name for b in retrograd.backends()))"
    result = _python("-c", code, path=path)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.fixture(scope="module")
def strict_example(tmp_path_factory) -> Iterator[Path]:
    """The example package, installed into a temporary directory: its path, for
    PYTHONPATH. On teardown, this environment's backends are as they were before."""
    if importlib.util.find_spec("array_api_strict") is None:
        pytest.skip("array-api-strict is not installed (it comes with the 'test' extra)")
    before = _backend_names()
    target = tmp_path_factory.mktemp("site") / "retrograd-array-api-strict"
    _install("--target", str(target), str(EXAMPLE))
    yield target
    shutil.rmtree(target)
    assert _backend_names() == before, "the tests changed this environment's backends"


def test_the_example_is_seen_only_by_the_processes_given_its_path(strict_example):
    here, there = _backend_names(), _backend_names(strict_example)
    assert "array_api_strict" in there
    assert sorted(set(here) | {"array_api_strict"}) == there
    # Installed into the environment itself (nox's sessions do), it shows in both.
    assert set(here) <= set(there)


def test_example_backend_is_found_through_its_entry_point(strict_example):
    code = (
        "import retrograd\n"
        "row = {b.name: b for b in retrograd.backends()}['array_api_strict']\n"
        "print(row.package, row.usable, retrograd.ones(2, backend='array_api_strict').tolist())"
    )
    result = _python("-c", code, path=strict_example)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["retrograd-array-api-strict", "True", "[1.0,", "1.0]"]


def _tutorial(backend: str, path: Path) -> str:
    result = _python("-m", "retrograd", "tutorial", "--backend", backend, "--seed", "0", path=path)
    assert result.returncode == 0, result.stderr
    return _ADDRESS.sub("0x...", result.stdout)


def test_example_backend_replays_the_tutorial_as_numpy_does(strict_example):
    assert _tutorial("array_api_strict", strict_example) == _tutorial("numpy", strict_example)


_ACTIVATIONS = """
import retrograd
for backend in ("numpy", "array_api_strict"):
    x = retrograd.tensor([0.5, -0.3, 0.0, 2.0], requires_grad=True, backend=backend)
    y = x.tanh().sum() + x.sigmoid().sum() + x.relu().sum() + (x @ x)
    (g,) = retrograd.autograd.grad(y, x, create_graph=True)
    (gg,) = retrograd.autograd.grad(g.sum(), x)
    print([round(v, 6) for v in g.tolist() + gg.tolist()])
"""


def test_example_backend_differentiates_the_activations_as_numpy_does(strict_example):
    """The derivative ops (tanh_backward, threshold_backward, ...) and matrix products
    use only array-API calls that a strict namespace accepts, first and second order."""
    result = _python("-c", _ACTIVATIONS, path=strict_example)
    assert result.returncode == 0, result.stderr
    numpy_line, strict_line = result.stdout.splitlines()
    assert strict_line == numpy_line


def _installed_into(tmp_path: Path, package: str) -> Path:
    target = tmp_path / package
    _install("--target", str(target), str(DATA / package))
    return target


def test_a_package_claiming_an_existing_backend_name_is_an_error_naming_both(tmp_path):
    site = _installed_into(tmp_path, "retrograd-numpy-impostor")
    result = _python("-c", "import retrograd; retrograd.ones(2)", path=site)
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "RuntimeError: backend 'numpy' is provided by two plugins" in message
    assert "'retrograd'" in message and "'retrograd-numpy-impostor'" in message
    shutil.rmtree(site)  # the uninstall: the next process sees retrograd alone again
    assert _python("-c", "import retrograd; retrograd.ones(2)").returncode == 0


def test_a_package_overriding_one_kernel_takes_effect_and_removing_it_restores(tmp_path):
    code = (
        "import numpy as np, retrograd\n"
        "a = retrograd.ones(2, 3, backend='numpy')\n"
        "kernel = retrograd.get_backend('numpy').kernels['matmul']\n"
        "print((a @ a.t()).tolist(), kernel is np.matmul, getattr(kernel, '__name__', ''))\n"
    )
    site = _installed_into(tmp_path, "retrograd-fast-matmul")
    calls = "import retrograd_fast_matmul as plugin; print(plugin.CALLS)"
    with_plugin = _python("-c", code + calls, path=site)
    assert with_plugin.returncode == 0, with_plugin.stderr
    assert with_plugin.stdout.splitlines() == [
        "[[3.0, 3.0], [3.0, 3.0]] False fast_matmul",
        "[((2, 3), (3, 2))]",
    ]
    shutil.rmtree(site)
    without = _python("-c", code)
    assert without.returncode == 0, without.stderr
    assert without.stdout.split()[-2:] == ["True", "matmul"]

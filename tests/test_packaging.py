"""Layout and packaging: the import names, and nothing importable as ``core``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_top_level_layout():
    for name in ("pyproject.toml", "core", "backends", "conformance", "docs", "noxfile.py",
                 "README.md", "bench", ".ci/run"):  # fmt: skip
        assert (ROOT / name).exists(), name


def test_import_names(tmp_path):
    code = (
        "import retrograd, retrograd_backends, retrograd_conformance\nprint(retrograd.__file__)\n"
    )
    result = _python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).parent.name in ("core", "retrograd")


def test_nothing_imports_as_core_or_backends(tmp_path):
    for name in ("core", "backends", "conformance"):
        result = _python(f"import {name}", tmp_path)
        assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr, name


def test_package_data_ships_the_tutorial():
    import retrograd.tutorial as tutorial

    assert list(Path(tutorial.__file__).parent.glob("*.toml"))


def _package_dirs() -> set[str]:
    """The import name of every folder with an ``__init__.py`` under the three source roots."""
    roots = {
        "core": "retrograd",
        "backends": "retrograd_backends",
        "conformance": "retrograd_conformance",
    }
    names = set()
    for folder, import_name in roots.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            names.add(".".join((import_name, *relative)))
    return names


def test_pyproject_lists_every_package():
    # The package list is explicit (the import names differ from the folder names), so a new
    # subpackage must be added by hand; an editable install does not notice a missing one.
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    assert _package_dirs() - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - _package_dirs() == set()


def test_a_built_wheel_imports_every_subpackage(tmp_path):
    # What `pip install .` gives a user, not the editable install the suite runs from.
    import importlib.util

    # Without setuptools in this environment pip fetches it into an isolated build env.
    isolation = [] if importlib.util.find_spec("setuptools") is None else ["--no-build-isolation"]
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation,
         "-w", str(tmp_path / "wheel"), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "wheel").glob("retrograd-*.whl")
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
         str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    modules = sorted(_package_dirs())
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    module = importlib.import_module(name)\n"
        f"    assert module.__file__.startswith({str(site)!r}), module.__file__\n"
        "import retrograd, retrograd.tutorial, pathlib\n"
        "assert list(pathlib.Path(retrograd.tutorial.__file__).parent.glob('*.toml'))\n"
        "assert (pathlib.Path(retrograd.__file__).parent / 'py.typed').exists()\n"
        "print(retrograd.compile(lambda x: x * 2)(retrograd.ones(2)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "tensor([2., 2.])" in result.stdout

"""Layout and packaging: the import names, and nothing importable as ``core``."""

from __future__ import annotations

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

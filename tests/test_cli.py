"""The ``retrograd`` command line, run as a user runs it: a new process."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import retrograd


def _cli(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "RETROGRAD_BACKEND"} | env
    return subprocess.run(
        [sys.executable, "-m", "retrograd", *args],
        capture_output=True, text=True, env=full_env, timeout=600, cwd=cwd,
    )  # fmt: skip


def test_help_is_plain_text_listing_the_commands():
    result = _cli("--help")
    assert result.returncode == 0, result.stderr
    assert "``" not in result.stdout and ":func:" not in result.stdout
    for command in ("tutorial", "graph", "backends", "conformance", "--version"):
        assert command in result.stdout


def test_version():
    result = _cli("--version")
    assert (result.returncode, result.stdout) == (0, f"retrograd {retrograd.__version__}\n")


def test_backends_prints_the_table_with_the_default_marked():
    result = _cli("backends")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["backend", "package", "device", "state"]
    rows = {line.split()[0]: line for line in lines[1:-1]}
    assert set(rows) == {b.name for b in retrograd.backends()}
    assert rows["numpy"].split()[1] == "*" and lines[-1] == "(* the default backend)"
    for info in retrograd.backends():
        assert rows[info.name].endswith(info.state)


def test_backends_table_marks_the_default_in_process(restore_default):
    retrograd.set_default_backend("numpy")
    table = str(retrograd.backends())
    assert isinstance(retrograd.backends(), list)  # code that iterates it keeps working
    assert [line.split()[0] for line in table.splitlines() if "*" in line.split()[:2]] == ["numpy"]
    assert table == repr(retrograd.backends())


@pytest.fixture
def restore_default():
    before = retrograd.plugins.default_backend_name()
    yield
    retrograd.set_default_backend(before)


def test_a_bad_environment_variable_stops_the_tutorial_with_status_2():
    result = _cli("tutorial", RETROGRAD_BACKEND="nope")
    assert result.returncode == 2
    assert result.stdout == ""  # no cell ran
    last = result.stderr.splitlines()[-1]
    assert last.startswith("retrograd tutorial: RETROGRAD_BACKEND='nope' names no installed")
    assert "--backend NAME" in last
    # ... but an explicit --backend runs: the person chose.
    chosen = _cli("tutorial", "--backend", "numpy", RETROGRAD_BACKEND="nope")
    assert chosen.returncode == 0, chosen.stderr


def test_an_unknown_backend_is_status_2_for_every_command():
    assert _cli("tutorial", "--backend", "nope").returncode == 2
    result = _cli("conformance", "nope")
    assert result.returncode == 2 and "unknown backend 'nope'" in result.stderr


@pytest.mark.skipif(importlib.util.find_spec("pytest") is None, reason="needs pytest")
def test_conformance_runs_the_plugin_and_writes_the_report(tmp_path):
    result = _cli("conformance", "numpy", "-q", "-p", "no:cacheprovider", "-k",
                  "test_tutorial", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("retrograd conformance: checking backend 'numpy':")
    assert "backend 'numpy': " in result.stdout and " passed" in result.stdout
    assert (tmp_path / "retrograd-conformance-numpy.json").exists()
    assert (tmp_path / "retrograd-conformance-numpy.md").exists()


def test_graph_writes_the_tutorials_backward_graphs(tmp_path):
    result = _cli("graph", str(tmp_path / "g"))
    assert result.returncode == 0, result.stderr
    dots = sorted((tmp_path / "g").glob("cell_*.dot"))
    assert dots and all(p.read_text().startswith("digraph") for p in dots)
    text = "".join(p.read_text() for p in dots)
    assert "MulBackward0" in text and "AccumulateGrad" in text


def test_tutorial_graph_option_writes_the_same_files_as_graph(tmp_path):
    assert _cli("graph", str(tmp_path / "g")).returncode == 0
    result = _cli("tutorial", "--graph", str(tmp_path / "t"))
    assert result.returncode == 0, result.stderr
    names = [sorted(p.name for p in (tmp_path / d).iterdir()) for d in ("g", "t")]
    assert names[0] and names[0] == names[1]

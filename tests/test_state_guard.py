"""The suite's guard (tests/state_guard.py), run by pytest itself in a subprocess: a test
that leaves retrograd's modes or the recursion limit changed gets an error naming what it
left, the next test finds them put back, and tests that leave them alone pass."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

GUARDED = """
import sys
import retrograd
from state_guard import _every_test_leaves_the_process_as_it_found_it  # noqa: F401

def test_leaves_everything_alone():
    with retrograd.no_grad(), retrograd.autograd.graph.saved_tensors_hooks(id, id):
        assert not retrograd.is_grad_enabled()

def test_raises_the_limit():
    sys.setrecursionlimit(sys.getrecursionlimit() + 500)

def test_leaves_grad_mode_off_and_a_hook_pushed():
    retrograd.set_grad_enabled(False)
    retrograd.autograd.graph.saved_tensors_hooks(id, id).__enter__()

def test_finds_everything_put_back():
    assert sys.getrecursionlimit() == LIMIT
    assert retrograd.is_grad_enabled()
    assert retrograd.saved_tensors.HOOKS.stack == []
"""


def test_what_a_test_leaves_behind_is_its_error_and_is_put_back(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    tests = str(Path(__file__).resolve().parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")]))
    limit = sys.getrecursionlimit()
    pytester.makepyfile(GUARDED.replace("LIMIT", str(limit)))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, errors=2)  # errors at teardown; the tests passed
    result.stdout.fnmatch_lines_random([
        "*ERROR at teardown of test_raises_the_limit*",
        f"*changed sys.getrecursionlimit() from {limit} to {limit + 500} (now put back)*",
        "*ERROR at teardown of test_leaves_grad_mode_off_and_a_hook_pushed*",
        "*this test left grad mode from True to False; saved-tensor hooks from [[]] to [[](*",
    ])  # fmt: skip

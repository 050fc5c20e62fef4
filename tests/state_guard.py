"""Every test leaves the process as it found it: retrograd's modes and the interpreter's
recursion budget. An autouse fixture (imported by ``conftest.py``) checks after each test.

Why: CI twice saw thousands of tests fail with "maximum recursion depth exceeded while
calling a Python object" from one test to far beyond it. The cause: a benchmark helper
counted kernel calls by saving and restoring the NumPy backend's kernel table while
vmap's batching layer was over it (a batched array of an earlier test not yet collected
keeps it there); the restore wrote the layer's kernels into the backend's own table,
where each called itself. Whatever a test leaves behind every later test pays for, far
from the cause; this guard makes it the failure of the test responsible, with what it
left, and puts back what it can so the tests after it run as written:

- retrograd's state, per thread or per process: grad and inference mode, the
  ``use_backend`` selection and the process default backend, saved-tensor hooks, open
  dual levels and ``vmap`` calls, the default dtype, anomaly mode; and no backend's own
  kernel table holding a kernel of vmap's batching layer (one that would call itself:
  the cascade CI saw, not put back). A test that changes one and does not restore it
  gets an error at teardown naming it.
- ``sys.getrecursionlimit()``: a test that changes it gets an error at teardown (mypy's
  API raises it to 16,384 for good, for instance).
- the recursion counter: frames on the stack plus the calls still possible should add
  up to the limit. If after a test they fall short, the interpreter's counter leaked
  (pure Python cannot do that; CPython or a C extension did): a
  :class:`RecursionBudgetWarning` names the test and the shortfall, and the limit is
  raised by that much so the tests after it keep their room.

Room is measured by calling a function until ``RecursionError`` (about a thousand calls
per test), not by timing anything.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from retrograd import anomaly_mode, batching, dtypes, dual, grad_mode, saved_tensors
from retrograd.plugins import registry
from retrograd.reentrant import _frames

# Frames the measurement may miss between the probe's Python frames: a shortfall up to
# this much is the measurement, not a leak.
SLACK = 50


class RecursionBudgetWarning(UserWarning):
    """The interpreter's recursion counter did not come back after a test."""


def _room() -> int:
    """Python calls still possible on this thread before ``RecursionError``."""
    calls = 0

    def deeper() -> None:
        nonlocal calls
        calls += 1
        deeper()

    with contextlib.suppress(RecursionError):
        deeper()
    return calls


def _shortfall(limit: int) -> int:
    """How far the frames on the stack plus the room left fall short of ``limit``."""
    return limit - (_frames() + _room())


def _retrograd_state() -> dict[str, Any]:
    """The modes a test may change, each as a value that compares by what it means."""
    registry.default_backend_name()  # the process default is chosen on first use: now
    return {
        "grad mode": grad_mode.state.enabled,
        "inference mode": grad_mode.state.inference,
        "use_backend selection": registry._selection.stack,
        "default backend": list(registry._process_default),
        "saved-tensor hooks": list(saved_tensors.HOOKS.stack),
        "open dual levels": [level.index for level in dual.STATE.levels],
        "running vmap calls": list(batching.active_modes()),
        "default dtype": dtypes.get_default_dtype(),
        "anomaly mode": (anomaly_mode.ENABLED, anomaly_mode.CHECK_NAN),
        # A kernel vmap's layer made, written into a backend's own table, calls itself.
        "vmap kernels in a backend's own table": [
            f"{backend.name}.{name}"
            for backend in registry.loaded_backends()
            for name, kernel in batching.own_table(backend.kernels).items()
            if getattr(kernel, "made_by_batching", False)
        ],
    }


def _restore(before: dict[str, Any]) -> None:
    grad_mode.state.enabled = before["grad mode"]
    grad_mode.state.inference = before["inference mode"]
    registry._selection.stack = before["use_backend selection"]
    registry._process_default[:] = before["default backend"]
    saved_tensors.HOOKS.stack = before["saved-tensor hooks"]
    while len(dual.STATE.levels) > len(before["open dual levels"]):
        dual.exit_level(dual.STATE.levels[-1].index)
    for level, _, _ in reversed(batching.active_modes()[len(before["running vmap calls"]) :]):
        batching.exit(level)
    dtypes.set_default_dtype(before["default dtype"])
    anomaly_mode.set_anomaly_enabled(*before["anomaly mode"])


class _Baseline:
    limit: int | None = None
    shortfall = 0


_baseline = _Baseline()


@pytest.fixture(autouse=True)
def _every_test_leaves_the_process_as_it_found_it() -> Iterator[None]:
    if _baseline.limit is None:
        _baseline.limit = sys.getrecursionlimit()
        _baseline.shortfall = _shortfall(_baseline.limit)
    before = _retrograd_state()
    yield
    problems = []
    after = _retrograd_state()
    changed = [f"{k} from {before[k]!r} to {after[k]!r}" for k in before if after[k] != before[k]]
    if changed:
        _restore(before)
        problems.append("this test left " + "; ".join(changed) + " (now put back)")
    limit = sys.getrecursionlimit()
    if limit != _baseline.limit:
        sys.setrecursionlimit(_baseline.limit)
        problems.append(
            f"this test changed sys.getrecursionlimit() from {_baseline.limit} to {limit} "
            "(now put back)"
        )
    lost = _shortfall(_baseline.limit) - _baseline.shortfall
    if lost > SLACK:
        # CPython keeps the calls it counts as in use and moves the limit: raising it by
        # the leak gives the later tests the room they had.
        _baseline.limit += lost
        sys.setrecursionlimit(_baseline.limit)
        warnings.warn(
            f"after this test the interpreter had {lost} fewer nested calls left than its "
            f"recursion limit allows (its recursion counter leaked); the limit is raised "
            f"to {_baseline.limit} so that the tests after it keep their room",
            RecursionBudgetWarning,
            stacklevel=1,
        )
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)

"""The hot path does no more work than it did: op call and backward step, counted.

A regression check, not the benchmark (``python -m bench`` times things; see
docs/performance.md). Timings depend on the machine's load, so this test counts what load
cannot move, on a chain of multiplies by a Python float (NumPy backend, 16 floats):

- Python-level work per recorded op and per backward node: the function calls
  (``call`` events) and the built-in calls (``c_call`` events) that ``sys.setprofile``
  sees. Counted as the difference between a chain of 2N and one of N links, so the
  one-off work (the root, the leaf, the engine's set-up) cancels out.
- Kernel calls per op and per node, through the kernel table (the tracing plugin).

The bounds are the counts measured when they were set plus a slack of two, so an extra
function call or two per op (a refactoring) passes, while a new layer on the hot path, a
pluggy call per op or a per-op copy fails here, naming the counts.
"""

from __future__ import annotations

import gc
import sys
from collections import Counter
from collections.abc import Callable

import pytest
import retrograd
from retrograd.plugins.tracing import KernelTracer

N = 50
# Measured (CPython 3.11, NumPy 2.4): forward 9 Python calls and 11 built-in calls per
# op (isinstance x4, list.append x4, object.__new__ x2, and the NumPy kernel table's
# lookup, which keeps retrograd's warnings filter first: see retrograd.ieee); backward 12
# Python calls (the node, its rule, the multiply it runs, the engine's send) and 12
# built-in calls per node.
MAX_FORWARD_CALLS = 9 + 2
MAX_FORWARD_BUILTINS = 11 + 2
MAX_BACKWARD_CALLS = 12 + 2
MAX_BACKWARD_BUILTINS = 12 + 2


def _profiled(action: Callable[[], object]) -> Counter:
    """``{"call": n, "c_call": m}``: the calls ``action`` made, as sys.setprofile sees them."""
    counts: Counter = Counter()

    def profile(frame, event, arg):  # noqa: ARG001 - sys.setprofile's signature
        counts[event] += 1

    # No cycle collection while counting: a __del__ or weakref callback of some other
    # test's garbage would be counted as this action's work.
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(previous)
        if collecting:
            gc.enable()
    return Counter({k: counts[k] for k in ("call", "c_call")})


def _chain(length: int) -> tuple[Counter, Counter]:
    """Profiled counts of building a chain of ``length`` multiplies, and of its backward."""
    x = retrograd.ones(16, requires_grad=True, backend="numpy")
    seed = retrograd.ones(16, backend="numpy")
    ends = [x]

    def forward() -> None:
        y = x
        for _ in range(length):
            y = y * 1.0000001
        ends[0] = y

    built = _profiled(forward)
    ran = _profiled(lambda: ends[0].backward(seed))
    return built, ran


@pytest.fixture(scope="module")
def per_link() -> tuple[Counter, Counter]:
    """Calls per op (forward) and per node (backward), one-off costs cancelled."""
    _chain(3)  # warm-up: backend resolution, kernel table, lazy imports
    short, long = _chain(N), _chain(2 * N)
    forward = Counter({k: (long[0][k] - short[0][k]) / N for k in ("call", "c_call")})
    backward = Counter({k: (long[1][k] - short[1][k]) / N for k in ("call", "c_call")})
    return forward, backward


def test_op_call_python_work_is_bounded(per_link) -> None:
    forward, _ = per_link
    assert forward["call"] <= MAX_FORWARD_CALLS and forward["c_call"] <= MAX_FORWARD_BUILTINS, (
        f"a retrograd op call makes {forward['call']:g} Python calls and "
        f"{forward['c_call']:g} built-in calls (bounds {MAX_FORWARD_CALLS}, "
        f"{MAX_FORWARD_BUILTINS}): the hot path grew; profile with python -m bench --only W2"
    )


def test_backward_step_python_work_is_bounded(per_link) -> None:
    _, backward = per_link
    calls, builtins = backward["call"], backward["c_call"]
    assert calls <= MAX_BACKWARD_CALLS and builtins <= MAX_BACKWARD_BUILTINS, (
        f"a backward step makes {calls:g} Python calls and {builtins:g} built-in calls "
        f"(bounds {MAX_BACKWARD_CALLS}, {MAX_BACKWARD_BUILTINS}): the engine grew; profile "
        "with python -m bench --only W2"
    )


def test_one_kernel_call_per_op_and_per_backward_node() -> None:
    x = retrograd.ones(16, requires_grad=True, backend="numpy")
    seed = retrograd.ones(16, backend="numpy")
    with KernelTracer() as tracer:
        y = x
        for _ in range(N):
            y = y * 1.0000001
        forward = [call.kernel for call in tracer.calls]
        y.backward(seed)
        backward = [call.kernel for call in tracer.calls[len(forward) :]]
    assert forward == ["multiply"] * N
    # One multiply per node; the leaf's gradient arrives as the last node's output, and
    # AccumulateGrad stores it with one copy at most.
    assert backward.count("multiply") == N and len(backward) <= N + 1, backward


def test_the_counter_sees_an_extra_call_per_op() -> None:
    """The measure can fail: wrapping the multiply in one more function adds one call."""

    def mul(a, b):
        return a * b

    x = retrograd.ones(16, backend="numpy")
    plain = _profiled(lambda: [x * 2.0 for _ in range(N)])
    wrapped = _profiled(lambda: [mul(x, 2.0) for _ in range(N)])
    assert (wrapped["call"] - plain["call"]) == N

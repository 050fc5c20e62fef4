"""The hot path stays fast: op call and backward step, relative to a NumPy add.

A regression check, not the benchmark (``python -m bench`` is; see docs/performance.md).
It times a chain of multiplies on 16 floats, forward and backward per op, against
``np.add`` on two 16-float arrays in the same process, interleaved, and takes the median
ratio over several runs, so machine speed and load cancel out. The bounds are about 3x
the ratios measured when they were set, so only a real regression (an accidental
pluggy call per op, a per-op copy, a quadratic engine) trips them.
"""

from __future__ import annotations

import gc
import statistics
import time

import numpy as np
import pytest
import retrograd

CHAIN = 2000
RUNS = 9
# Ratios to one np.add on 16 floats (2 cores, numpy backend, medians of 9 runs): forward
# 9.6-9.8x, backward 10.9-11.1x on a quiet machine; 30x once with two test workers and
# another test run beside them. The bounds are ~3.5x the quiet ratios, so load alone
# does not trip them.
MAX_FORWARD_RATIO = 36.0
MAX_BACKWARD_RATIO = 40.0


def _numpy_add_seconds() -> float:
    a, b = np.ones(16, np.float32), np.ones(16, np.float32)
    t0 = time.perf_counter()
    for _ in range(CHAIN):
        np.add(a, b)
    return (time.perf_counter() - t0) / CHAIN


def _chain_seconds() -> tuple[float, float]:
    # The bounds are ratios to np.add: the core's cost over NumPy, whatever the default.
    x = retrograd.ones(16, requires_grad=True, backend="numpy")
    seed = retrograd.ones(16, backend="numpy")
    t0 = time.perf_counter()
    y = x
    for _ in range(CHAIN):
        y = y * 1.0000001
    t1 = time.perf_counter()
    y.backward(seed)
    t2 = time.perf_counter()
    return (t1 - t0) / CHAIN, (t2 - t1) / CHAIN


@pytest.fixture(scope="module")
def ratios() -> tuple[float, float]:
    """Median forward and backward per-op ratios to np.add, runs interleaved."""
    _chain_seconds()  # warm-up: backend resolution, kernel table, first allocations
    # The objects other tests and imports left alive (PyTorch's included) are moved out
    # of the cycle collector's sight while timing, so they do not tax every allocation.
    gc.collect()
    gc.freeze()
    try:
        runs = []
        for _ in range(RUNS):
            base = _numpy_add_seconds()
            fwd, bwd = _chain_seconds()
            runs.append((fwd / base, bwd / base))
    finally:
        gc.unfreeze()
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def test_op_call_cost_is_bounded(ratios: tuple[float, float]) -> None:
    forward, _ = ratios
    assert forward < MAX_FORWARD_RATIO, (
        f"a retrograd op call costs {forward:.1f}x an np.add on 16 floats (bound "
        f"{MAX_FORWARD_RATIO}x): the hot path regressed; profile with python -m bench --only W2"
    )


def test_backward_step_cost_is_bounded(ratios: tuple[float, float]) -> None:
    _, backward = ratios
    assert backward < MAX_BACKWARD_RATIO, (
        f"a retrograd backward step costs {backward:.1f}x an np.add on 16 floats (bound "
        f"{MAX_BACKWARD_RATIO}x): the engine regressed; profile with python -m bench --only W2"
    )

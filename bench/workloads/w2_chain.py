"""W2: a chain of N elementwise multiplies on 16 floats: the hot path, per op.

Forward and backward are timed separately and reported per op (this is what
``bench/hot_path.py`` measured; it now runs this workload). The timed table uses
N = 20,000; the ``1m`` child runs N = 1,000,000 in a fresh process, with a 20,000 run in
the same process first, and reports both per-op times (flatness) and the memory the
graph holds per op (RSS after forward, before backward).

The NumPy limit keeps every output alive, as a tape would (the hot path benchmark did
the same), and its backward is ``g = g * c`` per op.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any

import numpy as np

from ..memory import Meter
from ..workload import Workload

C = 1.0000001
N_TIMED = 20_000
N_CHECK = 2_000
N_LARGE = 1_000_000
JAX_CAP = 2_000  # eager jax.vjp costs ~200 µs/op here: 20k ops would take minutes


def setup(for_check: bool) -> dict[str, Any]:
    return {"n": N_CHECK if for_check else N_TIMED}


def _result(grad: Any, t0: float, t1: float, t2: float, n: int) -> dict[str, Any]:
    return {"grad": grad, "phases": {"fwd": (t1 - t0) / n, "bwd": (t2 - t1) / n}}


def _probe(data: dict[str, Any]) -> float:
    """Run the 1M child's memory probe between forward and backward; its seconds."""
    probe = data.get("probe")
    if probe is None:
        return 0.0
    t = time.perf_counter()
    probe()
    return time.perf_counter() - t


def numpy_step(impl: Any, data: dict[str, Any]) -> Any:
    n, c = data["n"], np.float32(C)

    def step() -> dict[str, Any]:
        t0 = time.perf_counter()
        ys = [np.ones(16, np.float32)]
        for _ in range(n):
            ys.append(ys[-1] * c)
        t1 = time.perf_counter()
        paused = _probe(data)
        g = np.ones(16, np.float32)
        for _ in range(n):
            g = g * c
        return _result(g, t0, t1, time.perf_counter() - paused, n)

    return step


def autograd_step(impl: Any, data: dict[str, Any]) -> Any:
    lib, n = impl.lib, data["n"]
    seed = lib.ones(16)

    def step() -> dict[str, Any]:
        x = lib.ones(16, requires_grad=True)
        t0 = time.perf_counter()
        y = x
        for _ in range(n):
            y = y * C
        impl.block({"y": y})
        t1 = time.perf_counter()
        paused = _probe(data)
        y.backward(seed)
        impl.block({"grad": x.grad})
        return _result(x.grad, t0, t1, time.perf_counter() - paused, n)

    return step


def jax_step(impl: Any, data: dict[str, Any]) -> Any:
    jax, jnp = impl.lib, impl.lib.numpy
    n, c, seed = min(data["n"], JAX_CAP), np.float32(C), jnp.ones(16, jnp.float32)

    def chain(x):
        for _ in range(n):
            x = x * c
        return x

    def step() -> dict[str, Any]:
        t0 = time.perf_counter()
        y, vjp = jax.vjp(chain, jnp.ones(16, jnp.float32))
        y.block_until_ready()
        t1 = time.perf_counter()
        (g,) = vjp(seed)
        g.block_until_ready()
        return _result(g, t0, t1, time.perf_counter(), n)

    return step


def _median_phases(step: Any, runs: int) -> dict[str, float]:
    phases = [step()["phases"] for _ in range(runs)]
    return {k: statistics.median(p[k] for p in phases) for k in ("fwd", "bwd")}


def large_child(impl: Any) -> dict[str, Any]:
    """Per-op times at 20k and 1M in one process, and bytes per op the graph holds."""
    build = BUILDERS[impl.kind]
    build(impl, {"n": N_CHECK})()  # warm-up
    small = _median_phases(build(impl, {"n": N_TIMED}), 3)
    meter, held = Meter(), []
    large = build(impl, {"n": N_LARGE, "probe": lambda: held.append(meter.now_bytes())})()
    # Diagnostic, not a target: the same chain with Python's cyclic garbage collector
    # paused separates the implementation's own per-op cost from the collector's, whose
    # full passes revisit every tracked object the graph keeps alive.
    gc.collect()
    gc.disable()
    try:
        paused = build(impl, {"n": N_LARGE})()["phases"]
    finally:
        gc.enable()
    return {
        "small": small,
        "large": large["phases"],
        "large_gc_paused": paused,
        "held_b_per_op": held[0] / N_LARGE,
        "peak_b_per_op": meter.peak_bytes() / N_LARGE,
    }


BUILDERS = {"numpy": numpy_step, "autograd": autograd_step, "jax": jax_step}
WORKLOAD = Workload(
    key="W2",
    title="chain of elementwise multiplies, 16 floats, N = 20,000",
    setup=setup,
    builders=BUILDERS,
    unit="µs",
    scale=1e6,
    per="op",
    repeats=7,
    metrics=("fwd", "bwd"),
    peak=False,
    children={"1m": large_child},
    notes=(f"W2: jax.vjp runs a {JAX_CAP:,}-op chain (eager jax.vjp is ~100x slower per op)",),
)

"""Check, then time: equal results first, then interleaved medians.

Before any timing counts, every implementation runs the workload once on the check
inputs and its results (loss, gradients) must be allclose to the NumPy limit's; a
mismatch aborts the run with :class:`Mismatch`. Timing is round-robin: each repeat runs
one sample of every implementation, in an order shuffled per repeat (a fixed seed), so
machine noise and position effects hit every row alike. Shuffled, not rotated: a
rotation keeps every row behind the same neighbour, and a row's aftermath lands on the
next one (W3: the row after eager JAX's ran its own XLA step 1.8x slower; the compiled
JAX row, always behind it, measured 1.13-1.22x ``jax.jit`` rotated, 0.99x when the
order alternated).
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections import defaultdict
from typing import Any

import numpy as np

from .workload import Workload

# Steps run before any is timed or measured: lazy imports, kernel caches, first-call
# allocations; and for a compiled row, its capture (the first call) and its first replay
# (where JAX compiles the recorded step with XLA).
WARM_UP_STEPS = 2


class Mismatch(SystemExit):
    """Two implementations disagree: the benchmark would compare different math."""


def _results(impl: Any, out: dict[str, Any]) -> dict[str, Any]:
    return {k: impl.to_numpy(v) for k, v in out.items() if k != "phases"}


def _compare(w: Workload, ref: tuple[str, dict], name: str, got: dict) -> None:
    ref_name, expected = ref
    for key, want in expected.items():
        have = got.get(key)
        scale = float(np.max(np.abs(want))) if want.size else 0.0
        ok = have is not None and have.shape == want.shape
        if ok and np.allclose(have, want, rtol=w.tol, atol=w.tol * scale):
            continue
        diff = "shape/missing" if not ok else f"{np.max(np.abs(have - want)):.3g}"
        raise Mismatch(
            f"bench: {w.key} results differ: {name} vs {ref_name} on {key!r} "
            f"(max |diff| = {diff}, max |{ref_name}| = {scale:.3g}, rtol = {w.tol}). "
            "Timings would compare different math; fix the implementation first."
        )


def check(w: Workload, impls: list[Any]) -> None:
    """Run each implementation once on the check inputs; abort on any disagreement."""
    data, ref = w.setup(True), None
    for impl in impls:
        impl.load()
        got = _results(impl, w.builders[impl.kind](impl, data)())
        if ref is None:
            ref = (impl.name, got)
        else:
            _compare(w, ref, impl.name, got)


def _sample(step: Any, inner: int) -> dict[str, float]:
    phases: dict[str, float] = defaultdict(float)
    t0 = time.perf_counter()
    for _ in range(inner):
        for k, v in step().get("phases", {}).items():
            phases[k] += v / inner
    phases["total"] = (time.perf_counter() - t0) / inner
    return phases


def time_workload(w: Workload, impls: list[Any], repeats: int) -> dict[str, dict[str, float]]:
    """Median seconds per step (or per op, for phases): ``{metric: {impl: seconds}}``."""
    data = w.setup(False)
    steps = []
    for impl in impls:
        impl.load()
        step = w.builders[impl.kind](impl, data)
        for _ in range(WARM_UP_STEPS):
            step()
        steps.append((impl, step))
    samples: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for order in _orders(steps, repeats):
        for impl, step in order:
            impl.activate()
            gc.collect()
            for metric, seconds in _sample(step, w.inner).items():
                samples[metric][impl.name].append(seconds)
    names = [impl.name for impl, _ in steps]  # the table keeps the rows' own order
    return {m: {n: statistics.median(samples[m][n]) for n in names if n in samples[m]}
            for m in w.metrics}  # fmt: skip


def _orders(rows: list, repeats: int) -> list[list]:
    """One order of ``rows`` per repeat, shuffled with a fixed seed (the same run, the
    same orders)."""
    shuffler = random.Random(0)
    orders = []
    for _ in range(repeats):
        order = list(rows)
        shuffler.shuffle(order)
        orders.append(order)
    return orders


def interleaved_medians(ways: dict[str, Any], repeats: int) -> dict[str, float]:
    """The median seconds of each zero-argument call in ``ways``, timed round-robin with
    the order shuffled per repeat (as :func:`time_workload`), for the small scripts that
    time a few ways of doing one thing."""
    samples: dict[str, list[float]] = {name: [] for name in ways}
    for order in _orders(list(ways), repeats):
        for name in order:
            start = time.perf_counter()
            ways[name]()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(s) for name, s in samples.items()}

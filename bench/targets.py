"""The optimizer's targets, each evaluated on a finished run: measured value, met or not.

Targets compare ``retrograd[numpy]`` with the NumPy limit or PyTorch, and a JAX backend
(when retrograd has one) with ``jax.vjp``. A target whose rows were not run is ``n/a``.
"""

from __future__ import annotations

from typing import Any

from .impls import JAX, NUMPY, TORCH
from .report import fmt, md_table

RG = "retrograd[numpy]"
RG_JAX = "retrograd[jax]"
RG_COMPILED = "retrograd[numpy] compiled"  # bench.compiled: the same steps, compiled
RG_JAX_COMPILED = "retrograd[jax] compiled"
JIT = "jax.jit"  # bench.compiled: hand-written jax.jit(value_and_grad) steps
Verdict = tuple[str, str, bool | None]  # target, measured, met (None: n/a)


def _time(run: Any, key: str, name: str, metric: str = "total") -> float | None:
    return run.times.get(key, {}).get(metric, {}).get(name)


def _vs(run: Any, key: str, other: str, limit: float, what: str, mine_name: str = RG) -> Verdict:
    mine, base = _time(run, key, mine_name), _time(run, key, other)
    label = key if mine_name == RG else f"{key} {mine_name.removeprefix('retrograd')}"
    if mine is None or base is None:
        return (f"{label} <= {limit}x {what}", "n/a", None)
    return (f"{label} <= {limit}x {what}", f"{mine / base:.2f}x", mine / base <= limit)


def _per_op(run: Any, metric: str) -> Verdict:
    t = _time(run, "W2", RG, metric)
    target = f"W2 {metric} per op <= 2 µs (20k chain)"
    return (target, "n/a", None) if t is None else (target, fmt(t * 1e6, " µs"), t <= 2e-6)


def _w2_child(run: Any, name: str) -> dict[str, Any] | None:
    got = run.children.get("W2", {}).get("1m", {}).get(name)
    return None if got is None or "error" in got else got


def _flat(run: Any) -> Verdict:
    got, target = _w2_child(run, RG), "W2 flat: per op at 1M within 20% of 20k"
    if got is None:
        return (target, "n/a", None)
    worst = max(got["large"][p] / got["small"][p] for p in ("fwd", "bwd"))
    parts = ", ".join(f"{p} {got['large'][p] / got['small'][p]:.2f}x" for p in ("fwd", "bwd"))
    return (target, parts, worst <= 1.2)


def _w2_memory(run: Any) -> Verdict:
    mine, torch = _w2_child(run, RG), _w2_child(run, TORCH)
    target = "W2 memory per op <= PyTorch's (held after forward, 1M chain)"
    if mine is None or torch is None:
        return (target, "n/a", None)
    a, b = mine["held_b_per_op"], torch["held_b_per_op"]
    return (target, f"{fmt(a)} B vs {fmt(b)} B", a <= b)


def _w6(run: Any, mode: str, target: str, slack_mb: float = 0.0) -> Verdict:
    """RSS of ``mode`` within 1.05x the NumPy limit's, plus ``slack_mb``."""
    got = run.children.get("W6", {}).get(mode, {})
    mine, base = got.get(RG, {}).get("mb"), got.get(NUMPY, {}).get("mb")
    if mine is None or base is None:
        return (target, "n/a", None)
    return (target, f"{fmt(mine)} MB vs {fmt(base)} MB", mine <= 1.05 * base + slack_mb)


def _jax_backend(run: Any) -> Verdict:
    target = f"{RG_JAX} within 1.2x of {JAX} (W1, W3-W5)"
    pairs = [(k, _time(run, k, RG_JAX), _time(run, k, JAX)) for k in ("W1", "W3", "W4", "W5")]
    pairs = [(k, a / b) for k, a, b in pairs if a is not None and b is not None]
    if not pairs:
        return (target, "n/a (retrograd has no usable jax backend here)", None)
    return (target, ", ".join(f"{k} {r:.2f}x" for k, r in pairs), max(r for _, r in pairs) <= 1.2)


def verdicts(run: Any) -> list[Verdict]:
    return [
        _vs(run, "W1", TORCH, 0.35, "PyTorch"),
        _per_op(run, "fwd"),
        _per_op(run, "bwd"),
        _flat(run),
        _w2_memory(run),
        _vs(run, "W3", NUMPY, 1.10, "NumPy limit"),
        _vs(run, "W4", NUMPY, 1.03, "NumPy limit"),
        _vs(run, "W5", NUMPY, 1.5, "NumPy limit"),
        _w6(run, "grad", "W6 with grad <= 1.05x NumPy limit (activations kept)"),
        # A graph would hold one 1 MB activation per layer (50 MB); 4 MB of slack is
        # transient temporaries, not a graph.
        _w6(run, "no_grad", "W6 no_grad: no graph memory (<= 1.05x NumPy + 4 MB)", 4.0),
        _w6(run, "after", "W6 after backward: only grads remain (<= 1.05x NumPy)"),
        _vs(run, "W7", TORCH, 1.0, "PyTorch"),
        _vs(run, "W8", NUMPY, 1.2, "NumPy limit"),
        _jax_backend(run),
        # retrograd.compile (#15): the compiled rows of bench.compiled
        _vs(run, "W1a", TORCH, 0.2, "PyTorch eager", RG_COMPILED),
        _vs(run, "W3", NUMPY, 1.05, "NumPy limit", RG_COMPILED),
        _vs(run, "W5", NUMPY, 1.2, "NumPy limit", RG_COMPILED),
        *(_vs(run, k, JIT, 1.1, "jax.jit", RG_JAX_COMPILED) for k in ("W3", "W4", "W5")),
    ]


def table(run: Any) -> list[str]:
    label = {True: "met", False: "**not met**", None: "n/a"}
    return md_table(
        ["target", "measured", "met?"], [[t, m, label[ok]] for t, m, ok in verdicts(run)]
    )

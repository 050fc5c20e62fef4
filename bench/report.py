"""Markdown tables from a finished run: times, W2 scaling, W6 memory."""

from __future__ import annotations

from typing import Any

from .impls import NUMPY, TORCH


def fmt(x: float | None, unit: str = "") -> str:
    """Three significant figures, thousands separated; ``-`` for a missing value."""
    if x is None:
        return "-"
    digits = 0 if abs(x) >= 100 else 1 if abs(x) >= 10 else 2
    return f"{x:,.{digits}f}{unit}"


def ratio(x: float | None, base: float | None) -> str:
    return "-" if x is None or not base else f"{x / base:.2f}x"


def md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def _peak(run: Any, key: str, name: str) -> str:
    got = run.children.get(key, {}).get("peak", {}).get(name)
    if got is None:
        return "see W2 table" if key == "W2" and run.children.get("W2") else "-"
    return got.get("error", "")[:60] or fmt(got["peak_mb"])


def main_table(run: Any) -> list[str]:
    """One row per (workload metric, implementation): median, ratios, peak MB."""
    head = ["workload", "implementation", "median", "x NumPy limit", "x PyTorch", "peak MB"]
    rows = []
    for w in run.workloads:
        for metric in w.metrics if w.key in run.times else ():
            times = run.times[w.key][metric]
            base, torch = times.get(NUMPY), times.get(TORCH)
            for name, t in times.items():
                rows.append([w.label(metric), name, fmt(t * w.scale), ratio(t, base),
                             ratio(t, torch), _peak(run, w.key, name)])  # fmt: skip
    return md_table(head, rows)


def _w2_row(name: str, got: dict[str, Any]) -> list[str]:
    if "error" in got:
        return [name, got["error"], *["-"] * 8]
    small, large, paused = got["small"], got["large"], got.get("large_gc_paused", {})
    return [
        name,
        *(fmt(d[p] * 1e6) for p in ("fwd", "bwd") for d in (small, large)),
        *(ratio(large[p], small[p]) for p in ("fwd", "bwd")),
        ratio(paused.get("fwd"), small["fwd"]),
        fmt(got["held_b_per_op"]),
        fmt(got["peak_b_per_op"]),
    ]


def w2_table(run: Any) -> list[str]:
    """Per-op time at 20k and 1M in one fresh process each, and graph bytes per op."""
    got = run.children.get("W2", {}).get("1m", {})
    if not got:
        return []
    head = ["implementation", "fwd µs/op 20k", "fwd µs/op 1M", "bwd µs/op 20k",
            "bwd µs/op 1M", "fwd 1M/20k", "bwd 1M/20k", "fwd 1M/20k gc paused",
            "held B/op", "peak B/op"]  # fmt: skip
    return md_table(head, [_w2_row(name, r) for name, r in got.items()])


def _w6_cell(got: dict[str, Any], base: dict[str, Any] | None) -> list[str]:
    if "error" in got:
        return [got["error"], "-"]
    return [fmt(got["mb"]), ratio(got["mb"], base and base.get("mb"))]


def w6_table(run: Any) -> list[str]:
    """MB above the weights for each mode, and the ratio to the NumPy limit's."""
    modes = run.children.get("W6", {})
    if not modes:
        return []
    head = ["implementation", "with grad MB", "x NumPy", "no_grad MB", "x NumPy",
            "after backward MB", "x NumPy", "fwd+bwd peak MB",
            "with grad MB, checkpointed"]  # fmt: skip
    rows = []
    for name in modes.get("grad", {}):
        row = [name]
        for mode in ("grad", "no_grad", "after"):
            got = modes.get(mode, {}).get(name, {"error": "not run"})
            row += _w6_cell(got, modes.get(mode, {}).get(NUMPY))
        after = modes.get("after", {}).get(name, {})
        checkpointed = modes.get("checkpoint", {}).get(name, {"error": "not run"})
        rows.append([*row, fmt(after.get("peak_mb")), _peak_or_error(checkpointed)])
    return md_table(head, rows)


def _peak_or_error(got: dict[str, Any]) -> str:
    return got["error"] if "error" in got else fmt(got.get("mb"))

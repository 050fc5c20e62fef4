"""The whole benchmark: select, check, time, measure memory, report.

``python -m bench`` (or ``python bench/run.py``) runs every workload on every installed
implementation and prints markdown to stdout (progress goes to stderr). Options:
``--only W1,W3``, ``--impl torch`` (substring filter; the NumPy limit always runs),
``--repeats N``, ``--quick`` (3 repeats, no memory children: for iterating on the hot
path), ``--json PATH`` (the raw numbers).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import env, impls, report, targets
from .memory import run_child
from .timing import Mismatch, check, time_workload
from .workload import Workload
from .workloads import REGISTRY, w2_chain

T0 = time.perf_counter()
LARGE_BUDGET_S = 30  # W2's 1M chain: retrograd[numpy] and torch need ~15 s each here
LARGE_CHAINS = 2  # the 1M child runs the chain twice (the second with the GC paused)


@dataclass
class Run:
    workloads: list[Workload]
    impls: list[impls.Impl]
    notes: list[str]
    times: dict[str, Any] = field(default_factory=dict)  # key -> metric -> impl -> s
    children: dict[str, Any] = field(default_factory=dict)  # key -> mode -> impl -> dict


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - T0:6.1f} s] {message}", file=sys.stderr, flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--only", help="comma-separated workload keys, e.g. W1,W3")
    p.add_argument("--impl", action="append", default=[], help="keep rows containing this")
    p.add_argument("--repeats", type=int, help="samples per implementation (default: per W)")
    p.add_argument("--quick", action="store_true", help="3 repeats, no memory children")
    p.add_argument("--json", help="also write the raw numbers to this file")
    return p.parse_args(argv)


def select(args: argparse.Namespace) -> Run:
    notes: list[str] = []
    rows = impls.discover(notes)
    if args.impl:
        rows = [r for r in rows if r.name == impls.NUMPY or any(s in r.name for s in args.impl)]
    keys = set(args.only.upper().split(",")) if args.only else None
    chosen = [w for w in REGISTRY if keys is None or w.key.upper() in keys]
    for impl in rows:
        impl.load()
    env.freeze_heap()
    return Run(chosen, rows, notes)


def run_timed(run: Run, args: argparse.Namespace) -> None:
    for w in run.workloads:
        if not w.builders:
            continue
        rows = [i for i in run.impls if i.kind in w.builders]
        progress(f"{w.key}: checking {len(rows)} implementations agree")
        check(w, rows)
        repeats = args.repeats or (3 if args.quick else w.repeats)
        progress(f"{w.key}: timing, {repeats} interleaved repeats")
        run.times[w.key] = time_workload(w, rows, repeats)


def _modes(w: Workload) -> list[str]:
    return (["peak"] if w.peak and w.builders else []) + list(w.children)


def _too_slow(run: Run, key: str, mode: str, impl: impls.Impl) -> bool:
    """Skip W2's 1M chain where the 20k per-op times predict more than the budget.

    The rows the targets read (NumPy limit, retrograd[numpy], PyTorch) always run.
    """
    if (key, mode) != ("W2", "1m") or impl.name in (impls.NUMPY, impls.TORCH, targets.RG):
        return False
    per_op = sum(run.times["W2"][m].get(impl.name, 0.0) for m in ("fwd", "bwd"))
    predicted = per_op * w2_chain.N_LARGE * LARGE_CHAINS
    if predicted <= LARGE_BUDGET_S:
        return False
    run.notes.append(f"W2 1M chain skipped for {impl.name}: {predicted:.0f} s "
                     f"predicted from its 20k per-op time (budget {LARGE_BUDGET_S} s)")  # fmt: skip
    return True


def run_children(run: Run) -> None:
    for w in run.workloads:
        for mode in _modes(w):
            for impl in run.impls:
                if _too_slow(run, w.key, mode, impl):
                    continue
                progress(f"{w.key} {mode}: {impl.name} in a fresh process")
                got = run_child(w.key, impl.name, mode)
                run.children.setdefault(w.key, {}).setdefault(mode, {})[impl.name] = got


def check_w6(run: Run) -> None:
    """The memory children's losses must agree, like every timed result."""
    for mode, got in run.children.get("W6", {}).items():
        losses = {n: r["loss"] for n, r in got.items() if "loss" in r}
        grad = run.children["W6"].get("grad", {}).get(impls.NUMPY, {})
        ref = losses.get(impls.NUMPY, grad.get("loss"))  # checkpoint: NumPy has no row
        for name, loss in losses.items():
            if ref is not None and not np.isclose(loss, ref, rtol=1e-3):
                raise Mismatch(f"bench: W6 {mode} loss differs: {name} {loss} vs NumPy {ref}")


def render(run: Run, command: str) -> str:
    out = ["# retrograd benchmark", "", *env.header(command), ""]
    out += ["## Workloads", "", *(f"- {w.key}: {w.title}" for w in run.workloads), ""]
    out += ["## Medians (threads pinned to 1)", "", *report.main_table(run), ""]
    for title, lines in (
        ("## W2 scaling: 20k vs 1M chain, one fresh process each", report.w2_table(run)),
        ("## W6 memory: RSS growth above the 200 MB of weights", report.w6_table(run)),
    ):
        if lines:
            out += [title, "", *lines, ""]
    out += ["## Targets (retrograd[numpy] unless named)", "", *targets.table(run), ""]
    notes = run.notes + [n if isinstance(n, str) else n() for w in run.workloads for n in w.notes]
    return "\n".join(out + ["## Notes", "", *(f"- {n}" for n in notes), ""])


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    run = select(args)
    run_timed(run, args)
    if not args.quick:
        run_children(run)
        check_w6(run)
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    print(render(run, command.strip()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"times": run.times, "children": run.children, "notes": run.notes}, f)
    progress("done")

"""The GPU benchmark: G1-G3 (:mod:`bench.gpu_workloads`) on hand-written CuPy (the
limit), retrograd[cupy] eager and under ``retrograd.compile``, and PyTorch CUDA, float32
with TF32 off.

``python -m bench.gpu [--only G1,G3,MICRO] [--repeats N]`` prints a markdown table, the
kernel-table calls per step of the G2 512 and G3 rows, and the per-kernel section of
:mod:`bench.gpu_micro` (MICRO). Every row
first runs once and its results must be allclose to PyTorch's (to the CuPy limit's where
PyTorch has no CUDA); then the rows are timed round-robin, ``repeats`` samples each, the
device synchronised before each timer is read; medians are shown. Without a usable GPU
the whole table is skipped with the reason; without PyTorch CUDA its column is.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import gpu_micro
from .gpu_workloads import WORKLOADS, GpuWorkload

CUPY, RG, TORCH = "hand-written CuPy", "retrograd[cupy]", "PyTorch CUDA"
RGC = "retrograd[cupy] compiled"  # the same step under retrograd.compile (issue #15)
RGG = "retrograd[cupy] graphed"  # compile(mode="reduce-overhead"): one CUDA graph a step
# Untimed calls before the samples: a compiled step records at the first, runs its body
# at the second (CuPy compiles its kernels) and captures its CUDA graph at the third.
WARM_UP_STEPS = 3


@dataclass
class GpuImpl:
    """One column: a library, how its steps are built, how to wait for its device."""

    name: str
    lib: Any
    sync: Any  # sync() -> None: wait for all queued device work
    autograd: bool
    compiled: bool = False  # the autograd step wrapped in ``lib.compile``
    mode: str | None = None  # its ``mode=`` (``"reduce-overhead"``: device graphs)

    def block(self, outputs: dict[str, Any]) -> dict[str, Any]:
        self.sync()
        return outputs

    def host(self, value: Any) -> np.ndarray:
        """A result as float64 NumPy (an explicit device-to-host copy)."""
        if hasattr(value, "detach"):
            value = value.detach()
            value = value.cpu() if hasattr(value, "cpu") else value
            return np.asarray(value.numpy(), dtype=np.float64)
        to_host = getattr(self.lib, "asnumpy", np.asarray)  # NumPy in tests/test_gpu_bench
        return np.asarray(to_host(value), dtype=np.float64)


def gpu_reason() -> str | None:
    """Why retrograd[cupy] cannot run here, or None."""
    import retrograd

    row = {b.name: b for b in retrograd.backends()}.get("cupy")
    if row is None:
        return "retrograd has no cupy backend registered"
    return None if row.usable else row.reason


def discover(notes: list[str]) -> list[GpuImpl]:
    """The columns available here; PyTorch first (the reference) when it has CUDA."""
    import cupy
    import retrograd

    retrograd.set_default_backend("cupy")
    cupy_sync = cupy.cuda.Device().synchronize
    graphed = GpuImpl(RGG, retrograd, cupy_sync, True, compiled=True, mode="reduce-overhead")
    rows = [GpuImpl(CUPY, cupy, cupy_sync, False), GpuImpl(RG, retrograd, cupy_sync, True),
            GpuImpl(RGC, retrograd, cupy_sync, True, compiled=True), graphed]  # fmt: skip
    try:
        import torch
    except ImportError:
        notes.append(f"{TORCH}: PyTorch is not installed; its column is skipped")
        return rows
    if not torch.cuda.is_available():
        notes.append(f"{TORCH}: this PyTorch has no usable CUDA; its column is skipped")
        return rows
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 matmuls, as CuPy's default
    torch.backends.cudnn.allow_tf32 = False
    torch.set_default_device("cuda")
    return [GpuImpl(TORCH, torch, torch.cuda.synchronize, True), *rows]


def _builder(w: GpuWorkload, impl: GpuImpl) -> Any:
    if impl.compiled:
        return _compiled(w.autograd)
    return w.autograd if impl.autograd else w.cupy


def _compiled(builder: Any) -> Any:
    """The step under ``retrograd.compile``: its first call records (the warm-up and the
    check's call), later calls replay; the step's own wait ran at capture only, so a
    replay's results are waited on by the caller (``block``, ``time_rows``' sync)."""

    def build(impl: GpuImpl, data: dict[str, Any]) -> Any:
        return impl.lib.compile(builder(impl, data), mode=impl.mode)

    return build


def check(w: GpuWorkload, impls: list[GpuImpl], data: dict[str, Any]) -> float:
    """Run each column once; SystemExit unless all agree with the first. Returns the
    largest relative difference from it (max |diff| / max |reference|)."""
    ref, worst = None, 0.0
    for impl in impls:
        step = _builder(w, impl)(impl, data)
        got = {k: impl.host(v) for k, v in impl.block(step()).items()}
        if ref is None:
            ref = got
            continue
        worst = max(worst, _compare(w, got, ref, f"{impl.name} differs from {impls[0].name}"))
        if impl.compiled:  # that call recorded: a replay must give eager's second step
            eager = w.autograd(impl, data)
            eager()
            second = {k: impl.host(v) for k, v in impl.block(eager()).items()}
            replay = {k: impl.host(v) for k, v in impl.block(step()).items()}
            _compare(w, replay, second, f"{impl.name}'s replay differs from its eager step")
    return worst


def _compare(w: GpuWorkload, got: dict, ref: dict, what: str) -> float:
    """The largest relative difference; SystemExit where one is beyond ``w.tol``."""
    worst = 0.0
    for key, want in ref.items():
        scale = float(np.max(np.abs(want))) or 1.0
        diff = float(np.max(np.abs(got[key] - want))) / scale
        if not np.allclose(got[key], want, rtol=w.tol, atol=w.tol * scale):
            raise SystemExit(f"bench.gpu: {w.key} {key}: {what} (max relative diff {diff:.3g})")
        worst = max(worst, diff)
    return worst


def time_rows(w: GpuWorkload, impls: list[GpuImpl], data: dict, repeats: int) -> dict:
    """Median seconds per step for each column, sampled round-robin."""
    steps = [(impl, _builder(w, impl)(impl, data)) for impl in impls]
    for impl, step in steps:
        for _ in range(WARM_UP_STEPS):  # kernels compiled, pools filled, graphs captured
            step()
        impl.sync()
    samples: dict[str, list[float]] = {impl.name: [] for impl in impls}
    for r in range(repeats):
        for impl, step in steps[r % len(steps) :] + steps[: r % len(steps)]:
            impl.sync()
            t0 = time.perf_counter()
            for _ in range(w.inner):
                step()
            impl.sync()
            samples[impl.name].append((time.perf_counter() - t0) / w.inner)
    return {name: statistics.median(s) for name, s in samples.items()}


COUNTED = ("G2 512", "G3")  # the rows whose kernel-table calls the report lists


def kernel_calls(step: Any, kernels: dict[str, Any]) -> Counter:
    """How often one ``step()`` calls each entry of the kernel table ``kernels`` (a
    backend's plain dict, restored afterwards): what a step costs in kernel launches,
    roughly (a table entry may launch more than one kernel, or none). While batched
    arrays exist the backend's table is vmap's layer over its own: the own one is
    counted."""
    from retrograd.batching import own_table

    kernels = own_table(kernels)
    counts: Counter = Counter()
    saved = dict(kernels)

    def counting(name: str, kernel: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return kernel(*args, **kwargs)

        return call

    kernels.update({name: counting(name, k) for name, k in saved.items()})
    try:
        step()
    finally:
        kernels.update(saved)
    return counts


def calls_line(key: str, counts: Counter) -> str:
    top = ", ".join(f"{name} {n}" for name, n in counts.most_common(8))
    return f"{key}: {sum(counts.values())} kernel-table calls per retrograd step ({top}, ...)"


def _cell(times: dict, name: str) -> str:
    return f"{times[name] * 1e3:.3f} ms" if name in times else "-"


def _ratio(times: dict, name: str, row: str = RG) -> str:
    return f"{times[row] / times[name]:.2f}x" if name in times and row in times else "-"


def table(results: list[tuple[GpuWorkload, dict, float]], reference: str) -> list[str]:
    head = (f"| workload | {CUPY} | {TORCH} | {RG} | vs PyTorch | vs CuPy | {RGC} | "
            f"compiled vs PyTorch | compiled vs CuPy | {RGG} | graphed vs PyTorch | "
            f"graphed vs CuPy | grad diff vs {reference} |")  # fmt: skip
    lines = [head, "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for w, times, diff in results:
        lines.append(f"| {w.key}: {w.title} | {_cell(times, CUPY)} | {_cell(times, TORCH)} | "
                     f"{_cell(times, RG)} | {_ratio(times, TORCH)} | {_ratio(times, CUPY)} | "
                     f"{_cell(times, RGC)} | {_ratio(times, TORCH, RGC)} | "
                     f"{_ratio(times, CUPY, RGC)} | {_cell(times, RGG)} | "
                     f"{_ratio(times, TORCH, RGG)} | {_ratio(times, CUPY, RGG)} | "
                     f"{diff:.2g} |")  # fmt: skip
    return lines


def run(only: set[str] | None, repeats: int) -> str:
    """The GPU section of the benchmark report, as markdown."""
    reason = gpu_reason()
    if reason is not None:
        return f"GPU benchmark skipped: {reason}.\n"
    from retrograd.compiler import counters, reset_counters

    notes: list[str] = []
    impls = discover(notes)
    results = []
    for w in WORKLOADS:
        if only is not None and w.key.split()[0] not in only and w.key not in only:
            continue
        print(f"bench.gpu: {w.key}", file=sys.stderr, flush=True)
        data = w.setup()
        reset_counters()
        diff = check(w, impls, data)
        results.append((w, time_rows(w, impls, data, repeats), diff))
        notes.append(graphs_line(w.key, counters["device_graphs"]))
        if w.key in COUNTED:
            notes.append(_counted(w, next(i for i in impls if i.name == RG), data))
    import cupy

    name = cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
    tf32 = os.environ.get("CUPY_TF32", "0")
    lines = [f"Device: {name}; float32; TF32 off (CUPY_TF32={tf32}); medians of {repeats}.", ""]
    lines += table(results, impls[0].name)
    return "\n".join(lines + ["", *(f"- {n}" for n in notes), ""])


def graphs_line(key: str, graphs: Counter) -> str:
    """What the graphed column's CUDA graphs did in row ``key``: captures, launches,
    calls that ran the body itself, and why a body was left ungraphed."""
    off = "; ".join(f"{why[5:]} ({n})" for why, n in graphs.items() if why.startswith("off: "))
    line = (f"{key} {RGG}: {graphs['captured']} graphs captured, {graphs['launched']} "
            f"launches, {graphs['plain']} body calls")  # fmt: skip
    return line + (f"; left plain: {off}" if off else "")


def _counted(w: GpuWorkload, rg: GpuImpl, data: dict) -> str:
    """The kernel-table calls line of row ``w`` (a failure there loses no timings)."""
    try:
        kernels = rg.lib.get_backend("cupy").kernels
        return calls_line(w.key, kernel_calls(_builder(w, rg)(rg, data), kernels))
    except Exception as error:  # noqa: BLE001 - reported in the table's notes
        return f"{w.key}: counting kernel-table calls failed: {error!r}"


def micro(only: set[str] | None) -> str:
    """The per-kernel section (:mod:`bench.gpu_micro`), or why it is missing."""
    if (only is not None and "MICRO" not in only) or gpu_reason() is not None:
        return ""
    print("bench.gpu: micro", file=sys.stderr, flush=True)
    try:
        return gpu_micro.run()
    except Exception as error:  # noqa: BLE001 - the main table is already printed
        return f"Per-kernel section (bench.gpu_micro) failed: {error!r}\n"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.gpu", description=__doc__.split("\n")[0])
    p.add_argument("--only", help="comma-separated workload keys, e.g. G1,G3,MICRO")
    p.add_argument("--repeats", type=int, default=7, help="timed samples per column")
    args = p.parse_args(argv)
    only = set(args.only.upper().split(",")) if args.only else None
    print(run(only, args.repeats), flush=True)  # first: a later hang loses no rows
    print(micro(only))


if __name__ == "__main__":
    main()

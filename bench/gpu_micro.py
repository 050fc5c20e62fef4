"""Per-kernel figures on the GPU: one retrograd kernel-table call against CuPy's own kernel
and PyTorch's, on 64M float32 (memory-bound: the time is the bytes moved over bandwidth).

The retrograd column calls the CuPy backend's kernel table directly (no autograd), so it
shows the vectorized path of :mod:`retrograd_backends.cupy_vector` with its Python
dispatch; "vector path" says whether the call took it (``ones``: the fill kernel takes
every float32 shape). The CuPy column is a ufunc (or the
round-1 ``ElementwiseKernel`` for ``tanh_backward``, CuPy's one-kernel form). Each cell is
the median of ``repeats`` samples of ``inner`` back-to-back calls, the device synchronised
before each timer read; GB/s counts each array read or written once.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SIZE = 64 * 2**20
RG, CUPY, TORCH = "retrograd kernel", "CuPy", "PyTorch CUDA"


@dataclass(frozen=True)
class Case:
    """One row: its label, the arrays it moves, and its call in each library."""

    label: str
    arrays_moved: int  # arrays read plus arrays written
    retrograd: Callable[[dict, dict], Callable[[], Any]]  # (kernels, cupy data) -> call
    cupy: Callable[[Any, dict], Callable[[], Any]]  # (cupy module, cupy data) -> call
    torch: Callable[[Any, dict], Callable[[], Any]]  # (torch module, torch data) -> call
    operands: Callable[[dict], tuple] = lambda d: ()  # the retrograd call's operands


def _tanh_backward_cupy(cp: Any, d: dict) -> Callable[[], Any]:
    from retrograd_backends.cupy_fused import elementwise_kernel  # imports CuPy

    kernel = elementwise_kernel("tanh_backward")
    return lambda: kernel(d["g"], d["r"])


CASES = (
    Case("x * 2", 2, lambda k, d: lambda: k["multiply"](d["x"], 2),
         lambda cp, d: lambda: d["x"] * 2, lambda t, d: lambda: d["x"] * 2,
         lambda d: (d["x"], 2)),
    Case("x + y", 3, lambda k, d: lambda: k["add"](d["x"], d["y"]),
         lambda cp, d: lambda: d["x"] + d["y"], lambda t, d: lambda: d["x"] + d["y"],
         lambda d: (d["x"], d["y"])),
    Case("tanh_backward(g, r)", 3, lambda k, d: lambda: k["tanh_backward"](d["g"], d["r"]),
         _tanh_backward_cupy,
         lambda t, d: lambda: t.ops.aten.tanh_backward(d["g"], d["r"]),
         lambda d: (d["g"], d["r"])),
    Case("ones", 1, lambda k, d: lambda: k["ones"](d["x"].shape, d["x"].dtype),
         lambda cp, d: lambda: cp.ones(d["x"].shape, d["x"].dtype),
         lambda t, d: lambda: t.ones(d["x"].shape, dtype=d["x"].dtype)),
)  # fmt: skip


def median_seconds(call: Callable[[], Any], sync: Callable[[], None], repeats: int,
                   inner: int) -> float:  # fmt: skip
    """Median seconds per call over ``repeats`` samples of ``inner`` calls (one warm-up)."""
    call()
    samples = []
    for _ in range(repeats):
        sync()
        t0 = time.perf_counter()
        for _ in range(inner):
            call()
        sync()
        samples.append((time.perf_counter() - t0) / inner)
    return statistics.median(samples)


def rows(columns: dict[str, tuple[Callable, dict]], on_vector: Callable[[Case], bool],
         size: int, repeats: int, inner: int) -> list[str]:  # fmt: skip
    """The markdown table for arrays of ``size`` float32. ``columns`` maps a column name
    to ``(sync, {label: call})``."""
    names = list(columns)
    head = f"| kernel, float32 | {' | '.join(names)} | GB/s ({names[0]}) | vector path |"
    lines = [head, "|---" * (len(names) + 3) + "|"]
    for case in CASES:
        times = [
            median_seconds(calls[case.label], sync, repeats, inner)
            for sync, calls in columns.values()
        ]
        cells = " | ".join(f"{t * 1e3:.3f} ms" for t in times)
        gbps = case.arrays_moved * size * 4 / times[0] / 1e9
        yes = "yes" if on_vector(case) else "no"
        lines.append(f"| {case.label} | {cells} | {gbps:.0f} | {yes} |")
    return lines


def run(repeats: int = 5, inner: int = 20) -> str:
    """The micro-benchmark section (needs CuPy on a GPU; PyTorch CUDA where installed)."""
    import cupy
    import numpy as np
    import retrograd
    from retrograd_backends.cupy_vector import plan

    kernels = retrograd.get_backend("cupy").kernels
    rng = np.random.default_rng(7)
    host = {n: rng.standard_normal(SIZE, dtype=np.float32) for n in ("x", "y", "g", "r")}
    data = {n: cupy.asarray(a) for n, a in host.items()}
    sync = cupy.cuda.Device().synchronize
    columns = {
        RG: (sync, {c.label: c.retrograd(kernels, data) for c in CASES}),
        CUPY: (sync, {c.label: c.cupy(cupy, data) for c in CASES}),
    }
    try:
        import torch

        if torch.cuda.is_available():
            tdata = {n: torch.from_numpy(a).cuda() for n, a in host.items()}
            columns[TORCH] = (torch.cuda.synchronize, {c.label: c.torch(torch, tdata)
                                                       for c in CASES})  # fmt: skip
    except ImportError:
        pass
    for case in CASES[:3]:  # the vector kernel computes what CuPy's does
        got, want = columns[RG][1][case.label](), columns[CUPY][1][case.label]()
        assert bool(cupy.allclose(got, want, rtol=1e-6, atol=1e-6)), case.label
    on_vector = lambda c: c.label == "ones" or plan(c.operands(data), cupy.ndarray) is not None
    lines = rows(columns, on_vector, SIZE, repeats, inner)
    return "\n".join(["Per-kernel (bench.gpu_micro): medians of "
                      f"{repeats} x {inner} calls.", "", *lines, ""])  # fmt: skip

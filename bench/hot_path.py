"""Hot-path benchmark: the cost of one op call and one backward step.

Run: ``python bench/hot_path.py``. Prints medians, per op, for retrograd (NumPy backend),
plain NumPy doing the same math (the limit) and PyTorch CPU when installed, interleaved in
one run on one thread, and the ratios. A benchmark, not a test: these machines are shared,
so compare the ratios of one run, not absolute times across runs.
"""

from __future__ import annotations

import os
import statistics
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
import retrograd  # noqa: E402

CHAIN = 2000
REPEATS = 15


def _chain_numpy() -> tuple[float, float]:
    x = np.ones(16, dtype=np.float32)
    t0 = time.perf_counter()
    ys = [x]
    for _ in range(CHAIN):
        ys.append(ys[-1] * np.float32(1.0000001))
    t1 = time.perf_counter()
    g = np.ones(16, dtype=np.float32)
    for _ in range(CHAIN):
        g = g * np.float32(1.0000001)
    t2 = time.perf_counter()
    return (t1 - t0) / CHAIN, (t2 - t1) / CHAIN


def _chain_autograd(lib) -> tuple[float, float]:
    x = lib.ones(16, requires_grad=True)
    t0 = time.perf_counter()
    y = x
    for _ in range(CHAIN):
        y = y * 1.0000001
    t1 = time.perf_counter()
    y.backward(lib.ones(16))
    t2 = time.perf_counter()
    return (t1 - t0) / CHAIN, (t2 - t1) / CHAIN


def main() -> None:
    impls = {"numpy (limit)": _chain_numpy, "retrograd": lambda: _chain_autograd(retrograd)}
    try:
        import torch

        torch.set_num_threads(1)
        impls["torch"] = lambda: _chain_autograd(torch)
    except ImportError:
        pass
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in impls}
    for _ in range(REPEATS):  # interleaved, so machine noise hits every row alike
        for name, fn in impls.items():
            samples[name].append(fn())
    print(f"threads pinned to 1; chain of {CHAIN} multiplies on 16 floats; {REPEATS} repeats")
    print("| impl | forward us/op | backward us/op | fwd vs numpy |")
    print("| --- | --- | --- | --- |")
    base = statistics.median(s[0] for s in samples["numpy (limit)"])
    for name, rows in samples.items():
        fwd = statistics.median(r[0] for r in rows)
        bwd = statistics.median(r[1] for r in rows)
        print(f"| {name} | {fwd * 1e6:.2f} | {bwd * 1e6:.2f} | {fwd / base:.1f}x |")


if __name__ == "__main__":
    main()

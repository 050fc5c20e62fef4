"""Per-sample gradients: ``vmap(grad(loss))`` against a Python loop of ``grad(loss)``.

``python -m bench.vmap_per_sample [--batch 128] [--repeats 7] [--backend numpy]``
prints a markdown table. The loss is a two-layer MLP's cross-entropy on one sample
(32 -> 64 -> 10, tanh), its weights shared by the batch (``in_dims=None``), the batch of
samples mapped. Both ways first give the same gradients (checked to 1e-10), then each is
timed round-robin (median of ``repeats``), in one process, so the ratio compares like
with like. PyTorch's ``torch.func`` gives the same two rows where it is installed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np

from .timing import interleaved_medians

SIZES = (32, 64, 10)


def _inputs(batch: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    d_in, hidden, classes = SIZES
    return {
        "w1": rng.standard_normal((d_in, hidden)) / np.sqrt(d_in),
        "w2": rng.standard_normal((hidden, classes)) / np.sqrt(hidden),
        "x": rng.standard_normal((batch, d_in)),
        "t": rng.integers(0, classes, batch),
    }


def _ways(lib: Any, data: dict, backend: str | None) -> dict[str, Callable[[], Any]]:
    """``{"loop": ..., "vmap": ...}``: each returns the per-sample gradients of w1, w2."""
    kw = {"backend": backend} if backend else {}
    w1, w2, x = (lib.tensor(data[k], dtype=lib.float64, **kw) for k in ("w1", "w2", "x"))
    t = lib.tensor(data["t"], dtype=lib.int64, **kw)
    func, functional = lib.func, lib.nn.functional

    def loss(w1: Any, w2: Any, x: Any, t: Any) -> Any:
        logits = (x @ w1).tanh() @ w2
        return functional.cross_entropy(logits.unsqueeze(0), t.unsqueeze(0))

    per_sample = func.grad(loss, argnums=(0, 1))
    batched = func.vmap(per_sample, in_dims=(None, None, 0, 0))

    def loop() -> tuple:
        rows = [per_sample(w1, w2, x[i], t[i]) for i in range(x.shape[0])]
        return tuple(lib.stack([r[k] for r in rows]) for k in range(2))

    return {"loop": loop, "vmap": lambda: batched(w1, w2, x, t)}


def _check(ways: dict[str, Callable[[], Any]]) -> None:
    loop, vmapped = ways["loop"](), ways["vmap"]()
    for a, b in zip(loop, vmapped, strict=True):
        np.testing.assert_allclose(
            np.asarray(a.tolist()), np.asarray(b.tolist()), rtol=1e-10, atol=1e-12
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--backend", default=None, help="retrograd backend (default: default)")
    args = parser.parse_args(argv)
    data = _inputs(args.batch)
    import retrograd

    libs: list[tuple[str, Any, str | None]] = [("retrograd", retrograd, args.backend)]
    try:
        import torch

        torch.set_num_threads(1)
        libs.append(("torch", torch, None))
    except ImportError:
        pass
    print(f"Per-sample gradients, MLP {SIZES}, batch {args.batch}, median of {args.repeats}\n")
    print("| library | Python loop (ms) | vmap(grad) (ms) | loop / vmap |")
    print("|---|---:|---:|---:|")
    for name, lib, backend in libs:
        ways = _ways(lib, data, backend)
        _check(ways)
        t = interleaved_medians(ways, args.repeats)
        label = f"{name}[{backend}]" if backend else name
        print(
            f"| {label} | {t['loop'] * 1e3:.1f} | {t['vmap'] * 1e3:.1f} | "
            f"{t['loop'] / t['vmap']:.1f}x |"
        )


if __name__ == "__main__":
    main()

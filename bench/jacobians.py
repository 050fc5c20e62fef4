"""Forward-mode Jacobians: ``func.jacfwd`` and friends, against PyTorch in one run.

``python -m bench.jacobians [--n 64] [--repeats 7] [--backend numpy]`` prints a markdown
table. ``f(x) = W2 @ tanh(W1 @ x) * x.sum()`` maps ``R^n`` to ``R^(n/2)`` (``W1``:
``2n x n``); ``g(x) = logsumexp(W1 @ tanh(x))`` is a scalar for the Hessians. Rows:

- ``jvp loop``: one ``func.jvp`` per column of the identity (how ``jacfwd`` was built
  before it was batched), stacked;
- ``func.jacfwd``: one ``vmap`` over ``jvp`` with the identity's columns as tangents;
- ``functional.jacobian``: ``autograd.functional.jacobian(strategy="forward-mode",
  vectorize=True)``;
- ``func.hessian``: ``jacfwd(jacrev(g))``;
- ``functional.hessian``: ``outer_jacobian_strategy="forward-mode", vectorize=True``.

Every way is first checked against the first (to 1e-10), then all are timed round-robin
(median of ``repeats``) in one process, so ratios compare like with like. PyTorch's rows
come from the same script where it is installed (one thread).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np

from .timing import interleaved_medians


def _inputs(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "w1": rng.standard_normal((2 * n, n)) / np.sqrt(n),
        "w2": rng.standard_normal((n // 2, 2 * n)) / np.sqrt(2 * n),
        "x": rng.standard_normal(n),
    }


def _ways(lib: Any, data: dict, backend: str | None) -> dict[str, Callable[[], Any]]:
    kw = {"backend": backend} if backend else {}
    w1, w2, x = (lib.tensor(data[k], dtype=lib.float64, **kw) for k in ("w1", "w2", "x"))
    func, functional = lib.func, lib.autograd.functional

    def f(a: Any) -> Any:
        return (w2 @ (w1 @ a).tanh()) * a.sum()

    def g(a: Any) -> Any:
        return (w1 @ a.tanh()).logsumexp(0)

    eye = lib.eye(x.numel(), dtype=lib.float64, **kw)

    def loop() -> Any:
        return lib.stack([func.jvp(f, (x,), (eye[k],))[1] for k in range(x.numel())], -1)

    return {
        "jvp loop": loop,
        "func.jacfwd": lambda: func.jacfwd(f)(x),
        "functional.jacobian": lambda: functional.jacobian(
            f, x, vectorize=True, strategy="forward-mode"
        ),
        "func.hessian": lambda: func.hessian(g)(x),
        "functional.hessian": lambda: functional.hessian(
            g, x, vectorize=True, outer_jacobian_strategy="forward-mode"
        ),
    }


def _check(ways: dict[str, Callable[[], Any]]) -> None:
    values = {name: np.asarray(way().tolist()) for name, way in ways.items()}
    for group in (("jvp loop", "func.jacfwd", "functional.jacobian"),
                  ("func.hessian", "functional.hessian")):  # fmt: skip
        for name in group[1:]:
            np.testing.assert_allclose(values[name], values[group[0]], rtol=1e-10, atol=1e-12)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--backend", default=None, help="retrograd backend (default: default)")
    args = parser.parse_args(argv)
    data = _inputs(args.n)
    import retrograd

    times = {}
    labels = [f"retrograd[{args.backend}]" if args.backend else "retrograd"]
    ways = _ways(retrograd, data, args.backend)
    _check(ways)
    times[labels[0]] = interleaved_medians(ways, args.repeats)
    try:
        import torch

        torch.set_num_threads(1)
        ways = _ways(torch, data, None)
        _check(ways)
        times["torch"] = interleaved_medians(ways, args.repeats)
        labels.append("torch")
    except ImportError:
        pass
    n = args.n
    print(f"Jacobian {n // 2}x{n} and Hessian {n}x{n}, float64, median of {args.repeats} (ms)\n")
    print("| way | " + " | ".join(labels) + (" | retrograd / torch |" if len(labels) > 1 else " |"))
    print("|---|" + "---:|" * (len(labels) + (len(labels) > 1)))
    for name in times[labels[0]]:
        cells = [f"{times[lab][name] * 1e3:.2f}" for lab in labels]
        if len(labels) > 1:
            cells.append(f"{times[labels[0]][name] / times['torch'][name]:.1f}x")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

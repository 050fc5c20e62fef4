"""The GPU workloads G1-G3, each as a hand-written CuPy step and one autograd step that
retrograd[cupy] and PyTorch CUDA both run (``import retrograd as torch``: one code path).

- G1: the tutorial graph on 2x2 tensors, ``((ones + 2) ** 2 * 3).mean()``, forward and
  backward: per-op overhead, the GPU's launch latency included;
- G2: an MLP training step, three NxN layers with relu, cross entropy written from
  elementwise ops and reductions (as W3), SGD: ``G2 4096`` (batch 4096) is matmul-bound,
  ``G2 512`` (batch 256) is overhead-bound;
- G3: ``(tanh(x * 2 + 1) * x).sum()`` forward and backward over 64M float32: memory-bound,
  where fused backward kernels pay;
- W4 at a GPU size: ``(A @ B).sum().backward()`` with 4096x4096 matrices (W4's own
  autograd step, :mod:`bench.workloads.w4_matmul`). W3 at GPU sizes is G2.

A builder takes ``(impl, data)`` and returns ``step()``, which runs the workload once and
returns its results (loss, gradients) as the library's arrays or tensors; the runner
(:mod:`bench.gpu`) synchronises the device, compares them with PyTorch's and times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .workloads import w3_mlp, w4_matmul

LR = 0.01


@dataclass(frozen=True)
class GpuWorkload:
    key: str
    title: str
    setup: Any  # setup() -> dict of NumPy inputs
    cupy: Any  # builder(impl, data) -> step, hand-written CuPy
    autograd: Any  # builder(impl, data) -> step, retrograd[cupy] and torch CUDA
    inner: int = 1  # steps per timed sample
    tol: float = 1e-4  # rtol; atol is tol * max |reference|


def g1_setup() -> dict[str, Any]:
    return {}


def g1_cupy(impl: Any, data: dict[str, Any]) -> Any:
    cp = impl.lib

    def step() -> dict[str, Any]:
        y = cp.ones((2, 2), cp.float32) + 2
        out = (y * y * 3).mean()
        return {"out": out, "x.grad": y * cp.float32(2 * 3 / 4)}

    return step


def g1_autograd(impl: Any, data: dict[str, Any]) -> Any:
    lib = impl.lib

    def step() -> dict[str, Any]:
        x = lib.ones(2, 2, requires_grad=True)
        y = x + 2
        out = (y * y * 3).mean()
        out.backward()
        return {"out": out, "x.grad": x.grad}

    return step


def mlp_setup(width: int, batch: int) -> Any:
    def setup() -> dict[str, Any]:
        rng = np.random.default_rng(3)
        bound = 1 / np.sqrt(width)  # PyTorch's nn.Linear initialisation
        params = []
        for _ in range(3):
            params.append(rng.uniform(-bound, bound, (width, width)).astype(np.float32))
            params.append(rng.uniform(-bound, bound, width).astype(np.float32))
        x = rng.standard_normal((batch, width)).astype(np.float32)
        one_hot = np.eye(width, dtype=np.float32)[rng.integers(0, width, batch)]
        return {"params": params, "x": x, "one_hot": one_hot}

    return setup


def mlp_cupy(impl: Any, data: dict[str, Any]) -> Any:
    cp = impl.lib
    params = [cp.array(p) for p in data["params"]]  # a copy: the SGD writes into it
    x, one_hot = cp.asarray(data["x"]), cp.asarray(data["one_hot"])
    batch = x.shape[0]

    def step() -> dict[str, Any]:
        w1, b1, w2, b2, w3, b3 = params
        h1 = cp.maximum(x @ w1 + b1, 0)
        h2 = cp.maximum(h1 @ w2 + b2, 0)
        z = h2 @ w3 + b3
        e = cp.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = -(one_hot * (z - cp.log(s))).sum() / batch
        g_logp = one_hot * cp.float32(-1 / batch)
        gz = g_logp - g_logp.sum(axis=1, keepdims=True) * (e / s)
        grads = w3_mlp.hand_backward(x, h1, h2, params, gz)
        for p, g in zip(params, grads):
            p -= LR * g
        return w3_mlp.outputs(loss, grads)

    return step


def mlp_autograd(impl: Any, data: dict[str, Any]) -> Any:
    """W3's autograd step at GPU sizes, without W3's per-step device wait (the runner
    waits once per sample, as for the hand-written CuPy step)."""
    lib = impl.lib
    params = [lib.tensor(p, requires_grad=True) for p in data["params"]]
    x, one_hot = lib.tensor(data["x"]), lib.tensor(data["one_hot"])
    batch = x.shape[0]

    def step() -> dict[str, Any]:
        w1, b1, w2, b2, w3, b3 = params
        h = (x @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        z = h @ w3 + b3
        log_p = z - z.exp().sum(dim=1, keepdim=True).log()
        loss = -(one_hot * log_p).sum() / batch
        loss.backward()
        grads = [p.grad for p in params]
        with lib.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        return w3_mlp.outputs(loss, grads)

    return step


G3_SIZE = 64 * 2**20


def g3_setup() -> dict[str, Any]:
    return {"x": np.random.default_rng(5).standard_normal(G3_SIZE, dtype=np.float32)}


def g3_cupy(impl: Any, data: dict[str, Any]) -> Any:
    cp = impl.lib
    x = cp.asarray(data["x"])

    def step() -> dict[str, Any]:
        t = cp.tanh(x * 2 + 1)
        out = (t * x).sum()
        return {"out": out, "x.grad": t + x * (1 - t * t) * 2}

    return step


def g3_autograd(impl: Any, data: dict[str, Any]) -> Any:
    lib = impl.lib
    x = lib.tensor(data["x"], requires_grad=True)

    def step() -> dict[str, Any]:
        x.grad = None
        out = ((x * 2 + 1).tanh() * x).sum()
        out.backward()
        return {"out": out, "x.grad": x.grad}

    return step


def matmul_setup(n: int) -> Any:
    def setup() -> dict[str, Any]:
        rng = np.random.default_rng(4)
        return {name: rng.standard_normal((n, n), dtype=np.float32) for name in ("a", "b")}

    return setup


def matmul_cupy(impl: Any, data: dict[str, Any]) -> Any:
    cp = impl.lib
    a, b = cp.asarray(data["a"]), cp.asarray(data["b"])

    def step() -> dict[str, Any]:
        g = cp.ones(a.shape, cp.float32)  # the gradient of sum, materialised (as W4's limit)
        return {"sum": (a @ b).sum(), "a.grad": g @ b.T, "b.grad": a.T @ g}

    return step


WORKLOADS = (
    GpuWorkload("G1", "tutorial graph, 2x2, fwd+bwd", g1_setup, g1_cupy, g1_autograd, inner=50),
    GpuWorkload(
        "G2 4096", "MLP step 3x(4096x4096), batch 4096", mlp_setup(4096, 4096),
        mlp_cupy, mlp_autograd, inner=2, tol=1e-3,
    ),
    GpuWorkload(
        "G2 512", "MLP step 3x(512x512), batch 256", mlp_setup(512, 256),
        mlp_cupy, mlp_autograd, inner=20, tol=1e-3,
    ),
    GpuWorkload(
        "G3", "(tanh(x*2+1)*x).sum() fwd+bwd, 64M float32", g3_setup, g3_cupy, g3_autograd,
        inner=3, tol=1e-3,
    ),
    GpuWorkload(
        "W4 4096", "(A @ B).sum() fwd+bwd, 4096x4096 float32", matmul_setup(4096),
        matmul_cupy, w4_matmul.autograd_step, inner=2, tol=1e-3,
    ),
)  # fmt: skip

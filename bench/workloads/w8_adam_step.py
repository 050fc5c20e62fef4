"""W8: one ``Adam.step()`` on a 10M-parameter model (four 2500x1000 float32 tensors
with fixed gradients), against a hand-written NumPy Adam doing PyTorch's math.

The NumPy limit updates in place with ``out=`` and one scratch array per tensor, in
PyTorch's order: ``m += (g - m) * (1 - b1)`` (lerp), ``v = v * b2 + (1 - b2) * g * g``,
``p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)``. Each step continues from the
previous one. Target: retrograd[numpy] within 1.2x of it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..workload import Workload

SHAPE, COUNT = (2500, 1000), 4
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8


def setup(for_check: bool) -> dict[str, Any]:
    rng = np.random.default_rng(8)
    params = [rng.standard_normal(SHAPE, np.float32) for _ in range(COUNT)]
    grads = [rng.standard_normal(SHAPE, np.float32) for _ in range(COUNT)]
    return {"params": params, "grads": grads}


def numpy_step(impl: Any, data: dict[str, Any]) -> Any:
    params = [p.copy() for p in data["params"]]
    grads = data["grads"]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    tmp = [np.empty_like(p) for p in params]
    b1, b2 = BETAS
    state = {"step": 0}

    def step() -> dict[str, Any]:
        state["step"] += 1
        t = state["step"]
        step_size, bc2_sqrt = LR / (1 - b1**t), (1 - b2**t) ** 0.5
        for p, g, m_, v_, s in zip(params, grads, m, v, tmp):
            np.subtract(g, m_, out=s)
            s *= 1 - b1
            m_ += s
            v_ *= b2
            np.multiply(g, 1 - b2, out=s)
            s *= g
            v_ += s
            np.sqrt(v_, out=s)
            s /= bc2_sqrt
            s += EPS
            np.divide(m_, s, out=s)
            s *= -step_size
            p += s
        return {"param[0]": params[0]}

    return step


def autograd_step(impl: Any, data: dict[str, Any]) -> Any:
    torch = impl.lib
    params = [torch.tensor(p, requires_grad=True) for p in data["params"]]
    for p, g in zip(params, data["grads"]):
        p.grad = torch.tensor(g)
    optimizer = torch.optim.Adam(params, lr=LR, betas=BETAS, eps=EPS)

    def step() -> dict[str, Any]:
        optimizer.step()
        return impl.block({"param[0]": params[0]})

    return step


WORKLOAD = Workload(
    key="W8",
    title="Adam.step() on 10M parameters (4 x 2500x1000 float32)",
    setup=setup,
    builders={"numpy": numpy_step, "autograd": autograd_step},
    per="step",
    repeats=9,
    tol=1e-5,
    peak=False,
)

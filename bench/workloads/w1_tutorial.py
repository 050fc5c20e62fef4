"""W1: the seed tutorial's scenario on tiny tensors, i.e. per-op overhead.

``ones(2,2) -> +2 -> y*y*3 -> mean -> backward``, then ``randn(3)`` doubled until its
norm reaches 1000 and ``backward`` with a gradient vector. The random start is drawn once
in NumPy so every implementation doubles the same vector the same number of times.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..workload import Workload

V = np.array([0.1, 1.0, 0.0001], dtype=np.float32)


def setup(for_check: bool) -> dict[str, Any]:
    return {"x0": np.random.default_rng(0).standard_normal(3).astype(np.float32)}


def numpy_step(impl: Any, data: dict[str, Any]) -> Any:
    x0 = data["x0"]

    def step() -> dict[str, Any]:
        y = np.ones((2, 2), np.float32) + 2
        yy = y * y
        out = (yy * 3).mean()
        g_yy = np.full((2, 2), 1 / 4, np.float32) * 3  # mean, then *3
        x_grad = g_yy * y + g_yy * y  # y*y: both operands are y
        y = x0 * 2
        doublings = 1
        while np.linalg.norm(y) < 1000:
            y = y * 2
            doublings += 1
        a_grad = V
        for _ in range(doublings):
            a_grad = a_grad * 2
        return {"out": out, "x.grad": x_grad, "a.grad": a_grad}

    return step


def autograd_step(impl: Any, data: dict[str, Any]) -> Any:
    lib, x0 = impl.lib, data["x0"]
    v = lib.tensor(V)

    def step() -> dict[str, Any]:
        x = lib.ones(2, 2, requires_grad=True)
        y = x + 2
        out = (y * y * 3).mean()
        out.backward()
        a = lib.tensor(x0, requires_grad=True)
        y = a * 2
        while y.data.norm() < 1000:
            y = y * 2
        y.backward(v)
        return impl.block({"out": out, "x.grad": x.grad, "a.grad": a.grad})

    return step


def jax_step(impl: Any, data: dict[str, Any]) -> Any:
    jax, jnp = impl.lib, impl.lib.numpy
    x0, v = jnp.asarray(data["x0"]), jnp.asarray(V)

    def mean_part(x):
        y = x + 2
        return (y * y * 3).mean()

    def doubling(a):
        y = a * 2
        while jnp.linalg.norm(jax.lax.stop_gradient(y)) < 1000:
            y = y * 2
        return y

    def step() -> dict[str, Any]:
        out, vjp = jax.vjp(mean_part, jnp.ones((2, 2), jnp.float32))
        (x_grad,) = vjp(jnp.ones_like(out))
        _, vjp = jax.vjp(doubling, x0)
        (a_grad,) = vjp(v)
        return jax.block_until_ready({"out": out, "x.grad": x_grad, "a.grad": a_grad})

    return step


WORKLOAD = Workload(
    key="W1",
    title="tutorial scenario, tiny tensors",
    setup=setup,
    builders={"numpy": numpy_step, "autograd": autograd_step, "jax": jax_step},
    unit="µs",
    scale=1e6,
    per="scenario",
    inner=50,
)

"""W4: ``(A @ B).sum().backward()`` with A, B 1024x1024 float32, both requiring grad.

The NumPy limit does the generic chain rule an autograd does: the gradient of ``sum`` is
a materialised ones matrix G, then ``A.grad = G @ B.T`` and ``B.grad = A.T @ G`` (three
1024^3 matmuls in all). Leaves are made once; each step clears their ``.grad`` first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..workload import Workload

N = 1024


def setup(for_check: bool) -> dict[str, Any]:
    rng = np.random.default_rng(4)
    return {name: rng.standard_normal((N, N), dtype=np.float32) for name in ("a", "b")}


def numpy_step(impl: Any, data: dict[str, Any]) -> Any:
    a, b = data["a"], data["b"]

    def step() -> dict[str, Any]:
        total = (a @ b).sum()
        g = np.ones((N, N), np.float32)
        return {"sum": total, "a.grad": g @ b.T, "b.grad": a.T @ g}

    return step


def autograd_step(impl: Any, data: dict[str, Any]) -> Any:
    lib = impl.lib
    a = lib.tensor(data["a"], requires_grad=True)
    b = lib.tensor(data["b"], requires_grad=True)

    def step() -> dict[str, Any]:
        a.grad = b.grad = None
        total = (a @ b).sum()
        total.backward()
        return impl.block({"sum": total, "a.grad": a.grad, "b.grad": b.grad})

    return step


def jax_step(impl: Any, data: dict[str, Any]) -> Any:
    jax, jnp = impl.lib, impl.lib.numpy
    a, b = jnp.asarray(data["a"]), jnp.asarray(data["b"])

    def step() -> dict[str, Any]:
        total, vjp = jax.vjp(lambda a, b: (a @ b).sum(), a, b)
        a_grad, b_grad = vjp(jnp.ones_like(total))
        return jax.block_until_ready({"sum": total, "a.grad": a_grad, "b.grad": b_grad})

    return step


WORKLOAD = Workload(
    key="W4",
    title="1024x1024 @ 1024x1024, sum, backward",
    setup=setup,
    builders={"numpy": numpy_step, "autograd": autograd_step, "jax": jax_step},
    per="step",
    repeats=9,
    tol=1e-3,  # float32 sums of a million products, in different BLAS orders
)

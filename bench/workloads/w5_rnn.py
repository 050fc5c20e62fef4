"""W5: a recurrent loop of small ops, ``h = tanh(W @ h + U @ x_t)``, hidden 32, 200 steps.

Then ``loss = h.sum()`` and backward into W and U (leaves made once; each step clears
their ``.grad``). The NumPy limit keeps each step's h and back-propagates through time
by hand, one outer product per matrix-vector product, as the autograd rules do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..workload import Workload

HIDDEN = 32
STEPS = 200


def setup(for_check: bool) -> dict[str, Any]:
    rng = np.random.default_rng(5)
    scale = np.float32(1 / np.sqrt(HIDDEN))
    w, u = (rng.standard_normal((HIDDEN, HIDDEN), dtype=np.float32) * scale for _ in "wu")
    xs = rng.standard_normal((STEPS, HIDDEN), dtype=np.float32)
    return {"w": w, "u": u, "xs": list(xs)}


def numpy_step(impl: Any, data: dict[str, Any]) -> Any:
    w, u, xs = data["w"], data["u"], data["xs"]

    def step() -> dict[str, Any]:
        hs = [np.zeros(HIDDEN, np.float32)]
        for x in xs:
            hs.append(np.tanh(w @ hs[-1] + u @ x))
        loss = hs[-1].sum()
        w_grad, u_grad = np.zeros_like(w), np.zeros_like(u)
        g = np.ones(HIDDEN, np.float32)
        for t in range(STEPS, 0, -1):
            g = g * (1 - hs[t] * hs[t])
            w_grad += np.outer(g, hs[t - 1])
            u_grad += np.outer(g, xs[t - 1])
            g = w.T @ g
        return {"loss": loss, "W.grad": w_grad, "U.grad": u_grad}

    return step


def autograd_step(impl: Any, data: dict[str, Any]) -> Any:
    lib = impl.lib
    w = lib.tensor(data["w"], requires_grad=True)
    u = lib.tensor(data["u"], requires_grad=True)
    xs = [lib.tensor(x) for x in data["xs"]]
    h0 = lib.zeros(HIDDEN)

    def step() -> dict[str, Any]:
        w.grad = u.grad = None
        h = h0
        for x in xs:
            h = lib.tanh(w @ h + u @ x)
        loss = h.sum()
        loss.backward()
        return impl.block({"loss": loss, "W.grad": w.grad, "U.grad": u.grad})

    return step


def jax_loss(jnp: Any, w: Any, u: Any, xs: list, h0: Any) -> Any:
    """The loss in JAX (also jitted, by ``bench.compiled``)."""
    h = h0
    for x in xs:
        h = jnp.tanh(w @ h + u @ x)
    return h.sum()


def jax_step(impl: Any, data: dict[str, Any]) -> Any:
    jax, jnp = impl.lib, impl.lib.numpy
    w, u = jnp.asarray(data["w"]), jnp.asarray(data["u"])
    xs, h0 = [jnp.asarray(x) for x in data["xs"]], jnp.zeros(HIDDEN, jnp.float32)

    def loss_of(w, u):
        return jax_loss(jnp, w, u, xs, h0)

    def step() -> dict[str, Any]:
        loss, vjp = jax.vjp(loss_of, w, u)
        w_grad, u_grad = vjp(jnp.ones_like(loss))
        return jax.block_until_ready({"loss": loss, "W.grad": w_grad, "U.grad": u_grad})

    return step


WORKLOAD = Workload(
    key="W5",
    title=f"RNN h = tanh(W @ h + U @ x_t), hidden {HIDDEN}, {STEPS} steps",
    setup=setup,
    builders={"numpy": numpy_step, "autograd": autograd_step, "jax": jax_step},
    per="step",
    repeats=7,
    inner=2,
)

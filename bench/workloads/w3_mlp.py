"""W3: one MLP training step, 784-256-256-10, batch 64, float32, relu, cross entropy.

Cross entropy is written from elementwise ops and reductions, the same formula in every
implementation: ``log_softmax(z) = z - log(sum(exp(z), dim=1, keepdim=True))`` (no max
shift, which retrograd could not express when this was written; the logits stay small) and
``loss = -(one_hot * log_softmax(z)).sum() / batch``. Then SGD, ``p -= lr * p.grad``
under ``no_grad``, and ``p.grad = None``. The step returns the loss and the gradients of
the step's starting parameters (the check compares the first step).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..workload import Workload

SIZES = (784, 256, 256, 10)
BATCH = 64
LR = 0.01


def setup(for_check: bool) -> dict[str, Any]:
    rng = np.random.default_rng(3)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)  # PyTorch's nn.Linear initialisation
        params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    one_hot = np.eye(SIZES[-1], dtype=np.float32)[rng.integers(0, SIZES[-1], BATCH)]
    return {"params": params, "x": x, "one_hot": one_hot}


def outputs(loss: Any, grads: list[Any]) -> dict[str, Any]:
    return {"loss": loss, **{f"grad[{i}]": g for i, g in enumerate(grads)}}


def numpy_step(impl: Any, data: dict[str, Any]) -> Any:
    params = [p.copy() for p in data["params"]]
    x, one_hot = data["x"], data["one_hot"]

    def step() -> dict[str, Any]:
        w1, b1, w2, b2, w3, b3 = params
        h1 = np.maximum(x @ w1 + b1, 0)
        h2 = np.maximum(h1 @ w2 + b2, 0)
        z = h2 @ w3 + b3
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = -(one_hot * (z - np.log(s))).sum() / BATCH
        g_logp = one_hot * np.float32(-1 / BATCH)
        gz = g_logp - g_logp.sum(axis=1, keepdims=True) * (e / s)
        grads = hand_backward(x, h1, h2, params, gz)
        for p, g in zip(params, grads):
            p -= LR * g
        return outputs(loss, grads)

    return step


def hand_backward(x: Any, h1: Any, h2: Any, params: list[Any], gz: Any) -> list[Any]:
    _, _, w2, _, w3, _ = params
    ga2 = (gz @ w3.T) * (h2 > 0)
    ga1 = (ga2 @ w2.T) * (h1 > 0)
    return [x.T @ ga1, ga1.sum(0), h1.T @ ga2, ga2.sum(0), h2.T @ gz, gz.sum(0)]


def autograd_step(impl: Any, data: dict[str, Any]) -> Any:
    lib = impl.lib
    params = [lib.tensor(p, requires_grad=True) for p in data["params"]]
    x, one_hot = lib.tensor(data["x"]), lib.tensor(data["one_hot"])

    def step() -> dict[str, Any]:
        w1, b1, w2, b2, w3, b3 = params
        h = (x @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        z = h @ w3 + b3
        log_p = z - z.exp().sum(dim=1, keepdim=True).log()
        loss = -(one_hot * log_p).sum() / BATCH
        loss.backward()
        grads = [p.grad for p in params]
        with lib.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        return impl.block(outputs(loss, grads))

    return step


def jax_loss(jax: Any, params: list, x: Any, one_hot: Any) -> Any:
    """The loss in JAX (also jitted, by ``bench.compiled``)."""
    jnp = jax.numpy
    w1, b1, w2, b2, w3, b3 = params
    h = jax.nn.relu(x @ w1 + b1)
    h = jax.nn.relu(h @ w2 + b2)
    z = h @ w3 + b3
    log_p = z - jnp.log(jnp.exp(z).sum(axis=1, keepdims=True))
    return -(one_hot * log_p).sum() / BATCH


def jax_step(impl: Any, data: dict[str, Any]) -> Any:
    jax, jnp = impl.lib, impl.lib.numpy
    state = {"params": [jnp.asarray(p) for p in data["params"]]}
    x, one_hot = jnp.asarray(data["x"]), jnp.asarray(data["one_hot"])

    def loss_of(params):
        return jax_loss(jax, params, x, one_hot)

    def step() -> dict[str, Any]:
        loss, vjp = jax.vjp(loss_of, state["params"])
        (grads,) = vjp(jnp.ones_like(loss))
        state["params"] = [p - LR * g for p, g in zip(state["params"], grads)]
        return jax.block_until_ready(outputs(loss, grads))

    return step


def _note() -> str:
    import retrograd

    missing = [n for n in ("log_softmax", "max") if not hasattr(retrograd, n)]
    if not hasattr(retrograd, "nn"):
        missing.append("nn.functional.cross_entropy")
    return (
        "W3: cross entropy is written from exp, sum(dim, keepdim), log and mul, the same "
        "formula in every implementation (no max shift)"
        + (f"; retrograd lacks {', '.join(missing)}" if missing else "")
    )


WORKLOAD = Workload(
    key="W3",
    title="MLP 784-256-256-10 training step, batch 64",
    setup=setup,
    builders={"numpy": numpy_step, "autograd": autograd_step, "jax": jax_step},
    per="step",
    repeats=7,
    inner=10,
    notes=(_note,),
)

"""Compiled rows: each workload's eager retrograd step under ``retrograd.compile``.

A compiled row runs the *same* step function as the eager ``retrograd[...]`` row, wrapped
in ``retrograd.compile``: the harness's first warm-up call records it (an optimizer's
first step makes its state, so W8 records on its second call), later calls replay. The rows
are named ``retrograd[<backend>] compiled`` and are measured in the same interleaved run
as every other row, so their ratios compare like with like.

W1's second scenario doubles a vector until its norm reaches 1000: a Python loop on a
tensor's value, which no recording can replay (it is a graph break, said once). The
compiled W1 row compiles the first scenario and runs the second eagerly, as ``compile``
would after the break. W1a (``bench/workloads/w1a_first_scenario.py``) times the first
scenario alone, which the issue's target is about (at most 0.2x PyTorch eager).
"""

from __future__ import annotations

from typing import Any

from .impls import Impl
from .workloads import w1_tutorial, w1a_first_scenario, w3_mlp, w4_matmul, w5_rnn, w8_adam_step
from .workloads.w1a_first_scenario import first_scenario

KIND = "compiled"
BACKENDS = ("numpy", "jax")
JIT = "jax.jit"  # hand-written jax.jit(value_and_grad) steps: the JAX target's yardstick


def rows(notes: list[str]) -> list[Impl]:
    """A compiled row per usable backend in :data:`BACKENDS`."""
    import retrograd

    usable = {info.name for info in retrograd.backends() if info.usable}
    found = [Impl(f"retrograd[{b}] compiled", KIND, "retrograd", b) for b in BACKENDS
             if b in usable]  # fmt: skip
    return found + ([Impl(JIT, "jax_jit", "jax")] if "jax" in usable else [])


def _compiled(builder: Any) -> Any:
    def build(impl: Any, data: dict[str, Any]) -> Any:
        compiled = impl.lib.compile(builder(impl, data))
        # The step's own wait ran at capture only: wait for a replay's results here.
        return lambda: impl.block(compiled())

    return build


def _w1_compiled(impl: Any, data: dict[str, Any]) -> Any:
    lib, x0, v = impl.lib, data["x0"], impl.lib.tensor(w1_tutorial.V)
    first = lib.compile(first_scenario(lib))

    def step() -> dict[str, Any]:
        out, x_grad = first()
        a = lib.tensor(x0, requires_grad=True)
        y = a * 2
        while y.data.norm() < 1000:  # data-dependent: runs eagerly
            y = y * 2
        y.backward(v)
        return {"out": out, "x.grad": x_grad, "a.grad": a.grad}

    return step


def _w1a_compiled(impl: Any, data: dict[str, Any]) -> Any:
    first = impl.lib.compile(first_scenario(impl.lib))

    def step() -> dict[str, Any]:
        out, x_grad = first()
        return {"out": out, "x.grad": x_grad}

    return step


def _w3_jit(impl: Any, data: dict[str, Any]) -> Any:
    jax = impl.lib
    jnp = jax.numpy
    state = {"params": [jnp.asarray(p) for p in data["params"]]}
    x, one_hot = jnp.asarray(data["x"]), jnp.asarray(data["one_hot"])

    @jax.jit
    def update(params: list) -> tuple:
        loss, grads = jax.value_and_grad(lambda p: w3_mlp.jax_loss(jax, p, x, one_hot))(params)
        return loss, grads, [p - w3_mlp.LR * g for p, g in zip(params, grads)]

    def step() -> dict[str, Any]:
        loss, grads, state["params"] = update(state["params"])
        return jax.block_until_ready(w3_mlp.outputs(loss, grads))

    return step


def _w4_jit(impl: Any, data: dict[str, Any]) -> Any:
    jax = impl.lib
    a, b = jax.numpy.asarray(data["a"]), jax.numpy.asarray(data["b"])
    both = jax.jit(jax.value_and_grad(lambda a, b: (a @ b).sum(), argnums=(0, 1)))

    def step() -> dict[str, Any]:
        total, (a_grad, b_grad) = both(a, b)
        return jax.block_until_ready({"sum": total, "a.grad": a_grad, "b.grad": b_grad})

    return step


def _w5_jit(impl: Any, data: dict[str, Any]) -> Any:
    jax = impl.lib
    jnp = jax.numpy
    w, u = jnp.asarray(data["w"]), jnp.asarray(data["u"])
    xs, h0 = [jnp.asarray(x) for x in data["xs"]], jnp.zeros(w5_rnn.HIDDEN, jnp.float32)
    both = jax.jit(jax.value_and_grad(lambda w, u: w5_rnn.jax_loss(jnp, w, u, xs, h0), (0, 1)))

    def step() -> dict[str, Any]:
        loss, (w_grad, u_grad) = both(w, u)
        return jax.block_until_ready({"loss": loss, "W.grad": w_grad, "U.grad": u_grad})

    return step


BUILDERS = (
    (w1_tutorial.WORKLOAD, _w1_compiled),
    (w1a_first_scenario.WORKLOAD, _w1a_compiled),
    (w3_mlp.WORKLOAD, _compiled(w3_mlp.autograd_step)),
    (w4_matmul.WORKLOAD, _compiled(w4_matmul.autograd_step)),
    (w5_rnn.WORKLOAD, _compiled(w5_rnn.autograd_step)),
    (w8_adam_step.WORKLOAD, _compiled(w8_adam_step.autograd_step)),
)
JIT_BUILDERS = (
    (w3_mlp.WORKLOAD, _w3_jit),
    (w4_matmul.WORKLOAD, _w4_jit),
    (w5_rnn.WORKLOAD, _w5_jit),
)


def install() -> None:
    """Give the workloads their compiled builders (idempotent)."""
    for workload, builder in BUILDERS:
        workload.builders.setdefault(KIND, builder)
    for workload, builder in JIT_BUILDERS:
        workload.builders.setdefault("jax_jit", builder)


install()

"""W6: memory of 50 layers of ``relu(h @ W)``, W 1024x1024, a batch of 256 (float32).

Three modes, each in a fresh process per implementation, each RSS growth above a
baseline taken once the weights exist (the 200 MB of weights are not counted):

- ``grad``: the peak of the forward pass with grad tracking (the graph alive). The NumPy
  limit keeps the 50 activations its hand-written backward needs.
- ``no_grad``: the peak of the forward pass under ``no_grad`` (NumPy: nothing kept).
- ``after``: resident memory after forward, backward, and dropping the loss: only the
  50 weight gradients (200 MB) should remain.
- ``checkpoint``: the ``grad`` run with the 50 layers in ``checkpoint_sequential`` (7
  segments, ``use_reentrant=False``): its forward peak with the graph alive, beside
  ``grad``'s, is the activation memory checkpointing saves (retrograd and PyTorch only;
  backward recomputes each segment, so after it the two runs hold the same gradients).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from ..memory import MB, Meter
from ..workload import Workload

LAYERS = 50
WIDTH = 1024
BATCH = 256
SEGMENTS = 7  # about sqrt(LAYERS): the usual memory/recompute balance


def _inputs() -> tuple[list[Any], Any]:
    rng = np.random.default_rng(6)
    scale = np.float32(np.sqrt(2 / WIDTH))  # He initialisation: activations stay O(1)
    ws = [rng.standard_normal((WIDTH, WIDTH), dtype=np.float32) * scale for _ in range(LAYERS)]
    return ws, rng.standard_normal((BATCH, WIDTH), dtype=np.float32)


def _numpy_run(impl: Any, ws: list[Any], x: Any) -> Callable[[str], float]:
    kept: dict[str, Any] = {}

    def run(mode: str) -> float:
        acts = [x]
        for w in ws:
            h = np.maximum(acts[-1] @ w, 0)
            if mode == "no_grad":
                acts.clear()  # nothing to keep without a backward pass
            acts.append(h)
        if mode == "after":
            g, grads = np.ones_like(acts[-1]), [None] * LAYERS
            for i in range(LAYERS - 1, -1, -1):
                g = g * (acts[i + 1] > 0)
                grads[i] = acts[i].T @ g
                g = g @ ws[i].T
            kept["grads"] = grads
        return float(acts[-1].sum())

    return run


def _autograd_run(impl: Any, ws: list[Any], x: Any) -> Callable[[str], float]:
    lib = impl.lib
    leaves = [lib.tensor(w, requires_grad=True) for w in ws]
    x = lib.tensor(x)

    def run(mode: str) -> float:
        with lib.set_grad_enabled(mode != "no_grad"):
            h = x
            for w in leaves:
                h = (h @ w).relu()
            loss = h.sum()
        if mode == "after":
            loss.backward()
            impl.block({str(i): w.grad for i, w in enumerate(leaves)})
        return loss.item()

    return run


def _checkpointed_run(impl: Any, ws: list[Any], x: Any) -> Callable[[str], float]:
    lib = impl.lib
    ckpt = importlib.import_module(lib.__name__ + ".utils.checkpoint")
    leaves = [lib.tensor(w, requires_grad=True) for w in ws]
    x = lib.tensor(x)
    stages = [lambda h, w=w: (h @ w).relu() for w in leaves]
    kept: dict[str, Any] = {}

    def run(mode: str) -> float:
        out = ckpt.checkpoint_sequential(stages, SEGMENTS, x, use_reentrant=False)
        kept["loss"] = loss = out.sum()  # the graph stays alive, as in mode "grad"
        return loss.item()

    return run


def _jax_run(impl: Any, ws: list[Any], x: Any) -> Callable[[str], float]:
    jax, jnp = impl.lib, impl.lib.numpy
    weights, x, kept = [jnp.asarray(w) for w in ws], jnp.asarray(x), {}

    def forward(weights):
        h = x
        for w in weights:
            h = jax.nn.relu(h @ w)
        return h.sum()

    def run(mode: str) -> float:
        if mode == "no_grad":
            return float(forward(weights))
        loss, vjp = jax.vjp(forward, weights)
        if mode == "after":
            kept["grads"] = jax.block_until_ready(vjp(jnp.ones_like(loss)))
        return float(loss)

    return run


RUNS = {"numpy": _numpy_run, "autograd": _autograd_run, "jax": _jax_run}


def measure(impl: Any, mode: str) -> dict[str, Any]:
    """One mode for one implementation: MB above the weights' baseline, and the loss."""
    if mode == "checkpoint":
        if impl.kind != "autograd":
            return {"error": "n/a (no checkpoint_sequential)"}
        run = _checkpointed_run(impl, *_inputs())
    else:
        run = RUNS[impl.kind](impl, *_inputs())
    meter = Meter()
    loss = run(mode)
    held = meter.now_bytes() if mode == "after" else meter.peak_bytes()
    return {"mb": held / MB, "peak_mb": meter.peak_bytes() / MB, "loss": loss}


MODES = ("grad", "no_grad", "after", "checkpoint")
WORKLOAD = Workload(
    key="W6",
    title=f"memory, {LAYERS} x relu(h @ W{WIDTH}x{WIDTH}), batch {BATCH}",
    setup=lambda for_check: {},
    peak=False,
    children={mode: (lambda impl, mode=mode: measure(impl, mode)) for mode in MODES},
)

"""Running one sample of one op on a backend: tensors in, outputs and VJPs out.

An op's result may be one tensor or several (``split``, ``max(dim)``'s values and
indices); everything here works on the tuple of outputs. Only floating outputs carry
gradients: cotangents, VJPs and finite differences use those (:func:`differentiable`).
Tensors are always created on the backend under test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import retrograd

from .resolution import Resolved
from .samples import Sample

# --retrograd-chunks: every input tensor split into chunks of this many elements per
# dimension (None: the library's own chunking); set by the plugin.
CHUNKS: list[int | None] = [None]


def chunking(backend: str) -> dict[str, Any]:
    """The factory keywords that chunk an input on ``backend`` (none where it has no
    chunks, or no ``--retrograd-chunks`` was given)."""
    if CHUNKS[0] is None or "rechunk" not in retrograd.get_backend(backend).kernels:
        return {}
    return {"chunks": CHUNKS[0]}


def supports(backend: str, dtype: str) -> bool:
    """Whether the backend has ``dtype`` at all (some have no float64)."""
    try:
        retrograd.get_backend(backend).native_dtype(getattr(retrograd, dtype))
    except TypeError:
        return False
    return True


def best_float(backend: str) -> str:
    """The dtype finite differences and references use: float64, or float32 on a backend
    without float64 (JAX without x64), with float32 tolerances."""
    return "float64" if supports(backend, "float64") else "float32"


def as_tuple(value: Any) -> tuple:
    """An op's result (or a reference's) as a tuple of outputs."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def tensors(arrays: Sequence[np.ndarray], dtype: str, backend: str, grad: bool) -> list:
    """Leaf tensors on ``backend`` holding ``arrays`` cast to ``dtype``."""
    rg_dtype, kw = getattr(retrograd, dtype), chunking(backend)
    return [retrograd.tensor(a, dtype=rg_dtype, backend=backend, requires_grad=grad, **kw)
            for a in arrays]  # fmt: skip


def converted(value: Any, convert: Any) -> Any:
    """``value`` with every NumPy array in it (also inside tuples and lists, as in an
    indexing key) passed through ``convert``."""
    if isinstance(value, np.ndarray):
        return convert(value)
    if isinstance(value, (tuple, list)):
        return type(value)(converted(v, convert) for v in value)
    return value


def on_backend(params: dict[str, Any], backend: str, dtype: str) -> dict[str, Any]:
    """``params`` with NumPy arrays turned into (non-differentiable) backend tensors:
    float ones (loss targets) in the case's float ``dtype``, others (masks, indices) as
    they are."""
    as_float = getattr(retrograd, dtype) if dtype in ("float32", "float64") else None

    def make(a: np.ndarray) -> Any:
        floating = a.dtype.kind == "f" and as_float is not None
        dtype = as_float if floating else None
        return retrograd.tensor(a, dtype=dtype, backend=backend, **chunking(backend))

    return {k: converted(v, make) for k, v in params.items()}


def host(t: Any) -> np.ndarray:
    """A tensor's values as a NumPy array (a copy)."""
    return np.array(t.detach().numpy())


def evaluate(res: Resolved, sample: Sample, backend: str, dtype: str, arrays=None, grad=False):
    """``(inputs, outputs)`` of the op on ``backend`` at ``arrays`` (default: the
    sample's); ``outputs`` is a tuple."""
    inputs = tensors(sample.arrays if arrays is None else arrays, dtype, backend, grad)
    return inputs, as_tuple(res.call(*inputs, **on_backend(sample.params, backend, dtype)))


def differentiable(outputs: Sequence[Any]) -> list:
    """The floating outputs: those that carry gradients."""
    return [o for o in outputs if o.dtype.is_floating_point]


def flat(outputs: Sequence[Any]) -> np.ndarray:
    """The differentiable outputs' values, raveled and concatenated (float64)."""
    parts = [host(o).astype(np.float64).ravel() for o in differentiable(outputs)]
    return np.concatenate(parts) if parts else np.zeros(0)


def vjp(res: Resolved, sample: Sample, backend: str, dtype: str, vs: Sequence | None):
    """``(inputs, outputs, grads)``: the autograd VJP with one cotangent per
    differentiable output (None: ones)."""
    inputs, outputs = evaluate(res, sample, backend, dtype, grad=True)
    outs = differentiable(outputs)
    vs = [np.ones(tuple(o.shape)) for o in outs] if vs is None else vs
    cotangents = [retrograd.tensor(v, dtype=o.dtype, backend=backend) for o, v in zip(outs, vs)]
    grads = retrograd.autograd.grad(outs, inputs, cotangents, allow_unused=True)
    return inputs, outputs, grads


def directional(f: Any, arrays: Sequence[np.ndarray], us: Sequence[np.ndarray], h: float):
    """Central difference of ``f`` (arrays -> array) at ``arrays`` along ``us``."""
    plus = f([a + h * u for a, u in zip(arrays, us)])
    minus = f([a - h * u for a, u in zip(arrays, us)])
    return (np.asarray(plus, np.float64) - np.asarray(minus, np.float64)) / (2 * h)


def first_order(res: Resolved, sample: Sample, backend: str, arrays, vs, create_graph: bool):
    """``(inputs, cotangents, grads)`` in :func:`best_float`: the VJP, with the
    cotangents as tensors (requiring grad when ``create_graph``) and zeros for an input
    the outputs do not depend on."""
    inputs, outputs = evaluate(res, sample, backend, best_float(backend), arrays, grad=True)
    outs = differentiable(outputs)
    vts = [retrograd.tensor(v, dtype=o.dtype, backend=backend, requires_grad=create_graph)
           for o, v in zip(outs, vs)]  # fmt: skip
    grads = retrograd.autograd.grad(outs, inputs, vts, create_graph=create_graph, allow_unused=True)
    grads = [retrograd.zeros_like(x) if g is None else g for x, g in zip(inputs, grads)]
    return inputs, vts, grads

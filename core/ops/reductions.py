"""Reductions: sum, mean and the vector norm, over all elements or over ``dim``.

PyTorch's ``dim``/``keepdim`` map to the kernels' ``axis``/``keepdims``; a ``dim`` may be
an int or a tuple, negative too.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor, _wrap_dim
from .dispatch import array_of, finish
from .record import REDUCTION, OpRecord


def _expand_back(g: Tensor, shape: tuple, dims: tuple | None, keepdim: bool) -> Tensor:
    """Broadcast a reduced gradient back over the reduced dimensions of ``shape``."""
    if dims is not None and not keepdim:
        kept = [1 if i in dims else n for i, n in enumerate(shape)]
        g = g.reshape(kept)
    return g.expand(shape)


def _count(shape: tuple, dims: tuple | None) -> int:
    n = 1
    for i, size in enumerate(shape):
        if dims is None or i in dims:
            n *= size
    return n


def _norm_grad(g, a, result, p, dims, keepdim):
    g = _expand_back(g, a.shape, dims, keepdim)
    result = _expand_back(result, a.shape, dims, keepdim)
    if p == 1:
        return g * a.sign()
    # PyTorch's convention: the gradient of a zero norm is 0, not nan.
    scale = g / where(result == 0, 1.0, result)
    if p == 2:
        return a * scale
    return a * a.abs() ** (p - 2) * scale / where(result == 0, 1.0, result) ** (p - 2)


def _reduction(name: str, grad_fn: str, kernel: str, save: tuple, grad: Any) -> OpRecord:
    return OpRecord(name, REDUCTION, grad_fn, kernel, save=save, grads=(grad,))


SUM = _reduction("sum", "SumBackward0", "sum", ("self.shape",),
                 lambda g, shape: g.expand(shape))  # fmt: skip
SUM_DIM = _reduction("sum_dim", "SumBackward1", "sum", ("self.shape", "dims", "keepdim"),
                     _expand_back)  # fmt: skip
MEAN = _reduction("mean", "MeanBackward0", "mean", ("self.shape",),
                  lambda g, shape: g.expand(shape) / _count(shape, None))  # fmt: skip
MEAN_DIM = _reduction(
    "mean_dim", "MeanBackward1", "mean", ("self.shape", "dims", "keepdim"),
    lambda g, shape, dims, keepdim: _expand_back(g, shape, dims, keepdim) / _count(shape, dims),
)  # fmt: skip
NORM = _reduction("norm", "LinalgVectorNormBackward0", "vector_norm",
                  ("self", "result", "p", "dims", "keepdim"), _norm_grad)  # fmt: skip

RECORDS = (SUM, SUM_DIM, MEAN, MEAN_DIM, NORM)


def _dims(op: str, input: Tensor, dim: Any) -> tuple[int, ...] | None:
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    wrapped = tuple(sorted(_wrap_dim(d, max(input.dim(), 1), op) for d in dims))
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"{op}(): dim {wrapped[0]} appears multiple times in the list of dims")
    return wrapped if input.dim() else None


def _reduce(records: tuple, input: Tensor, dim: Any, keepdim: bool, dtype: Any) -> Tensor:
    op = records[0].name
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    dims = _dims(op, input, dim)
    backend = input._backend
    array = array_of(input, dtype, backend)
    out = backend.kernels[records[0].kernel](array, axis=dims, keepdims=keepdim)
    if dim is None:
        return finish(records[0], out, dtype, backend, (input,))
    params = {"dims": dims, "keepdim": keepdim}
    return finish(records[1], out, dtype, backend, (input,), params)


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    """Sum of all elements, or over ``dim``; integers and bools sum as int64."""
    if dtype is None:
        dtype = input.dtype if input.dtype.is_floating_point else dtypes.int64
    return _reduce((SUM, SUM_DIM), input, dim, keepdim, dtypes.resolve(dtype))


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean of all elements, or over ``dim``; needs a floating dtype."""
    dtype = dtypes.resolve(dtype) if dtype is not None else input.dtype
    if not dtype.is_floating_point:
        kind = {"int64": "Long", "int32": "Int", "bool": "Bool"}.get(dtype.name, dtype.name)
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {kind}"
        )
    return _reduce((MEAN, MEAN_DIM), input, dim, keepdim, dtype)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector p-norm of all elements or over ``dim`` (``"fro"`` is the 2-norm)."""
    p = 2 if p in ("fro", None) else p
    if not isinstance(p, (int, float)) or p <= 0:
        raise RuntimeError(f"norm(): retrograd supports p > 0 and 'fro' for now, got p={p!r}")
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {input.dtype}"
        )
    dims = _dims("norm", input, dim)
    backend = input._backend
    out = backend.kernels["vector_norm"](input._storage.array, p, dims, keepdim)
    params = {"p": p, "dims": dims, "keepdim": keepdim}
    return finish(NORM, out, input.dtype, backend, (input,), params)


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    from .elementwise import where as _where

    return _where(condition, input, other)


FUNCTIONS = {"sum": sum, "mean": mean, "norm": norm}

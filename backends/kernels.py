"""The generic kernel layer, written once against an array-API namespace ``xp``.

Every backend's kernel table starts from :func:`generic_kernels`; a backend module
overrides an entry only where its library deviates from the array API or where a
measurement demands it (each override says which).

Kernel contract: kernels take and return the library's arrays (plus Python scalars and
native dtypes where noted); they never see retrograd tensors, never record graphs, and
never check shapes beyond what the library does (the core validates before calling).
In-place kernels return the written array, which may be the same object (NumPy, CuPy)
or a new one the core rebinds (immutable libraries).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def _elementwise(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "add": xp.add,
        "subtract": xp.subtract,
        "multiply": xp.multiply,
        "divide": xp.divide,
        "pow": xp.pow,
        "negative": xp.negative,
        "abs": xp.abs,
        # The sign of a bool is itself (as in PyTorch); NumPy has no bool loop for it.
        "sign": lambda a: a if xp.isdtype(a.dtype, "bool") else xp.sign(a),
        "exp": xp.exp,
        "log": xp.log,
        "sqrt": xp.sqrt,
        "sin": xp.sin,
        "cos": xp.cos,
        "tanh": xp.tanh,
        "sigmoid": lambda a: 1 / (1 + xp.exp(-a)),
        "reciprocal": lambda a: 1 / a,
        "relu": lambda a: xp.where(a > 0, a, xp.zeros_like(a)),
        "equal": xp.equal,
        "not_equal": xp.not_equal,
        "less": xp.less,
        "less_equal": xp.less_equal,
        "greater": xp.greater,
        "greater_equal": xp.greater_equal,
        "where": xp.where,
        "logical_and": xp.logical_and,
        "isfinite": xp.isfinite,
        "maximum": xp.maximum,
    }


def _sum_to_shape(xp: Any) -> Callable[..., Any]:
    def sum_to_shape(a: Any, shape: tuple[int, ...]) -> Any:
        """Sum the broadcast dimensions of ``a`` away so it has ``shape``."""
        lead = a.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and a.shape[lead + i] != 1
        )
        if axes:
            a = xp.sum(a, axis=axes, keepdims=True, dtype=a.dtype)
        return xp.reshape(a, shape)

    return sum_to_shape


def _reductions(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "sum": lambda a, axis=None, keepdims=False: xp.sum(a, axis=axis, keepdims=keepdims),
        "mean": lambda a, axis=None, keepdims=False: xp.mean(a, axis=axis, keepdims=keepdims),
        "vector_norm": lambda a, ord=2, axis=None, keepdims=False: xp.linalg.vector_norm(
            a, ord=ord, axis=axis, keepdims=keepdims
        ),
        "max": lambda a, axis=None, keepdims=False: xp.max(a, axis=axis, keepdims=keepdims),
        "sum_to_shape": _sum_to_shape(xp),
    }


def _shape(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "reshape": xp.reshape,
        # A reshape that never copies: raises where the result cannot be a view.
        "view": lambda a, shape: xp.reshape(a, shape, copy=False),
        "permute_dims": xp.permute_dims,
        "expand_dims": lambda a, axis: xp.expand_dims(a, axis=axis),
        "broadcast_to": xp.broadcast_to,
        "getitem": lambda a, key: a[key],
        "matmul": xp.matmul,
        "matrix_transpose": lambda a: xp.matrix_transpose(a),
        "concat": lambda arrays, axis=0: xp.concat(arrays, axis=axis),
        # The array API has no strides: an array is contiguous unless a backend knows better.
        "is_contiguous": lambda a: True,
    }


def _conversion(xp: Any) -> dict[str, Callable[..., Any]]:
    def assign(target: Any, value: Any) -> Any:
        target[...] = value
        return target

    def setitem(target: Any, key: Any, value: Any) -> Any:
        target[key] = value
        return target

    return {
        "asarray": lambda data, dtype: xp.asarray(data, dtype=dtype),
        "astype": lambda a, dtype: xp.astype(a, dtype),
        "copy": lambda a: xp.asarray(a, copy=True),
        "assign": assign,
        "setitem": setitem,
        "tolist": lambda a: a.tolist(),
    }


def _creation(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "zeros": lambda shape, dtype: xp.zeros(shape, dtype=dtype),
        "ones": lambda shape, dtype: xp.ones(shape, dtype=dtype),
        "empty": lambda shape, dtype: xp.empty(shape, dtype=dtype),
        "full": lambda shape, value, dtype: xp.full(shape, value, dtype=dtype),
        "arange": lambda start, stop, step, dtype: xp.arange(start, stop, step, dtype=dtype),
        "linspace": lambda start, stop, num, dtype: xp.linspace(start, stop, num, dtype=dtype),
        "eye": lambda n, m, dtype: xp.eye(n, m, dtype=dtype),
        "zeros_like": xp.zeros_like,
        "ones_like": xp.ones_like,
    }


def generic_kernels(xp: Any) -> dict[str, Callable[..., Any]]:
    """The full kernel table for array namespace ``xp``."""
    table: dict[str, Callable[..., Any]] = {}
    for part in (_elementwise, _reductions, _shape, _conversion, _creation):
        table.update(part(xp))
    table["pi"] = lambda: math.pi
    return table

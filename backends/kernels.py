"""The generic kernel layer, written once against an array-API namespace ``xp``.

Every backend's kernel table starts from :func:`generic_kernels`; a backend module
overrides an entry only where its library deviates from the array API or where a
measurement demands it (each override says which).

The layer is two modules, by one rule: this one holds the kernels the core's machinery
calls by name (storage and views, factories, conversion and data movement, printing, the
engine's ``sum_to_shape``, the in-place ``*_into`` writes) and those of the ops of
``retrograd/ops/elementwise.py`` (arithmetic, its unary math, comparisons, ``where``);
:mod:`retrograd_backends.op_kernels` holds the kernels of every other op module.

Kernel contract: kernels take and return the library's arrays (plus Python scalars and
native dtypes where noted); they never see retrograd tensors, never record graphs, and
never check shapes beyond what the library does (the core validates before calling).
In-place kernels return the written array, which may be the same object (NumPy, CuPy)
or a new one the core rebinds (immutable libraries).

``xp`` is an array-API namespace: :func:`array_namespace` gives the library itself where
it implements the standard (NumPy 2, ``jax.numpy``, ``array_api_strict``), else
``array-api-compat``'s wrapper for it (CuPy, NumPy 1.26). Moving data to and from the
host goes through NumPy (retrograd's host library): ``to_numpy``/``from_numpy``, and
``from_dlpack`` for a copy from another library's array without passing through it.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any

from . import op_kernels
from .op_kernels import stable_sigmoid


def array_namespace(module: Any) -> Any:
    """``module`` if it is an array-API namespace, else array-api-compat's wrapper of it
    (``array_api_compat.cupy``, ``array_api_compat.numpy``)."""
    if hasattr(module, "__array_api_version__"):
        return module
    return importlib.import_module(f"array_api_compat.{module.__name__}")


def native_dtypes(xp: Any) -> dict[Any, Any]:
    """Each retrograd dtype that ``xp`` has, mapped to the dtype its arrays report."""
    from retrograd import dtypes

    return {
        d: xp.empty(0, dtype=getattr(xp, d.name)).dtype
        for d in dtypes.ALL_DTYPES
        if hasattr(xp, d.name)
    }


def _integral(xp: Any, value: Any) -> bool:
    if isinstance(value, (bool, float, complex)):
        return False
    return isinstance(value, int) or xp.isdtype(value.dtype, "integral")


def _checked_pow(xp: Any) -> Callable[..., Any]:
    def pow(a: Any, b: Any) -> Any:
        """``a ** b``; ValueError for integers to negative integer powers, as NumPy (other
        libraries return garbage, or raise their own error types)."""
        if _integral(xp, a) and _integral(xp, b) and bool(xp.any(xp.asarray(b) < 0)):
            raise ValueError("Integers to negative integer powers are not allowed.")
        return xp.pow(a, b)

    return pow


def _sign(xp: Any) -> Callable[[Any], Any]:
    def sign(a: Any) -> Any:
        """PyTorch's sign: a bool is its own sign (NumPy has no bool loop for it), and
        sign(nan) and sign(-0.0) are 0.0 (the libraries give nan; JAX gives -0.0)."""
        if xp.isdtype(a.dtype, "bool"):
            return a
        if xp.isdtype(a.dtype, "real floating"):
            return xp.where(xp.isnan(a), xp.zeros_like(a), xp.sign(a) + 0.0)
        return xp.sign(a)

    return sign


def _elementwise(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "add": xp.add,
        "subtract": xp.subtract,
        "multiply": xp.multiply,
        "divide": xp.divide,
        "pow": _checked_pow(xp),
        "negative": xp.negative,
        "abs": xp.abs,
        "sign": _sign(xp),
        "exp": xp.exp,
        "log": xp.log,
        "sqrt": xp.sqrt,
        "sin": xp.sin,
        "cos": xp.cos,
        "tanh": xp.tanh,
        # exp(-|a|) never overflows: no warning for large |a| (PyTorch gives none).
        "sigmoid": stable_sigmoid(xp),
        "reciprocal": lambda a: 1 / a,
        # maximum, not where(a > 0, ...): one pass instead of three. In this operand
        # order NumPy keeps nan and -0.0 as they are, as PyTorch's relu does.
        "relu": lambda a: xp.maximum(0, a),
        "equal": xp.equal,
        "not_equal": xp.not_equal,
        "less": xp.less,
        "less_equal": xp.less_equal,
        "greater": xp.greater,
        "greater_equal": xp.greater_equal,
        "where": xp.where,
        "logical_and": xp.logical_and,
    }


def _backward(xp: Any) -> dict[str, Callable[..., Any]]:
    """The derivatives PyTorch computes as ops of their own (``grad``, ``output``), in
    PyTorch's formulas and operation order; backends may fuse each into one kernel
    (:mod:`retrograd_backends.cupy_fused` holds the same formulas for CuPy)."""
    return {
        "tanh_backward": lambda g, r: g * (1 - r * r),
        "sigmoid_backward": lambda g, r: g * (1 - r) * r,
        # 0 where the output is <= 0, even for a nan gradient; a nan output passes it.
        "threshold_backward": lambda g, r: xp.where(r <= 0, xp.zeros_like(g), g),
    }


def _sum_to_shape(xp: Any) -> Callable[..., Any]:
    def sum_to_shape(a: Any, shape: tuple[int, ...]) -> Any:
        """Sum the broadcast dimensions of ``a`` away so it has ``shape``.

        The result is a new array, never a view of one (so the engine may hand it
        to a leaf as its ``.grad`` without copying it)."""
        lead = a.ndim - len(shape)
        if lead:
            a = xp.sum(a, axis=tuple(range(lead)), dtype=a.dtype)
        kept = tuple(i for i, n in enumerate(shape) if n == 1 and a.shape[i] != 1)
        if kept:
            a = xp.sum(a, axis=kept, keepdims=True, dtype=a.dtype)
        return a

    return sum_to_shape


def _reductions(xp: Any) -> dict[str, Callable[..., Any]]:
    return {"sum_to_shape": _sum_to_shape(xp)}  # the engine's


def _shape(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "reshape": xp.reshape,
        # A reshape that never copies: raises where the result cannot be a view.
        "view": lambda a, shape: xp.reshape(a, shape, copy=False),
        "permute_dims": xp.permute_dims,
        "expand_dims": lambda a, axis: xp.expand_dims(a, axis=axis),
        "broadcast_to": xp.broadcast_to,
        "getitem": lambda a, key: a[key],
        # The array API has no strides: an array is contiguous, and no two of its elements
        # share memory, unless a backend knows better.
        "is_contiguous": lambda a: True,
        "has_internal_overlap": lambda a: False,
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
        # A row-major copy (the array API has no layouts: any copy is one).
        "contiguous": lambda a: xp.asarray(a, copy=True),
        "assign": assign,
        "setitem": setitem,
    }


def _transfers(xp: Any) -> dict[str, Callable[..., Any]]:
    import numpy as np  # the host library: a dependency of retrograd itself

    return {
        # The array API has no tolist(): read through the host (exact doubles for floats).
        "tolist": lambda a: np.asarray(a).tolist(),
        # to_numpy may share memory (read-only where the library's is); from_numpy may
        # share memory with its (fresh) argument.
        "to_numpy": np.asarray,
        "from_numpy": xp.asarray,
        # a host array over a Python buffer's memory (from_numpy then moves it)
        "frombuffer": lambda buffer, dtype, count, offset: np.frombuffer(
            buffer, dtype=np.dtype(dtype), count=count, offset=offset
        ),
        # A copy of any array that speaks DLPack (another library's, on a device this
        # library can read); raises BufferError/TypeError/ValueError/RuntimeError where it
        # cannot, and the core then goes through the host.
        "from_dlpack": lambda a: xp.asarray(xp.from_dlpack(a), copy=True),
    }


def _creation(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "zeros": lambda shape, dtype: xp.zeros(shape, dtype=dtype),
        "ones": lambda shape, dtype: xp.ones(shape, dtype=dtype),
        "empty": lambda shape, dtype: xp.empty(shape, dtype=dtype),
        "full": lambda shape, value, dtype: xp.full(shape, value, dtype=dtype),
        "arange": lambda start, stop, step, dtype: xp.arange(start, stop, step, dtype=dtype),
        "eye": lambda n, m, dtype: xp.eye(n, m, dtype=dtype),
        "zeros_like": xp.zeros_like,
        "ones_like": xp.ones_like,
    }


def has_internal_overlap(a: Any) -> bool:
    """True if two elements of ``a`` share memory (a stride of 0 over a longer axis). An
    array with no elements never does, whatever its strides (PyTorch writes into an empty
    expanded tensor; CuPy may give an empty array zero strides)."""
    return a.size != 0 and any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape))


def strided_kernels(lib: Any) -> dict[str, Callable[..., Any]]:
    """Overrides for libraries whose arrays have NumPy's ``flags`` and ``strides`` (NumPy,
    CuPy): they know contiguity and overlap, which the array API cannot express, and a
    copy keeps the source's layout unless asked for a row-major one."""
    return {
        "is_contiguous": lambda a: a.flags.c_contiguous,
        "has_internal_overlap": has_internal_overlap,
        "contiguous": lib.ascontiguousarray,
        # ``a <op>= b`` into a's memory (the core calls these only with b of a's dtype
        # and of a's shape, or a Python number): in-place ops without a temporary.
        "add_into": lambda a, b: lib.add(a, b, out=a),
        "subtract_into": lambda a, b: lib.subtract(a, b, out=a),
        "multiply_into": lambda a, b: lib.multiply(a, b, out=a),
        "divide_into": lambda a, b: lib.divide(a, b, out=a),
        # ``out[...] = a <op> b`` without a temporary (optimizers' fused updates; ``out``
        # may be ``a`` or ``b``): the core calls these only with arrays of out's dtype
        # and shape, or Python numbers.
        "add_out": lambda out, a, b: lib.add(a, b, out=out),
        "subtract_out": lambda out, a, b: lib.subtract(a, b, out=out),
        "multiply_out": lambda out, a, b: lib.multiply(a, b, out=out),
        "divide_out": lambda out, a, b: lib.divide(a, b, out=out),
        "maximum_out": lambda out, a, b: lib.maximum(a, b, out=out),
        "sqrt_out": lambda out, a: lib.sqrt(a, out=out),
    }


def generic_kernels(xp: Any) -> dict[str, Callable[..., Any]]:
    """The full kernel table for array namespace ``xp``."""
    table: dict[str, Callable[..., Any]] = {}
    for part in (
        _elementwise,
        _backward,
        _reductions,
        _shape,
        _conversion,
        _transfers,
        _creation,
        *op_kernels.GROUPS,
    ):
        table.update(part(xp))
    table["pi"] = lambda: math.pi
    table["checked"] = _checked(xp)
    return table


def _checked(xp: Any) -> Callable[..., Any]:
    def number(a: Any) -> Any:
        if xp.isdtype(a.dtype, "bool"):
            return bool(a)
        return int(a) if xp.isdtype(a.dtype, "integral") else float(a)

    def checked(value: Any, check: Callable[..., None], *operands: Any) -> Any:
        """``value`` once ``check(*operands)`` has passed: ``check`` takes the operands
        (0-d arrays, the reductions a value check needs) as Python numbers and raises
        PyTorch's error where they are bad. An eager backend checks now; a lazy one
        (Dask) returns ``value`` with the check attached, run when it is computed."""
        check(*(number(o) for o in operands))
        return value

    return checked

"""Elementwise arithmetic written into an existing tensor's memory, for optimizer steps.

``out[...] = a <op> b`` goes through the backend's ``<op>_out`` kernel where it has one
(NumPy, CuPy: no temporary at all), else computes the result and assigns it (JAX rebinds
its immutable arrays anyway). Operands are tensors of ``out``'s shape and dtype, or
Python numbers. Nothing is recorded: these are the updates PyTorch's optimizers make
under ``no_grad``. Each call bumps ``out``'s version counter, as an in-place op does.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor


def _array(x: Any) -> Any:
    return x._storage.array if isinstance(x, Tensor) else x


def _into(kernel: str, fused_name: str, out: Tensor, a: Any, b: Any = None) -> Tensor:
    """``out = kernel(a[, b])``, fused into ``out``'s memory where the backend can."""
    kernels = out._backend.kernels
    storage = out._storage
    arrays = (_array(a),) if b is None else (_array(a), _array(b))
    fused = kernels.get(fused_name)
    if fused is not None and not kernels["has_internal_overlap"](storage.array):
        fused(storage.array, *arrays)
    else:
        storage.array = kernels["assign"](storage.array, kernels[kernel](*arrays))
    storage.bump_version()
    return out


def add(out: Tensor, a: Any, b: Any) -> Tensor:
    """``out = a + b``."""
    return _into("add", "add_out", out, a, b)


def sub(out: Tensor, a: Any, b: Any) -> Tensor:
    """``out = a - b``."""
    return _into("subtract", "subtract_out", out, a, b)


def mul(out: Tensor, a: Any, b: Any) -> Tensor:
    """``out = a * b``."""
    return _into("multiply", "multiply_out", out, a, b)


def div(out: Tensor, a: Any, b: Any) -> Tensor:
    """``out = a / b``."""
    return _into("divide", "divide_out", out, a, b)


def maximum(out: Tensor, a: Any, b: Any) -> Tensor:
    """``out = maximum(a, b)``."""
    return _into("maximum", "maximum_out", out, a, b)


def sqrt(out: Tensor, a: Tensor) -> Tensor:
    """``out = sqrt(a)``."""
    return _into("sqrt", "sqrt_out", out, a)


def copy(out: Tensor, a: Tensor) -> Tensor:
    """``out = a`` (the backend's ``assign``: NumPy copies into place)."""
    storage = out._storage
    storage.array = out._backend.kernels["assign"](storage.array, a._storage.array)
    storage.bump_version()
    return out


def empty_like(t: Tensor) -> Tensor:
    """An uninitialized tensor of ``t``'s shape, dtype and backend (a scratch buffer)."""
    backend = t._backend
    array = backend.kernels["empty"](tuple(t.shape), backend.native_dtype(t.dtype))
    return Tensor._make(array, t._dtype, backend)


def zeros_like(t: Tensor) -> Tensor:
    backend = t._backend
    return Tensor._make(backend.kernels["zeros_like"](t._storage.array), t._dtype, backend)

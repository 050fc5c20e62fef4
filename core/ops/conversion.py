"""Dtype conversion and copies: ``to``, ``float``/``double``/..., ``clone``, ``contiguous``."""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .dispatch import finish
from .record import CONVERSION, OpRecord

# The engine casts every gradient to its input's dtype, so the rules are identities.
TO_COPY = OpRecord("to", CONVERSION, "ToCopyBackward0", "astype", grads=(lambda g: g,))
CLONE = OpRecord("clone", CONVERSION, "CloneBackward0", "copy", grads=(lambda g: g,))

RECORDS = (TO_COPY, CLONE)


def _convert(input: Tensor, dtype: dtypes.dtype, copy: bool = False) -> Tensor:
    if dtype is input._dtype and not copy:
        return input
    backend = input._backend
    array = backend.kernels["astype"](input._storage.array, backend.native_dtype(dtype))
    return finish(TO_COPY, array, dtype, backend, (input,))


def to(input: Tensor, *args: Any, dtype: Any = None, copy: bool = False, **kwargs: Any) -> Tensor:
    """``to(dtype)``, ``to(other_tensor)``; devices and backends come with the backends work.

    Returns ``input`` itself when nothing changes (and ``copy`` is False), as PyTorch does.
    """
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, dtypes.dtype):
            dtype = arg
        elif _is_current_device(input, arg):
            continue
        else:
            raise RuntimeError(
                f"to(): cannot move a tensor on backend '{input.backend.name}' to {arg!r} yet"
            )
    kwargs.pop("non_blocking", None)
    device = kwargs.pop("device", None)
    if device is not None and not _is_current_device(input, device):
        raise RuntimeError(f"to(): cannot move a tensor to device {device!r} yet")
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    if dtype is None:
        return clone(input) if copy else input
    return _convert(input, dtypes.resolve(dtype), copy)


def _is_current_device(input: Tensor, spec: Any) -> bool:
    if spec is None:
        return True
    return str(spec) in (str(input.device), input.device.type, input.backend.name)


def clone(input: Tensor) -> Tensor:
    """A copy with its own memory, differentiable (CloneBackward0)."""
    backend = input._backend
    array = backend.kernels["copy"](input._storage.array)
    return finish(CLONE, array, input._dtype, backend, (input,))


def is_contiguous(input: Tensor) -> bool:
    return bool(input._backend.kernels["is_contiguous"](input._storage.array))


def contiguous(input: Tensor) -> Tensor:
    """``input`` itself if its memory is in row-major order, else a copy (CloneBackward0)."""
    return input if is_contiguous(input) else clone(input)


def type_as(input: Tensor, other: Tensor) -> Tensor:
    return _convert(input, other.dtype)


def _caster(d: dtypes.dtype):
    def cast(input: Tensor) -> Tensor:
        return _convert(input, d)

    cast.__doc__ = f"``to({d})``"
    return cast


METHODS = {
    "float": _caster(dtypes.float32),
    "double": _caster(dtypes.float64),
    "half": _caster(dtypes.float16),
    "long": _caster(dtypes.int64),
    "int": _caster(dtypes.int32),
    "short": _caster(dtypes.int16),
    "bool": _caster(dtypes.bool),
    "to": to,
    "contiguous": contiguous,
    "is_contiguous": is_contiguous,
    "type_as": type_as,
}
FUNCTIONS = {"clone": clone}

"""Dtype and device conversion and copies: ``to``, ``cpu``/``cuda``, ``float``/``double``/...,
``clone``, ``contiguous``.

Moving a tensor to another backend is differentiable: its ``grad_fn`` is
``ToCopyBackward0``, whose rule moves the gradient back to the source backend. Data moves
through DLPack where both libraries allow it (see :func:`transfer`), else through host
memory.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..arguments import expect_tensor, public_signature
from ..backend import transfer
from ..batching import install, levels_of
from ..device import backend_for_device
from ..layouts import check_memory_format, contiguous_format
from ..tensor import Tensor
from .dispatch import finish
from .record import CONVERSION, OpRecord


def _to_backend_of_input(g: Tensor, backend: Any) -> Tensor:
    return g if g._backend is backend else _convert(g, g._dtype, backend)


# The engine casts every gradient to its input's dtype; the rule moves it to its backend.
TO_COPY = OpRecord(
    "to", CONVERSION, "ToCopyBackward0", "astype", save=("self.backend",),
    grads=(_to_backend_of_input,),
)  # fmt: skip
CLONE = OpRecord(
    "clone", CONVERSION, "CloneBackward0", "copy", grads=(lambda g: g,),
    jvp=lambda us, out: us[0].clone(),  # forward mode: the tangent is copied too
)  # fmt: skip

RECORDS = (TO_COPY, CLONE)


def _convert(input: Tensor, dtype: dtypes.dtype, target: Any = None, copy: bool = False):
    """``input`` as ``dtype`` on backend ``target`` (default: its own), recorded as
    ToCopyBackward0; ``input`` itself when nothing changes and ``copy`` is False."""
    source = input._backend
    target = source if target is None else target
    if target is source:
        if dtype is input._dtype and not copy:
            return input
        array = source.kernels["astype"](input._storage.array, source.native_dtype(dtype))
    else:
        native = target.native_dtype(dtype)  # TypeError naming the backend, before moving
        if levels_of(input._storage.array):
            install()  # inside vmap: a backend first loaded now gets its batching rules
        array = transfer(input._storage.array, source, target)
        if dtype is not input._dtype:
            array = target.kernels["astype"](array, native)
    return finish(TO_COPY, array, dtype, target, (input,))


def _target_backend(spec: Any) -> Any:
    """The backend a ``to()`` argument names: a backend, a device, a device string."""
    if hasattr(spec, "kernels"):
        return spec
    return backend_for_device(spec)


def to(input: Tensor, *args: Any, dtype: Any = None, device: Any = None, **kwargs: Any):
    """PyTorch's ``to(dtype)``, ``to(device, dtype)``, ``to(other)`` (``other``'s dtype and
    backend), with ``copy=``, ``non_blocking=`` (ignored) and ``backend=``.

    Returns ``input`` itself when nothing changes (and ``copy`` is False), as PyTorch does.
    """
    copy = bool(kwargs.pop("copy", False))
    kwargs.pop("non_blocking", None), kwargs.pop("memory_format", None)
    target = kwargs.pop("backend", None) or device
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    if args and isinstance(args[0], (bool, float)):
        # PyTorch's parser reads a Python bool or float value in the dtype's place as its
        # type: ``x.to(1.5)`` is ``x.to(float)``, float64; ``x.to(True)`` is bool.
        args = (type(args[0]), *args[1:])
    flags = [arg for arg in args if isinstance(arg, bool)]  # (non_blocking, copy)
    copy = flags[1] if len(flags) > 1 else copy
    for arg in args:
        if isinstance(arg, Tensor):
            dtype, target = arg._dtype, arg._backend
        elif isinstance(arg, dtypes.dtype) or arg is bool or arg is float or arg is int:
            dtype = arg
        elif not isinstance(arg, bool):
            target = arg
    backend = None if target is None else _target_backend(target)
    if dtype is None and copy and backend in (None, input._backend):
        return clone(input)
    d = input._dtype if dtype is None else dtypes.resolve(dtype)
    return _convert(input, d, backend, copy)


def cpu(input: Tensor) -> Tensor:
    """``input`` on the CPU (the NumPy backend); itself if already there."""
    return to(input, "cpu")


def cuda(input: Tensor, device: Any = None, non_blocking: bool = False) -> Tensor:
    """``input`` on the CUDA device (the CuPy backend); itself if already there."""
    return to(input, "cuda" if device is None else device)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy with its own memory, differentiable (CloneBackward0); any ``memory_format``
    gives the same values (see :mod:`retrograd.layouts`)."""
    expect_tensor("clone", input)
    if memory_format is not None:
        check_memory_format("clone", memory_format, input.dim())
    backend = input._backend
    array = backend.kernels["copy"](input._storage.array)
    return finish(CLONE, array, input._dtype, backend, (input,))


def is_contiguous(input: Tensor) -> bool:
    return input._storage.is_contiguous(input._backend)


def _no_positionals(name: str, extra: tuple) -> None:
    """PyTorch's TypeError for a method that takes keywords only (``x.float(1)``)."""
    if extra:
        s = "was" if len(extra) == 1 else "were"
        raise TypeError(f"{name}() takes 0 positional arguments but {len(extra)} {s} given")


def contiguous(input: Tensor, *extra: Any, memory_format: Any = contiguous_format) -> Tensor:
    """``input`` itself if its memory is in row-major order, else a row-major copy
    (CloneBackward0; ``clone`` keeps the layout, as PyTorch's does)."""
    _no_positionals("contiguous", extra)
    if memory_format is not contiguous_format:
        check_memory_format("contiguous", memory_format, input.dim())
    if is_contiguous(input):
        return input
    backend = input._backend
    array = backend.kernels["contiguous"](input._storage.array)
    return finish(CLONE, array, input._dtype, backend, (input,))


def type_as(input: Tensor, other: Tensor) -> Tensor:
    expect_tensor("type_as", other, "other")
    return _convert(input, other.dtype)


def _caster(d: dtypes.dtype, name: str):
    def cast(input: Tensor, *extra: Any) -> Tensor:
        _no_positionals(name, extra)
        return _convert(input, d)

    cast.__doc__ = f"``to({d})``"
    return public_signature(cast)


METHODS = {
    "float": _caster(dtypes.float32, "float"),
    "double": _caster(dtypes.float64, "double"),
    "half": _caster(dtypes.float16, "half"),
    "long": _caster(dtypes.int64, "long"),
    "int": _caster(dtypes.int32, "int"),
    "short": _caster(dtypes.int16, "short"),
    "bool": _caster(dtypes.bool, "bool"),
    "to": to,
    "cpu": cpu,
    "cuda": cuda,
    "is_cuda": property(lambda self: self.device.type == "cuda"),
    "is_cpu": property(lambda self: self.device.type == "cpu"),
    "contiguous": public_signature(contiguous),
    "is_contiguous": is_contiguous,
    "type_as": type_as,
}
FUNCTIONS = {"clone": clone}

"""Factories: ``tensor``, ``ones``, ``zeros``, ``full``, ``arange``, ``randn``, ...

Every factory takes PyTorch's keyword arguments (``dtype``, ``device``,
``requires_grad``) plus ``backend=``; without either, the tensor goes to the default
backend (``retrograd.use_backend`` / ``set_default_backend`` / ``$RETROGRAD_BACKEND``).
"""

from __future__ import annotations

import math
from typing import Any

from . import dtypes
from .arguments import MISSING, expect_number, expect_tensor, public_signature
from .backend import transfer
from .device import backend_for_device
from .plugins import get_backend
from .plugins.registry import backend_claiming
from .size import sizes_arg
from .spacing import arange_values, linspace_values
from .tensor import Tensor

_pybool = bool


def _target_backend(backend: Any = None, device: Any = None) -> Any:
    if backend is not None:
        return backend if hasattr(backend, "kernels") else get_backend(backend)
    if device is not None:
        return backend_for_device(device)
    return get_backend()


def factory_dtype(name: str, dtype: Any, default: dtypes.dtype | None = None) -> dtypes.dtype:
    """A factory's ``dtype=`` argument: a dtype or a Python type (``float``); a name is
    PyTorch's TypeError, as factories take no strings. None: ``default``, else the
    default dtype."""
    if dtype is None:
        return default or dtypes.get_default_dtype()
    if not isinstance(dtype, (dtypes.dtype, type)):
        raise TypeError(
            f"{name}(): argument 'dtype' must be torch.dtype, not {type(dtype).__name__}"
        )
    return dtypes.resolve(dtype)


def check_requires_grad(name: str, requires_grad: Any) -> None:
    """PyTorch's TypeError for a ``requires_grad=`` that is not a bool."""
    if not isinstance(requires_grad, bool):
        raise TypeError(
            f"{name}(): argument 'requires_grad' must be bool, not {type(requires_grad).__name__}"
        )


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer(data: Any, shape: list, depth: int = 0) -> dtypes.dtype | None:
    """Check ``data`` is a rectangular nest of numbers; return its dtype (None if empty)."""
    if isinstance(data, (list, tuple)):
        if len(shape) <= depth:
            shape.append(len(data))
        elif shape[depth] != len(data):
            raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} "
                             f"(got {len(data)})")  # fmt: skip
        found = None
        for item in data:
            d = _infer(item, shape, depth + 1)
            found = d if found is None else dtypes.promote_types(found, d) if d else found
        return found
    if isinstance(data, Tensor):
        if data.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data.dtype
    if len(shape) > depth:
        raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth}")
    if isinstance(data, (_pybool, int, float)):
        return dtypes.scalar_dtype(data)
    if isinstance(data, str):  # PyTorch's words: its tensor() is its legacy new()
        raise TypeError("new(): invalid data type 'str'")
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _integers(data: Any, d: dtypes.dtype) -> Any:
    """``data`` (nested lists of Python numbers) converted to integer dtype ``d`` as
    PyTorch converts them: in range (an unsigned type also takes negatives down to
    ``-max``, wrapping), floats truncated, else PyTorch's RuntimeError."""
    if isinstance(data, list):
        return [_integers(v, d) for v in data]
    bits = d.itemsize * 8
    unsigned = d.name.startswith("uint")
    lo, hi = (
        (-(2**bits) + 1, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    )
    ok = math.isfinite(data) and lo <= data <= hi
    if not ok or (unsigned and isinstance(data, float) and data < 0):
        raise RuntimeError(f"value cannot be converted to type {d.name} without overflow")
    return int(data) % 2**bits if unsigned else int(data)


def _python_data(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data.item()
    if isinstance(data, (list, tuple)):
        return [_python_data(x) for x in data]
    return data


def tensor(
    data: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    *,
    backend: Any = None,
    pin_memory: bool = False,
    chunks: Any = None,
) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (nested lists of numbers, a tensor,
    or an array of any installed library). ``chunks=`` splits it into chunks on a
    backend that has them (Dask)."""
    check_requires_grad("tensor", requires_grad)
    if dtype is not None:
        factory_dtype("tensor", dtype)
    if backend is None and device is None and hasattr(data, "__array_function__"):
        backend = backend_claiming(data)  # a lazy library's array stays lazy
    target = _target_backend(backend, device)
    if isinstance(data, Tensor):
        source = data.detach()
        if dtype is not None:
            source = source.to(dtypes.resolve(dtype))
        return _finish(_copy_to(source, target), requires_grad)
    if hasattr(data, "dtype") and hasattr(data, "shape"):  # an array of some library
        array = _foreign(data, target)
        found = target.dtype_of(array)
    else:
        found = _infer(data, [])
        data = _python_data(data)
    d = dtypes.resolve(dtype) if dtype is not None else (found or dtypes.get_default_dtype())
    try:
        array = target.kernels["asarray"](data, target.native_dtype(d))
    except (OverflowError, ValueError):
        if dtype is None or d.is_floating_point or d is dtypes.bool:
            raise ValueError("Overflow when unpacking long long") from None  # beyond int64
        # PyTorch converts each number to the integer dtype asked for, or refuses it
        array = target.kernels["asarray"](_integers(data, d), target.native_dtype(d))
    array = chunked("tensor", target, target.kernels["copy"](array), chunks)
    return _finish(Tensor._make(array, d, target), requires_grad)


def chunked(name: str, target: Any, array: Any, chunks: Any) -> Any:
    """``array`` split into ``chunks`` (a factory's ``chunks=``: Dask's notation) on a
    backend with a ``rechunk`` kernel; TypeError naming the backend elsewhere."""
    if chunks is None:
        return array
    if "rechunk" not in target.kernels:
        raise TypeError(
            f"{name}() got an unexpected keyword argument 'chunks' (backend "
            f"'{target.name}' has no chunks; chunked backends: dask)"
        )
    return target.kernels["rechunk"](array, chunks)


def _foreign(data: Any, target: Any) -> Any:
    """``data``, an array of any library, as an array of ``target`` (maybe not a copy)."""
    try:
        return target.kernels["asarray"](data, None)
    except TypeError:  # e.g. a GPU array that will not convert implicitly: try DLPack
        return target.kernels["from_dlpack"](data)


def _copy_to(source: Tensor, target: Any) -> Tensor:
    """A copy of ``source``'s data on backend ``target`` (any backend; no history)."""
    if source.backend is target:
        array = target.kernels["copy"](source._storage.array)
    else:
        array = transfer(source._storage.array, source.backend, target)
    return Tensor._make(array, source.dtype, target)


def _out_of_memory(exc: Exception) -> bool:
    """Whether a library's error says the memory could not be had (NumPy: "too big";
    JAX/XLA: RESOURCE_EXHAUSTED)."""
    text = str(exc)
    return "too big" in text or "RESOURCE_EXHAUSTED" in text or "out of memory" in text


def allocate(target: Any, kernel: str, shape: tuple, d: dtypes.dtype, *extra: Any) -> Any:
    """``target.kernels[kernel](shape, *extra, dtype)``, with PyTorch's RuntimeErrors for a
    size whose byte count overflows and for memory the allocator cannot give."""
    nbytes = d.itemsize
    for n in shape:
        nbytes *= n
    if nbytes >= 2**63:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
    try:
        return target.kernels[kernel](shape, *extra, target.native_dtype(d))
    except (MemoryError, ValueError, RuntimeError) as exc:
        if not isinstance(exc, MemoryError) and not _out_of_memory(exc):
            raise
        raise RuntimeError(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't "
            f"allocate memory: you tried to allocate {nbytes} bytes. Error code 12 (Cannot "
            "allocate memory)"
        ) from None


def _filled(kernel: str, size: tuple, dtype: Any, kw: dict, *extra: Any) -> Tensor:
    shape = sizes_arg(kernel, size)
    if any(n < 0 for n in shape):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)} "
            f"(in {kernel}())"
        )
    d = factory_dtype(kernel, dtype)
    target = _target_backend(kw.pop("backend", None), kw.pop("device", None))
    requires_grad = kw.pop("requires_grad", False)
    check_requires_grad(kernel, requires_grad)
    kw.pop("layout", None), kw.pop("pin_memory", None)
    chunks = kw.pop("chunks", None)
    if kw:
        raise TypeError(f"{kernel}() got unexpected keyword arguments {sorted(kw)}")
    array = chunked(kernel, target, allocate(target, kernel, shape, d, *extra), chunks)
    return _finish(Tensor._make(array, d, target), requires_grad)


def ones(*size: Any, dtype: Any = None, **kw: Any) -> Tensor:
    return _filled("ones", size, dtype, kw)


def zeros(*size: Any, dtype: Any = None, **kw: Any) -> Tensor:
    return _filled("zeros", size, dtype, kw)


def empty(*size: Any, dtype: Any = None, **kw: Any) -> Tensor:
    return _filled("empty", size, dtype, kw)


def full(size: Any, fill_value: Any, *, dtype: Any = None, **kw: Any) -> Tensor:
    if not isinstance(size, (tuple, list)):  # unlike ``ones``, ``full`` takes no bare int
        raise TypeError(
            f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}"
        )
    expect_number("full", fill_value, "fill_value", 2)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value)
    return _filled("full", (size,), dtype, kw, fill_value)


def _like(factory: Any, input: Tensor, *extra: Any, dtype: Any = None, **kw: Any) -> Tensor:
    expect_tensor(f"{factory.__name__}_like", input)
    if extra:
        expect_number(f"{factory.__name__}_like", extra[0], "fill_value", 2)
    kw.setdefault("backend", input.backend)
    return factory(tuple(input.shape), *extra, dtype=dtype or input.dtype, **kw)


def ones_like(input: Tensor, *, dtype: Any = None, **kw: Any) -> Tensor:
    return _like(ones, input, dtype=dtype, **kw)


def zeros_like(input: Tensor, *, dtype: Any = None, **kw: Any) -> Tensor:
    return _like(zeros, input, dtype=dtype, **kw)


def empty_like(input: Tensor, *, dtype: Any = None, **kw: Any) -> Tensor:
    return _like(empty, input, dtype=dtype, **kw)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, **kw: Any) -> Tensor:
    return _like(full, input, fill_value, dtype=dtype, **kw)


def _check_numbers(fn: str, given: tuple, names: tuple, kind: str = "Number") -> None:
    """PyTorch's TypeError for a factory's numeric positionals: one argument names it
    (``names``), several make "an invalid combination" of its overloads."""
    ok = all(
        (isinstance(v, int) and not isinstance(v, _pybool))
        if kind == "int"
        else isinstance(v, (int, float)) or (isinstance(v, Tensor) and v.dim() == 0)
        for v in given
    )
    if ok:
        return
    if len(given) == len(names):
        raise TypeError(
            f"{fn}(): argument '{names[0]}' (position 1) must be {kind}, not "
            f"{type(given[0]).__name__}"
        )
    got = ", ".join(type(v).__name__ for v in given)
    raise TypeError(
        f"{fn}() received an invalid combination of arguments - got ({got}), but expected one of:"
    )


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, **kw: Any) -> Tensor:
    """Values from ``start`` (default 0) up to, not including, ``end``."""
    given = (start,) if end is None else (start, end) if step == 1 else (start, end, step)
    if end is None:
        start, end = 0, start
    _check_numbers("arange", given, ("end",))
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if dtype is None:
        numbers = (start, end, step)
        dtype = dtypes.int64 if all(isinstance(v, int) for v in numbers) else None
    d = dtypes.resolve(dtype) if dtype is not None else dtypes.get_default_dtype()
    # Computed on the host, rounded as PyTorch rounds them (see retrograd.spacing).
    return tensor(arange_values(start, end, step, d), dtype=d, **kw)


def linspace(
    start: float, end: float, steps: int = MISSING, *, dtype: Any = None, **kw: Any
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive, rounded as
    PyTorch rounds them (see :mod:`retrograd.spacing`), the same on every backend."""
    if steps is MISSING:  # PyTorch's overloads all need steps
        got = f"{type(start).__name__}, {type(end).__name__}"
        raise TypeError(
            f"linspace() received an invalid combination of arguments - got ({got}), but "
            "expected one of:"
        )
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative (in linspace())")
    d = dtypes.resolve(dtype) if dtype is not None else dtypes.get_default_dtype()
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    # Computed on the host, rounded as PyTorch rounds them (see retrograd.spacing).
    return tensor(linspace_values(start, end, steps, d), dtype=d, **kw)


public_signature(linspace)


def eye(n: int, m: int | None = None, *, dtype: Any = None, **kw: Any) -> Tensor:
    """The ``n`` x ``m`` identity matrix; ``chunks=`` splits it on a chunked backend."""
    _check_numbers("eye", (n,) if m is None else (n, m), ("n",), "int")
    for name, value in (("n", n), ("m", m)):
        if value is not None and value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    d = dtypes.resolve(dtype) if dtype is not None else dtypes.get_default_dtype()
    target = _target_backend(kw.pop("backend", None), kw.pop("device", None))
    array = target.kernels["eye"](n, n if m is None else m, target.native_dtype(d))
    array = chunked("eye", target, array, kw.pop("chunks", None))
    return _finish(Tensor._make(array, d, target), kw.pop("requires_grad", False))


def tensor_new(cls: type, *args: Any, **kwargs: Any) -> Tensor:
    """``Tensor.__new__``: ``Tensor(data)``, ``Tensor(*sizes)`` in the default dtype."""
    return legacy_new(cls, dtypes.get_default_dtype(), args, kwargs)


def legacy_new(cls: type, dtype: dtypes.dtype, args: tuple, kwargs: dict) -> Tensor:
    """PyTorch's legacy constructors: ``Tensor(data)``, ``Tensor(*sizes)``, ``Tensor()``."""
    if kwargs.get("dtype") not in (None, dtype):
        raise TypeError(f"legacy constructor for {dtype} does not take dtype=")
    kwargs = {k: v for k, v in kwargs.items() if k in ("device", "backend")}
    if not args:
        return empty(0, dtype=dtype, **kwargs)
    if len(args) == 1 and not isinstance(args[0], int):
        return tensor(args[0], dtype=dtype, **kwargs)
    return empty(*args, dtype=dtype, **kwargs)


FUNCTIONS = {
    "tensor": tensor,
    "ones": ones,
    "zeros": zeros,
    "empty": empty,
    "full": full,
    "ones_like": ones_like,
    "zeros_like": zeros_like,
    "empty_like": empty_like,
    "full_like": full_like,
    "arange": arange,
    "linspace": linspace,
    "eye": eye,
}

"""``frombuffer``: a 1-d tensor over the bytes of an object with the buffer protocol
(``bytearray``, ``array.array``, ``memoryview``, a NumPy array, ``mmap``...).

As PyTorch, the tensor shares the buffer's memory where it can: on the NumPy backend a
write through either is seen by the other. Other backends keep their arrays in memory
they own (JAX's immutable buffers, a GPU's memory, a Dask recipe), so there the tensor is
a copy of the bytes at call time. A read-only buffer (``bytes``) gets PyTorch's warning
and, unlike PyTorch, a copy: retrograd will not write to memory its owner declared
read-only.
"""

from __future__ import annotations

import warnings
from typing import Any

from . import dtypes
from .creation import _finish, _target_backend
from .tensor import Tensor

_READ_ONLY = (
    "The given buffer is not writable, and PyTorch does not support non-writable tensors. "
    "This means you can write to the underlying (supposedly non-writable) buffer using the "
    "tensor. You may want to copy the buffer to protect its data or make it writable before "
    "converting it to a tensor. This type of warning will be suppressed for the rest of this "
    "program."
)
_warned: list = []  # PyTorch warns once per process


def _byte_count(buffer: Any) -> tuple[int, bool]:
    """The buffer's length in bytes and whether it is read-only."""
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    with view:
        return view.nbytes, view.readonly


def _item_count(length: int, size: int, count: int, offset: int) -> int:
    """How many items to read, after PyTorch's checks of ``count`` and ``offset``."""
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(
            f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
            f"({length} bytes) minus 1"
        )
    if count < 0:
        if (length - offset) % size != 0:
            raise ValueError(
                f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be "
                f"a multiple of element size ({size})"
            )
        return (length - offset) // size
    if offset + count * size > length:
        raise ValueError(
            f"requested buffer length ({count} * {size} bytes) after offset ({offset} bytes) "
            f"must not be greater than actual buffer length ({length} bytes)"
        )
    return count


def frombuffer(
    buffer: Any,
    *,
    dtype: Any,
    count: int = -1,
    offset: int = 0,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """A 1-d tensor of ``count`` items of ``dtype`` (-1: all that fit) read from byte
    ``offset`` of ``buffer``, sharing its memory on the NumPy backend (a copy elsewhere,
    and of a read-only buffer)."""
    d = dtypes.resolve(dtype)
    if requires_grad and not (d.is_floating_point or d.is_complex):
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    length, read_only = _byte_count(buffer)
    n = _item_count(length, d.itemsize, count, offset)
    backend = _target_backend(kw.pop("backend", None), kw.pop("device", None))
    if kw:
        raise TypeError(f"frombuffer() got an unexpected keyword argument '{next(iter(kw))}'")
    host = backend.kernels["frombuffer"](buffer, backend.native_dtype(d), n, offset)
    if read_only:
        if not _warned:
            _warned.append(True)
            warnings.warn(_READ_ONLY, UserWarning, stacklevel=2)
        host = host.copy()
    out = Tensor._make(backend.kernels["from_numpy"](host), d, backend)
    return _finish(out, requires_grad)


FUNCTIONS = {"frombuffer": frombuffer}

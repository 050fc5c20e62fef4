"""NumPy and DLPack interop: ``from_numpy``, ``as_tensor``, ``from_dlpack``.

NumPy is retrograd's host library, but ``import retrograd`` loads no array library: an
object can only be a NumPy array once NumPy is imported, so the checks here look NumPy
up in ``sys.modules`` (:func:`numpy_types`) instead of importing it. On the NumPy
backend a tensor made from an array shares its memory, as a PyTorch CPU tensor does; on
other backends the data is copied to the backend's device.
"""

from __future__ import annotations

import sys
from typing import Any

from . import dtypes
from .creation import _target_backend, tensor
from .plugins import get_backend
from .tensor import Tensor

_SUPPORTED = (
    "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, "
    "uint32, uint16, uint8, and bool"
)
_SUPPORTED_KINDS = set("fcuib")


def numpy_types() -> tuple[type, type] | None:
    """NumPy's ``(ndarray, generic)`` when NumPy is loaded (else nothing can be one)."""
    np = sys.modules.get("numpy")
    return None if np is None else (np.ndarray, np.generic)


def is_ndarray(value: Any) -> bool:
    kinds = numpy_types()
    return kinds is not None and isinstance(value, kinds[0])


def is_numpy_scalar(value: Any) -> bool:
    kinds = numpy_types()
    return kinds is not None and isinstance(value, kinds[1])


def from_numpy(ndarray: Any) -> Tensor:
    """A tensor sharing ``ndarray``'s memory (on the NumPy backend; a copy on others),
    with PyTorch's errors for what a tensor cannot view."""
    if not is_ndarray(ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    kind = ndarray.dtype
    if kind.kind not in _SUPPORTED_KINDS or kind.itemsize > 16:
        raise TypeError(
            f"can't convert np.ndarray of type {kind.type.__module__}.{kind.type.__name__}. "
            f"The only supported types are: {_SUPPORTED}."
        )
    if not kind.isnative:
        raise ValueError(
            "given numpy array has byte order different from the native byte order. "
            "Conversion between byte orders is currently not supported."
        )
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with "
            "negative strides are not currently supported. (You can probably work around "
            "this by making a copy of your array  with array.copy().) "
        )
    backend = get_backend()
    array = backend.kernels["from_numpy"](ndarray)
    return Tensor._make(array, backend.dtype_of(array), backend)


def as_tensor(data: Any, dtype: Any = None, device: Any = None, *, backend: Any = None) -> Tensor:
    """``data`` as a tensor, without a copy where it already is one of the requested
    dtype and backend (a tensor, or a NumPy array on the NumPy backend)."""
    target = _target_backend(backend, device)
    wanted = dtypes.resolve(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        if (wanted is None or wanted is data.dtype) and data.backend is target:
            return data
        out = data.to(wanted) if wanted is not None else data
        return out if out.backend is target else tensor(out.detach(), backend=target)
    if is_ndarray(data) and target is get_backend():
        try:
            shared = from_numpy(data)
        except (TypeError, ValueError):
            shared = None
        if shared is not None:
            return shared if wanted in (None, shared.dtype) else shared.to(wanted)
    return tensor(data, dtype=dtype, backend=target)


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A tensor from any object with ``__dlpack__`` (or a DLPack capsule), sharing its
    memory where the default backend's library can (NumPy with a CPU producer)."""
    target = get_backend()
    if isinstance(ext_tensor, Tensor):
        return ext_tensor if ext_tensor.backend is target else tensor(ext_tensor.detach())
    if not hasattr(ext_tensor, "__dlpack__"):  # a bare capsule (``to_dlpack``'s result)
        ext_tensor = _Capsule(ext_tensor)
    array = target.namespace.from_dlpack(ext_tensor)
    return Tensor._make(array, target.dtype_of(array), target)


class _Capsule:
    """A DLPack capsule given the protocol's methods, for readers that take only objects
    with ``__dlpack__`` (NumPy, JAX). The capsule is taken to hold host memory: a device
    array is passed as the array itself, not as a capsule."""

    def __init__(self, capsule: Any) -> None:
        self._capsule = capsule

    def __dlpack__(self, *args: Any, **kwargs: Any) -> Any:
        return self._capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)  # kDLCPU, device 0


FUNCTIONS = {"from_numpy": from_numpy, "as_tensor": as_tensor, "from_dlpack": from_dlpack}

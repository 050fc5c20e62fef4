"""``retrograd.device``: PyTorch's device objects, mapped onto backends.

A tensor's device names its backend, in PyTorch's words where PyTorch has them:

- ``numpy``: ``device(type='cpu')``, printed ``device='cpu'``;
- ``cupy``: ``device(type='cuda', index=0)``, printed ``device='cuda:0'``;
- any other backend: a device type named after it, e.g. ``device(type='jax')``, printed
  ``device='jax'``.

Printing shows the suffix only for a tensor whose backend is not the default one.

A backend without a PyTorch device type is a device type of its own (as PyTorch's
``privateuse1`` backends are, e.g. ``'npu'``), so ``.to("cpu")`` of a JAX tensor always
means NumPy and never a no-op. Wherever PyTorch takes a device (``device=`` on factories,
``tensor.to(...)``, :func:`set_default_device`), retrograd takes ``"cpu"``, ``"cuda"``,
``"cuda:0"``, a :class:`device`, or a backend's name.
"""

from __future__ import annotations

import os
from typing import Any

from .constants import DEFAULT_BACKEND, DEVICE_BACKENDS, ENV_VAR
from .plugins import device_errors, get_backend
from .plugins.registry import UnknownBackendError, set_default_backend

_INDEXED = {"cuda"}  # device types PyTorch always shows with an index


class device:  # noqa: N801 - PyTorch's spelling
    """A device type and optional index: ``device("cpu")``, ``device("cuda", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, str) and ":" in type:
            if index is not None:
                raise RuntimeError(f"device(): type ({type}) must not include an index when "
                                   "index is given")  # fmt: skip
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if not isinstance(type, str) or not type:
            raise RuntimeError(f"Expected a device type string, got {type!r}")
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        if type not in _VALID_TYPES:
            _check_type(type)
        self.type, self.index = type, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


_VALID_TYPES = {"cpu", "cuda"}  # grows with each type checked by _check_type


def _check_type(kind: str) -> None:
    """PyTorch's RuntimeError for a device type that is neither PyTorch's nor an installed
    backend's name (``device("tpu")``)."""
    if kind not in device_errors.PYTORCH_DEVICE_TYPES:
        error = device_errors.device_error(kind, kind)
        if error is not None:
            raise error
    _VALID_TYPES.add(kind)


def device_of(backend: Any) -> device:
    """The device a backend's tensors report (see the table in the module docstring)."""
    for kind, name in DEVICE_BACKENDS.items():
        if backend.name == name:
            return device(kind, 0 if kind in _INDEXED else None)
    return device(backend.name)


def backend_name(spec: Any) -> str:
    """The backend a device spec selects: ``"cpu"`` -> numpy, ``"cuda"``/``"cuda:0"``/an
    int -> cupy, a backend name (or ``device(name)``) -> that backend."""
    if isinstance(spec, int) and not isinstance(spec, bool):
        spec = device("cuda", spec)  # PyTorch: a bare int is a CUDA device index
    if not isinstance(spec, (str, device)):
        raise TypeError(f"expected a device (str, int or retrograd.device), got {spec!r}")
    d = device(spec)
    name = DEVICE_BACKENDS.get(d.type, d.type)
    if d.index not in (None, 0):
        raise RuntimeError(
            f"device '{d}': retrograd's '{name}' backend uses one device, index 0; "
            f"use '{d.type}' or '{d.type}:0'"
        )
    return name


def backend_for_device(spec: Any) -> Any:
    """The loaded backend for a device spec (see :func:`backend_name`)."""
    name = backend_name(spec)
    try:
        return get_backend(name)
    except UnknownBackendError as exc:
        kind = "cuda" if isinstance(spec, int) else device(spec).type
        raise (device_errors.device_error(kind, name) or exc) from None


def set_default_device(spec: Any) -> None:
    """Factories create tensors on ``spec``'s backend from now on (process-wide); ``None``
    goes back to the start-up default (``$RETROGRAD_BACKEND``, else NumPy)."""
    if spec is None:
        set_default_backend(os.environ.get(ENV_VAR) or DEFAULT_BACKEND)
    else:
        set_default_backend(backend_name(spec))


def get_default_device() -> device:
    """The device factories create tensors on (that of the default backend)."""
    return device_of(get_backend())

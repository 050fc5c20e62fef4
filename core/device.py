"""``retrograd.device``: PyTorch's device objects, mapped onto backends.

``"cpu"`` is the NumPy backend and ``"cuda"``/``"cuda:N"`` the CuPy backend; a backend's
own name is accepted too. (Moving tensors between backends comes with the backends work.)
"""

from __future__ import annotations

from typing import Any

DEVICE_BACKENDS = {"cpu": "numpy", "cuda": "cupy"}


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
            index = int(idx)
        if not isinstance(type, str) or not type:
            raise RuntimeError(f"Expected a device type string, got {type!r}")
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


def device_of(backend: Any) -> device:
    """The device a backend's arrays live on (CUDA backends: device 0 for now)."""
    if backend.device_type == "cpu":
        return device("cpu")
    return device(backend.device_type, 0)


def backend_for_device(spec: Any) -> Any:
    """The backend for a device spec (``"cpu"``, ``device("cuda:0")``, or a backend name)."""
    from .plugins import get_backend

    name = str(spec)
    if name in DEVICE_BACKENDS.values() or ":" not in name and name not in DEVICE_BACKENDS:
        return get_backend(name)
    return get_backend(DEVICE_BACKENDS[device(spec).type])

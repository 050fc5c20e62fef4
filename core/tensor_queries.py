"""PyTorch's small tensor queries and helpers: ``is_conj``, ``is_neg``, ``resolve_conj``,
``resolve_neg``, ``get_device``, ``storage_offset``, ``is_inference``, ``detach`` (the
function), ``typename``.

retrograd's dtypes are real, so no tensor carries PyTorch's lazy conjugate or negative
bit: the ``is_*`` queries say ``False`` and the ``resolve_*`` functions return their
input itself, as PyTorch does for a real tensor. :func:`install` makes the methods of
Tensor.
"""

from __future__ import annotations

from typing import Any

from . import dtypes
from .arguments import expect_tensor
from .constants import HOST_BACKEND
from .plugins import get_backend
from .storage import DerivedStorage
from .tensor import Tensor


def is_conj(input: Tensor) -> bool:
    """Whether ``input``'s conjugate bit is set: never for retrograd's real dtypes."""
    expect_tensor("is_conj", input)
    return False


def is_neg(input: Tensor) -> bool:
    """Whether ``input``'s negative bit is set: never for retrograd's real dtypes."""
    expect_tensor("is_neg", input)
    return False


def resolve_conj(input: Tensor) -> Tensor:
    """``input`` with its conjugation materialized: ``input`` itself (no bit is set)."""
    expect_tensor("resolve_conj", input)
    return input


def resolve_neg(input: Tensor) -> Tensor:
    """``input`` with its negation materialized: ``input`` itself (no bit is set)."""
    expect_tensor("resolve_neg", input)
    return input


def get_device(input: Tensor) -> int:
    """The index of ``input``'s device: ``-1`` for host memory (PyTorch's CPU), else the
    device's ordinal (0 where the device names none)."""
    expect_tensor("get_device", input)
    device = input.device
    if device.type == "cpu":
        return -1
    return 0 if device.index is None else device.index


def is_inference(input: Tensor) -> bool:
    """Whether ``input`` was made in ``inference_mode`` (``torch.is_inference``)."""
    expect_tensor("is_inference", input)
    return input.is_inference()


def detach(input: Tensor) -> Tensor:
    """``input.detach()`` as a function (``torch.detach``): the same data, no history."""
    expect_tensor("detach", input)
    return input.detach()


def storage_offset(self: Tensor) -> int:
    """Where ``self``'s first element sits in its storage, in elements (0 for a tensor
    that owns its memory; a view's offset into its base)."""
    storage = self._storage
    if isinstance(storage, DerivedStorage):  # an immutable library: replay the view steps
        host = get_backend(HOST_BACKEND).kernels
        shape = tuple(storage.root.array.shape)
        size = 1
        for n in shape:
            size *= n
        positions = host["reshape"](host["arange"](0, size, 1, None), shape)
        for kernel, args in storage.steps:
            positions = host[kernel](positions, *args)
        flat = host["tolist"](host["reshape"](positions, (-1,)))
        return int(flat[0]) if flat else 0
    if storage.counter is storage:
        return 0
    address = self.backend.kernels.get("byte_address")
    if address is None:
        raise RuntimeError(
            f"storage_offset(): the {self.backend.name} backend does not say where a "
            "view's memory starts (it has no 'byte_address' kernel)"
        )
    start = address(storage.counter.array)
    return (address(storage.array) - start) // self.dtype.itemsize


def typename(obj: Any) -> str:
    """The name of ``obj``'s type as PyTorch prints it: a tensor's legacy type
    (``torch.FloatTensor``), else ``module.QualifiedName`` (builtins unqualified)."""
    if isinstance(obj, Tensor):
        return f"torch.{dtypes.kind_name(obj.dtype)}Tensor"
    kind = obj if isinstance(obj, type) else type(obj)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


# Public functions, ``torch.<name>``; all but ``typename`` are Tensor methods too.
FUNCTIONS = {
    "is_conj": is_conj,
    "is_neg": is_neg,
    "resolve_conj": resolve_conj,
    "resolve_neg": resolve_neg,
    "get_device": get_device,
    "is_inference": is_inference,
    "detach": detach,
    "typename": typename,
}
_METHODS = ("is_conj", "is_neg", "resolve_conj", "resolve_neg", "get_device")


def install(cls: type = Tensor) -> None:
    """Attach the query methods to Tensor (``storage_offset`` included)."""
    for name in _METHODS:
        setattr(cls, name, FUNCTIONS[name])
    cls.storage_offset = storage_offset  # type: ignore[attr-defined]

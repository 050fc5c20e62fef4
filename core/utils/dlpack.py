"""``retrograd.utils.dlpack``: PyTorch's ``torch.utils.dlpack`` (``to_dlpack`` and
``from_dlpack``), over the tensor's ``__dlpack__`` protocol."""

from __future__ import annotations

from typing import Any

from ..interop import from_dlpack
from ..tensor import Tensor


def to_dlpack(tensor: Tensor) -> Any:
    """A DLPack capsule of ``tensor``'s memory (consumed once, by any DLPack reader)."""
    return tensor.__dlpack__()


__all__ = ["from_dlpack", "to_dlpack"]

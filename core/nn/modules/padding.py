"""The padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad``
and ``CircularPad``, each 1d, 2d and 3d, as PyTorch's (an int pads every side by it)."""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from ..windows import ntuple


class _PadNd(Module):
    """Shared by the padding layers: ``mode`` names ``F.pad``'s mode, ``sides`` the count
    of amounts (two per padded dim)."""

    mode = "constant"
    sides = 2

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = ntuple(padding, self.sides)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        dims = self.sides // 2
        if input.dim() not in (dims + 1, dims + 2):
            raise ValueError(
                f"expected {dims + 1}D or {dims + 2}D input (got {input.dim()}D input)"
            )
        return super().forward(input)


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    sides = 2


class ConstantPad2d(_ConstantPadNd):
    sides = 4


class ConstantPad3d(_ConstantPadNd):
    sides = 6


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    sides = 2


class ZeroPad2d(_ZeroPadNd):
    sides = 4


class ZeroPad3d(_ZeroPadNd):
    sides = 6


class ReflectionPad1d(_PadNd):
    mode, sides = "reflect", 2


class ReflectionPad2d(_PadNd):
    mode, sides = "reflect", 4


class ReflectionPad3d(_PadNd):
    mode, sides = "reflect", 6


class ReplicationPad1d(_PadNd):
    mode, sides = "replicate", 2


class ReplicationPad2d(_PadNd):
    mode, sides = "replicate", 4


class ReplicationPad3d(_PadNd):
    mode, sides = "replicate", 6


class CircularPad1d(_CircularPadNd):
    sides = 2


class CircularPad2d(_CircularPadNd):
    sides = 4


class CircularPad3d(_CircularPadNd):
    sides = 6

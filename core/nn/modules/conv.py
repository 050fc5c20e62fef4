"""``Conv1d``, ``Conv2d``, ``Conv3d`` with PyTorch's arguments, default initialization
and repr; non-zero ``padding_mode``s pad with ``F.pad`` first, as PyTorch does."""

from __future__ import annotations

import math
from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..convolution import same_pad_amounts
from ..module import Module
from ..windows import ntuple
from ._weights import add_weight_and_bias

PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


class _ConvNd(Module):
    """A convolution layer; a transposed one (``_transposed``) has its weight as
    ``(in_channels, out_channels / groups, *kernel_size)``."""

    _dims = 0
    _function: Any = None
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        n = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(
                f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
            )
        if padding == "same" and any(s != 1 for s in ntuple(stride, n)):
            raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {PADDING_MODES}, but got "
                f"padding_mode='{padding_mode}'"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = ntuple(kernel_size, n), ntuple(stride, n)
        self.padding = padding if isinstance(padding, str) else ntuple(padding, n)
        self.dilation, self.output_padding = ntuple(dilation, n), (0,) * n
        self.transposed, self.groups, self.padding_mode = self._transposed, groups, padding_mode
        if self._transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        add_weight_and_bias(self, shape, out_channels, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _mode_padding(self) -> list[int]:
        if self.padding == "same":
            return same_pad_amounts(self.kernel_size, self.dilation)
        if self.padding == "valid":
            return [0, 0] * self._dims
        return [p for a in reversed(self.padding) for p in (a, a)]

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode == "zeros":
            return type(self)._function(
                input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
            )
        padded = F.pad(input, self._mode_padding(), mode=self.padding_mode)
        return type(self)._function(
            padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups
        )

    def extra_repr(self) -> str:
        n = self._dims
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-d convolution (cross-correlation) over ``(N, C, L)``."""

    _dims, _function = 1, staticmethod(F.conv1d)


class Conv2d(_ConvNd):
    """2-d convolution (cross-correlation) over ``(N, C, H, W)``."""

    _dims, _function = 2, staticmethod(F.conv2d)


class Conv3d(_ConvNd):
    """3-d convolution (cross-correlation) over ``(N, C, D, H, W)``."""

    _dims, _function = 3, staticmethod(F.conv3d)

"""``ConvTranspose1d``, ``ConvTranspose2d``, ``ConvTranspose3d``: PyTorch's arguments,
initialization and repr, and ``forward(input, output_size=None)``, where a requested
output size picks the output padding."""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from ..windows import ntuple
from .conv import _ConvNd


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
            padding_mode, device, dtype,
        )  # fmt: skip
        self.output_padding = ntuple(output_padding, self._dims)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple:
        """The output padding that gives ``output_size`` (its spatial sizes, or the whole
        shape), which must lie within the sizes a stride's worth of padding can reach."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        lead = 2 if input.dim() == n + 2 else 1
        sizes = list(output_size)
        if len(sizes) == lead + n:
            sizes = sizes[lead:]
        if len(sizes) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.dim()}D input, output_size must have {n} "
                f"or {lead + n} elements (got {len(sizes)})"
            )
        smallest = [
            (input.shape[lead + d] - 1) * self.stride[d] - 2 * self.padding[d]
            + self.dilation[d] * (self.kernel_size[d] - 1) + 1
            for d in range(n)
        ]  # fmt: skip
        largest = [m + s - 1 for m, s in zip(smallest, self.stride)]
        if any(not lo <= size <= hi for size, lo, hi in zip(sizes, smallest, largest)):
            raise ValueError(
                f"requested an output size of {output_size}, but valid sizes range from "
                f"{smallest} to {largest} (for an input of {input.shape[lead:]})"
            )
        return tuple(size - lo for size, lo in zip(sizes, smallest))

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        output_padding = self._output_padding(input, output_size)
        return type(self)._function(
            input, self.weight, self.bias, self.stride, self.padding, output_padding,
            self.groups, self.dilation,
        )  # fmt: skip


class ConvTranspose1d(_ConvTransposeNd):
    """The transposed 1-d convolution over ``(N, C, L)``: the gradient of ``Conv1d``
    w.r.t. its input."""

    _dims, _function = 1, staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """The transposed 2-d convolution over ``(N, C, H, W)``."""

    _dims, _function = 2, staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """The transposed 3-d convolution over ``(N, C, D, H, W)``."""

    _dims, _function = 3, staticmethod(F.conv_transpose3d)

"""The arithmetic of sliding windows over the spatial dims of ``(N, C, *spatial)``
tensors (argument tuples, output lengths), shared by convolution and pooling; the windows
themselves are :func:`retrograd.ops.im2col.windows`."""

from __future__ import annotations

from typing import Any


def ntuple(value: Any, n: int) -> tuple:
    """``value`` repeated ``n`` times, or ``value`` itself if it is already a sequence."""
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * n


def out_size(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil: bool) -> int:
    """PyTorch's output length: floor (or ceil) of ``(size + 2 pad - span) / stride`` + 1,
    where in ceil mode the last window must start inside the input or left padding."""
    span = dilation * (kernel - 1) + 1
    numerator = size + 2 * pad - span
    n = (-(-numerator // stride) if ceil else numerator // stride) + 1
    if ceil and (n - 1) * stride >= size + pad:
        n -= 1
    return n

"""Sliding windows over the spatial dims of ``(N, C, *spatial)`` tensors, built from
strided slices (each differentiable), shared by convolution and pooling."""

from __future__ import annotations

import itertools
from typing import Any

from ..ops.joining import stack
from ..tensor import Tensor


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


def windows(x: Tensor, kernel: tuple, stride: tuple, dilation: tuple, out: tuple) -> Tensor:
    """``(N, C, K, *out)``: for each kernel offset (row-major order, K of them), the
    input strided by ``stride`` from that offset. ``x`` is already padded."""
    lead = (slice(None), slice(None))
    views = []
    for offset in itertools.product(*(range(k) for k in kernel)):
        index = tuple(
            slice(o * d, o * d + s * (n - 1) + 1, s)
            for o, d, s, n in zip(offset, dilation, stride, out)
        )
        views.append(x[lead + index])
    return stack(views, 2)

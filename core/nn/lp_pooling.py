"""``lp_pool1d/2d/3d``: the ``p``-norm of each window, composed as PyTorch composes it
(average pooling of ``x ** p``, times the window size, to the power ``1 / p``: its graph
ends ``PowBackward0 <- MulBackward0``)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .pooling import avg_pool1d, avg_pool2d, avg_pool3d
from .windows import ntuple


def _root(out: Tensor, window: int, norm_type: float) -> Tensor:
    """``(sign(out) * relu(|out|) * window) ** (1 / norm_type)``, PyTorch's finish."""
    return (out.sign() * out.abs().relu()).mul(window).pow(1.0 / norm_type)


def lp_pool1d(
    input: Tensor, norm_type: float, kernel_size: int, stride: Any = None, ceil_mode: bool = False
) -> Tensor:
    """``(sum over each window of x ** p) ** (1 / p)`` along the last dim."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _root(out, kernel_size, norm_type)


def lp_pool2d(
    input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
) -> Tensor:
    """``(sum over each window of x ** p) ** (1 / p)`` over the last two dims."""
    kw, kh = ntuple(kernel_size, 2)
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _root(out, kw * kh, norm_type)


def lp_pool3d(
    input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
) -> Tensor:
    """``(sum over each window of x ** p) ** (1 / p)`` over the last three dims."""
    kd, kw, kh = ntuple(kernel_size, 3)
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _root(out, kd * kw * kh, norm_type)

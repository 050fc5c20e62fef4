"""``CrossMapLRN2d``'s computation: PyTorch's legacy (Lua Torch) cross-channel local
response normalization, as the custom autograd Function PyTorch runs.

``scale = k + alpha / size * (sum of squares over a window of channels)`` and
``output = input * scale ** -beta``. The windows are those PyTorch's running sum gives
(it never takes channel 0 back out, so channel 0 stays in every window past the
first ones), and the backward is PyTorch's hand-written formula, which is not the
exact derivative of that forward: both are reproduced, so values and gradients are
PyTorch's. Each window is a 0/1 (or count) matrix over the channels applied with
``einsum``, so it runs in retrograd ops on every backend.
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..ops.einsum import einsum
from ..tensor import Tensor


def _forward_windows(channels: int, size: int) -> list[list[int]]:
    """Row ``c``: how many times each channel's square enters ``scale[c]`` in PyTorch's
    running sum (add the next channel, drop the one ``pre_pad`` back after ``pre_pad``)."""
    pre_pad = int((size - 1) / 2 + 1)
    current = [0] * channels
    for c in range(min(pre_pad, channels)):
        current[c] += 1
    rows = [current[:]]
    for c in range(1, channels):
        if c < channels - pre_pad + 1:
            current[c + pre_pad - 1] += 1
        if c > pre_pad:
            current[c - pre_pad] -= 1
        rows.append(current[:])
    return rows


def _backward_windows(channels: int, size: int) -> list[list[int]]:
    """Row ``c``: the channels whose ratio PyTorch's backward sums for channel ``c``
    (those ``d`` with ``c - pre <= d <= c + size - 1 - pre``, ``pre`` its inverse pre-pad)."""
    inverse_pre_pad = int(size - (size - 1) / 2)
    if inverse_pre_pad + channels > channels + size - 1:  # PyTorch's narrow() fails so
        raise RuntimeError(
            f"start ({inverse_pre_pad}) + length ({channels}) exceeds dimension size "
            f"({channels + size - 1})."
        )
    low = [c - inverse_pre_pad for c in range(channels)]
    return [[int(lo <= d <= lo + size - 1) for d in range(channels)] for lo in low]


def _over_channels(weights: list[list[int]], x: Tensor) -> Tensor:
    """``sum_d weights[c][d] * x[:, d]`` for every channel ``c`` of ``x`` (N, C, H, W)."""
    return einsum("cd,ndhw->nchw", x.new_tensor(weights), x)


class CrossMapLRN2d(Function):
    """PyTorch's ``torch.nn.modules._functions.CrossMapLRN2d`` (``grad_fn`` name
    ``CrossMapLRN2dBackward``)."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, size: int, alpha: float = 1e-4,
                beta: float = 0.75, k: float = 1) -> Tensor:  # fmt: skip
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        windows = _forward_windows(input.size(1), size)
        scale = _over_channels(windows, input.pow(2)) * (alpha / size) + k
        output = scale.pow(-beta) * input
        ctx.size, ctx.alpha, ctx.beta, ctx.scale = size, alpha, beta, scale
        ctx.save_for_backward(input, output)
        return output

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple:
        input, output = ctx.saved_tensors
        windows = _backward_windows(input.size(1), ctx.size)
        ratio = grad_output * output / ctx.scale
        cache_ratio_value = 2 * ctx.alpha * ctx.beta / ctx.size
        grad_input = ctx.scale.pow(-ctx.beta) * grad_output
        grad_input = grad_input - cache_ratio_value * input * _over_channels(windows, ratio)
        return grad_input, None, None, None, None

"""``linear``: ``input @ weight.T + bias``, recorded as PyTorch records it (its own module
so that the layers composed from it, attention among them, import it below
``nn.functional``)."""

from __future__ import annotations

from typing import Any

from ..ops.linalg import addmm
from ..tensor import Tensor


def linear(input: Tensor, weight: Tensor, bias: Any = None) -> Tensor:
    """``input @ weight.T + bias``, recorded as PyTorch records it (``AddmmBackward0``
    over ``TBackward0``; batched inputs are viewed as one matrix first)."""
    if input.dim() == 0 or input.shape[-1] != weight.shape[-1]:
        rows = input.numel() // input.shape[-1] if input.dim() and input.shape[-1] else 1
        last = input.shape[-1] if input.dim() else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{last} and "
            f"{weight.shape[-1]}x{weight.shape[0]})"
        )
    if bias is None:
        return input.matmul(weight.t())
    if input.dim() == 2:
        return addmm(bias, input, weight.t())
    rows = input.reshape(-1, input.shape[-1])
    return addmm(bias, rows, weight.t()).view(*input.shape[:-1], weight.shape[0])

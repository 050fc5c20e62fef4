"""``embedding`` and ``one_hot``."""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..creation import arange
from ..ops.elementwise import where
from ..tensor import Tensor


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: Any = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` at the indices ``input``; the row ``padding_idx`` gets no
    gradient."""
    if input.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got torch.{dtypes.kind_name(input.dtype)}Tensor instead "
            "(while checking arguments for embedding)"
        )
    if input.numel() and (bool((input < 0).any()) or bool((input >= weight.shape[0]).any())):
        raise IndexError("index out of range in self")
    rows = weight[input]
    if padding_idx is None:
        return rows
    if padding_idx < 0:
        padding_idx += weight.shape[0]
    keep = (input != padding_idx).unsqueeze(-1)
    return where(keep, rows, weight.detach()[input])


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``(..., num_classes)`` int64: 1 at each element's class, else 0."""
    if tensor.dtype is not dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() and bool((tensor < 0).any()):
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(tensor.max().item()) + 1 if tensor.numel() else 0
    elif tensor.numel() and int(tensor.max().item()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    classes = arange(num_classes, backend=tensor.backend)
    return (tensor.unsqueeze(-1) == classes).to(dtypes.int64)

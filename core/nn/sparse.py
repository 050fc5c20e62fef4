"""``embedding`` and ``one_hot``."""

from __future__ import annotations

from functools import partial
from typing import Any

from .. import dtypes
from ..creation import arange
from ..grad_mode import no_grad
from ..ops.elementwise import where
from ..ops.embedding_lookup import lookup
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
    """Rows of ``weight`` at the indices ``input`` (one ``EmbeddingBackward0`` node); the
    row ``padding_idx`` gets no gradient, and with ``scale_grad_by_freq`` each row's
    gradient is divided by how often ``input`` names it. ``sparse`` gradients do not
    exist in retrograd: the gradient is dense either way."""
    if input.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got torch.{dtypes.kind_name(input.dtype)}Tensor instead "
            "(while checking arguments for embedding)"
        )
    if input.numel():
        input = _checked_rows(input, weight.shape[0])
    if max_norm is not None:
        renorm_rows(weight, input, max_norm, norm_type)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    return lookup(weight, input, padding_idx, scale_grad_by_freq)


def renorm_rows(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale, in place and unrecorded, each row ``input`` refers to whose
    ``norm_type``-norm exceeds ``max_norm`` down to ``max_norm`` (PyTorch's
    ``embedding_renorm_``, with its 1e-7 in the denominator)."""
    with no_grad():
        index = input.reshape(-1)
        rows = weight[index]
        norms = rows.norm(norm_type, 1, keepdim=True)
        scale = where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[index] = rows * scale


def _checked_rows(input: Tensor, rows: int) -> Tensor:
    """``input`` with embedding's range check attached (``checked``: a lazy backend
    raises when the rows are computed)."""
    k, array = input._backend.kernels, input._storage.array
    checked = k["checked"](array, partial(_row_error, rows), k["min"](array), k["max"](array))
    return input if checked is array else Tensor._make(checked, input.dtype, input._backend)


def _row_error(rows: int, low: int, high: int) -> None:
    if low < 0 or high >= rows:
        raise IndexError("index out of range in self")


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

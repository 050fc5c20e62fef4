"""``embedding``'s one node (PyTorch's ``EmbeddingBackward0``): the rows of a weight
``(num_weights, D)`` at integer indices of any shape, ``(*indices.shape, D)``.

The gradient sends each output row's gradient back to the weight row it was read from
(rows read several times add up), except that the row ``padding_idx`` gets none, and
with ``scale_grad_by_freq`` each row's gradient is divided by how often the indices
name it. That gradient is a node too (``EmbeddingDenseBackwardBackward0``), whose own
gradient is PyTorch's: the rows read back, without the frequency scaling.
"""

from __future__ import annotations

from typing import Any

from ..creation import zeros
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .record import INDEXING, OpRecord


def _weight_grad(
    g: Tensor, indices: Tensor, num_weights: int, padding_idx: Any, scale_grad_by_freq: bool
) -> Tensor:
    """The weight's gradient, as PyTorch's one ``EmbeddingDenseBackwardBackward0`` node."""
    with no_grad():
        out = _dense_backward(g, indices, num_weights, padding_idx, scale_grad_by_freq)
    params = {"indices": indices, "num_weights": num_weights, "padding_idx": padding_idx,
              "scale_grad_by_freq": scale_grad_by_freq}  # fmt: skip
    return finish(DENSE_BACKWARD, out._storage.array, g.dtype, g._backend, (g,), params)


def _dense_backward(
    g: Tensor, indices: Tensor, num_weights: int, padding_idx: Any, scale_grad_by_freq: bool
) -> Tensor:
    flat = indices.reshape(-1)
    rows = g.reshape(flat.shape[0], g.shape[-1])
    if padding_idx is not None:
        rows = rows * (flat != padding_idx).unsqueeze(1).to(g.dtype)
    if scale_grad_by_freq:
        ones = zeros(flat.shape[0], dtype=g.dtype, backend=g.backend) + 1
        counts = zeros(num_weights, dtype=g.dtype, backend=g.backend).index_add(0, flat, ones)
        rows = rows / counts[flat].unsqueeze(1)
    out = zeros(num_weights, g.shape[-1], dtype=g.dtype, backend=g.backend)
    return out.index_add(0, flat, rows)


def _regathered(gg: Tensor, indices: Tensor, num_weights: int, padding_idx: Any,
                scale_grad_by_freq: bool) -> Tensor:  # fmt: skip
    """The gradient's own gradient, as PyTorch computes it: the rows read back, zero at
    the padding row, and not divided by the rows' counts (PyTorch leaves
    ``scale_grad_by_freq`` out here)."""
    rows = _rows(gg, indices)
    if padding_idx is None:
        return rows
    return rows * (indices != padding_idx).unsqueeze(-1).to(gg.dtype)


def _rows(weight: Tensor, indices: Tensor) -> Tensor:
    """``weight[indices]``, read as an index array even where ``indices`` is 0-d (an
    integer index would read its value on the host: a lazy backend would compute)."""
    picked = weight.index_select(0, indices.reshape(-1))
    return picked.reshape(*indices.shape, weight.shape[-1])


EMBEDDING = OpRecord(
    "_embedding",
    INDEXING,
    "EmbeddingBackward0",
    "getitem",
    inputs=("weight",),
    save=("indices", "num_weights", "padding_idx", "scale_grad_by_freq"),
    grads=(_weight_grad,),
    # Forward mode: the lookup is linear in the weight, so the tangent is the same lookup.
    jvp=lambda us, out, indices, num_weights, padding_idx, scale: _rows(us[0], indices),
    method=False,
    smooth=False,
    doc="the rows of weight (num_weights, D) at integer indices: (*indices.shape, D)",
)
DENSE_BACKWARD = OpRecord(
    "_embedding_dense_backward",
    INDEXING,
    "EmbeddingDenseBackwardBackward0",
    "index_add",
    inputs=("grad",),
    save=("indices", "num_weights", "padding_idx", "scale_grad_by_freq"),
    grads=(_regathered,),
    # Forward mode: linear in the gradient.
    jvp=lambda us, out, *saved: _dense_backward(us[0], *saved),
    method=False,
    smooth=False,
    doc="embedding's gradient w.r.t. its weight: the rows' gradients summed per row",
)
RECORDS = (EMBEDDING, DENSE_BACKWARD)


def lookup(
    weight: Tensor, indices: Tensor, padding_idx: int | None, scale_grad_by_freq: bool
) -> Tensor:
    """``weight[indices]`` as one ``EmbeddingBackward0`` node (``padding_idx`` already
    non-negative, or None)."""
    with no_grad():
        rows = _rows(weight, indices)
    params = {
        "indices": indices,
        "num_weights": weight.shape[0],
        "padding_idx": padding_idx,
        "scale_grad_by_freq": bool(scale_grad_by_freq),
    }
    return finish(EMBEDDING, rows._storage.array, weight.dtype, weight._backend, (weight,), params)

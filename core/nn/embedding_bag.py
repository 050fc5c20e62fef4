"""``F.embedding_bag`` (and the four results of ``torch.embedding_bag``): the sum, mean or
max of the embedding rows named by each bag of indices, as one ``EmbeddingBagBackward0``
node (:mod:`retrograd.ops.embedding_bag`).

Bags: a 2-d input ``(B, L)`` is B bags of L indices; a 1-d input is cut into bags at
``offsets`` (each bag's start; with ``include_last_offset`` the last offset is not a bag
of its own, and the last bag runs to the input's end, as in PyTorch's CPU kernel).
Entries equal to ``padding_idx`` are left out of their bag (and out of its size, for the
mean); an empty bag gives zeros.
``per_sample_weights`` (sum mode only) scales each entry. The argument checks and their
words are PyTorch's, in its order."""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..creation import tensor
from ..ops.embedding_bag import embedding_bag_op
from ..tensor import Tensor
from .sparse import renorm_rows

MODES = ("sum", "mean", "max")


def _flattened(input: Tensor, offsets: Any, per_sample_weights: Any) -> tuple:
    """``(indices, offsets, per_sample_weights)`` with a 2-d input made 1-d (one bag per
    row), after PyTorch's Python-level checks."""
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{_type_name(offsets)}"
            )
        starts = list(range(0, input.numel(), input.shape[1])) if input.shape[1] else []
        if not input.shape[1]:
            starts = [0] * input.shape[0]
        psw = None if per_sample_weights is None else per_sample_weights.reshape(-1)
        return input.reshape(-1), starts, psw
    if input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        return input, [int(v) for v in offsets.tolist()], per_sample_weights
    raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")


def _type_name(value: Any) -> str:
    cls = type(value)
    module = "torch" if isinstance(value, Tensor) else cls.__module__
    return f"<class '{module}.{cls.__name__}'>"


def _check_offsets(starts: list[int], length: int) -> None:
    if starts and starts[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {starts[0]}"
        )
    if starts and starts[-1] > length:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {length} but got "
            f"offsets[-1] of {starts[-1]}"
        )


def _padding(padding_idx: Any, rows: int) -> int | None:
    """``padding_idx`` as a row number (None: no padding), PyTorch's range check."""
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise RuntimeError(
            f"padding_idx must be within the number of embeddings, -{rows} through {rows - 1}, "
            f"but got {padding_idx}"
        )
    return padding_idx + rows if padding_idx < 0 else padding_idx


def _check_indices(indices: Tensor, rows: int) -> None:
    """PyTorch's two range checks: a negative index first (by position), then one past
    the rows."""
    if not indices.numel():
        return
    values = [int(v) for v in indices.tolist()]
    for i, v in enumerate(values):
        if v < 0:
            raise RuntimeError(
                f"Index {i} of input takes value {v} which is not in the valid range [0, {rows})"
            )
    for v in values:
        if v >= rows:
            raise RuntimeError(
                f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be {v}"
            )


class _Layout:
    """The bags of one call: per entry its bag (``bags``) and scale (0 for padding and
    for entries past the last bag, ``1 / size`` in mean mode, else 1); per bag its size
    (entries kept) and, for the max, its entry positions (``table``, -1 padded)."""

    def __init__(self, indices: Tensor, starts: list[int], last_is_end: bool, mode: str,
                 padding: int | None) -> None:  # fmt: skip
        length = indices.shape[0]
        # With include_last_offset, PyTorch's CPU kernel still ends the last bag at the
        # input's end, whatever the last offset says: so do we.
        starts = starts[:-1] if last_is_end else starts
        ends = [*starts[1:], length]
        self.count = len(starts)
        kept = [True] * length
        if padding is not None:
            kept = [v != padding for v in indices.tolist()]
        bag_of = [0] * length
        members: list[list[int]] = []
        for b, (start, end) in enumerate(zip(starts, ends)):
            mine = [j for j in range(start, min(end, length)) if kept[j]]
            members.append(mine)
            for j in range(start, min(end, length)):
                bag_of[j] = b
        covered = {j for mine in members for j in mine}
        self.sizes = [len(mine) for mine in members]
        scale = [
            (1.0 / self.sizes[bag_of[j]] if mode == "mean" else 1.0) if j in covered else 0.0
            for j in range(length)
        ]
        backend = indices.backend
        self.bags = tensor(bag_of, dtype=dtypes.int64, backend=backend)
        self.scale = scale
        longest = max([1, *self.sizes])
        rows = [mine + [-1] * (longest - len(mine)) for mine in members]
        flat = [position for row in rows for position in row]
        self.table = tensor(flat, dtype=dtypes.int64, backend=backend).reshape(self.count, longest)


def embedding_bag_results(
    weight: Tensor,
    input: Tensor,
    offsets: Any,
    mode: str,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The bags' reductions (one node) with ATen's other three results: each entry's bag
    (``offset2bag``), each bag's size, and in max mode the row picked per bag and feature
    (in mean mode the bag sizes again; in sum mode both are zeros, as PyTorch's CPU
    kernel returns them)."""
    input, starts, per_sample_weights = _flattened(input, offsets, per_sample_weights)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    padding = _padding(padding_idx, weight.shape[0])
    _check_offsets(starts, input.shape[0])
    _check_indices(input, weight.shape[0])
    indices = input.to(dtypes.int64)
    layout = _Layout(indices, starts, include_last_offset, mode, padding)
    scale = tensor(layout.scale, dtype=weight.dtype, backend=weight.backend)
    out, picked = embedding_bag_op(
        weight, per_sample_weights, indices, layout.bags, scale, layout.table, layout.count, mode
    )
    sizes = tensor(layout.sizes, dtype=dtypes.int64, backend=weight.backend)
    if mode == "sum":  # PyTorch's CPU kernel leaves both at zero in sum mode
        sizes = sizes * 0
    return out, layout.bags, sizes, sizes if picked is None else picked


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """``(B, D)``: per bag of ``input``'s indices, the sum, mean or max of ``weight``'s
    rows (``EmbeddingBagBackward0``). ``max_norm`` first renormalizes, in place, the rows
    named whose norm exceeds it. ``scale_grad_by_freq`` and ``sparse`` are accepted and
    ignored (gradients are dense)."""
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not "
            f"None, then it must have the same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() not in (1, 2):
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if input.dim() == 2 and offsets is not None:
        _flattened(input, offsets, None)  # PyTorch's error, before the mode's
    if mode not in MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if max_norm is not None:
        renorm_rows(weight, input, max_norm, norm_type)
    out = embedding_bag_results(
        weight, input, offsets, mode, per_sample_weights, include_last_offset, padding_idx
    )
    return out[0]

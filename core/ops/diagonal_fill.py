"""``Tensor.fill_diagonal_``: the main diagonal (all indices equal) written with a number,
in place; for a tall matrix ``wrap=True`` starts the diagonal again every ``width + 1``
rows, as PyTorch's (which writes through a strided view of the memory: its node is
``CopySlices``).

A contiguous tensor is written through a strided view of its flat form (so the node is
PyTorch's ``CopySlices`` too); another layout through an index of the diagonal.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..creation import arange
from ..tensor import Tensor
from .helpers import check_tensor


def _positions(input: Tensor, wrap: bool) -> tuple[int, int]:
    """The flat step between diagonal elements and where the written run stops."""
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and any(n != shape[0] for n in shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    step, inner = 0, 1
    for n in reversed(shape):
        step += inner
        inner *= n
    size = min(shape)
    height, width = shape[0], shape[1]
    if wrap and len(shape) == 2 and height > width + 1:
        return step, input.numel()
    return step, size * step - (step - 1) if size else 0


def fill_diagonal_(input: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """Write ``fill_value`` on ``input``'s main diagonal, in place; returns ``input``."""
    check_tensor("fill_diagonal_", input)
    step, stop = _positions(input, wrap)
    if input.is_contiguous():
        input.view(-1)[0:stop:step] = fill_value
        return input
    index = arange(min(input.shape), dtype=dtypes.int64, backend=input._backend)
    input[(index,) * input.dim()] = fill_value
    return input


METHODS = {"fill_diagonal_": fill_diagonal_}

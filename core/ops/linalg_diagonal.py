"""``retrograd.linalg.diagonal``: ``diagonal`` over the last two dims by default (its
keyword-only ``offset``, ``dim1``, ``dim2``), a view recorded as ``DiagonalBackward0``."""

from __future__ import annotations

from ..tensor import Tensor
from .diagonals import diagonal as _diagonal
from .helpers import check_tensor


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803 - PyTorch's name
    """The diagonals of a batch of matrices ``A`` (over ``dim1`` and ``dim2``, the last
    two by default), shifted by ``offset``: a view, that dimension last."""
    check_tensor("linalg_diagonal", A, "A")
    return _diagonal(A, offset, dim1, dim2)


diagonal.__qualname__ = "linalg_diagonal"  # Python's argument errors name it as PyTorch's do

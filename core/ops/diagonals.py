"""Diagonals and scattered writes: ``diagonal`` (a view), ``diagonal_copy``, ``diag``,
``diagflat``, and ``diagonal_scatter``/``select_scatter``/``slice_scatter``.

``diagonal`` is a view (``DiagonalBackward0``) through the ``diagonal`` view kernel; the
scatters are records of their own (``DiagonalScatterBackward0``, ...) that write into a
copy through the ``setitem`` kernel. Each pair is the other's gradient, as in PyTorch,
so higher orders work. ``diag`` and ``diagflat`` are composed as PyTorch composes them:
a vector's ``diag`` is ``diag_embed`` (``DiagEmbedBackward0``), a matrix's is
``diagonal_copy`` (PyTorch's node: ``DiagonalBackward0_copy``), and ``diagflat`` is a
``diag_embed`` of the flattened input.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..batching_rules import writable_copy
from ..tensor import Tensor, _wrap_dim
from .dispatch import array_of, finish
from .helpers import check_tensor, zeros_on
from .record import SHAPE, OpRecord, composite
from .shape import _view_result
from .shape_more import diag_embed
from .stacking import ravel


def _diagonal_grad(g: Tensor, shape: tuple, offset: int, dim1: int, dim2: int) -> Tensor:
    return diagonal_scatter(zeros_on(g, shape), g, offset, dim1, dim2)


DIAGONAL = OpRecord(
    "diagonal", SHAPE, "DiagonalBackward0", "diagonal",
    save=("self.shape", "offset", "dim1", "dim2"), grads=(_diagonal_grad,),
    jvp=lambda us, out, shape, offset, dim1, dim2: us[0].diagonal(offset, dim1, dim2),
)  # fmt: skip
DIAGONAL_COPY = OpRecord(
    "diagonal_copy", SHAPE, "DiagonalBackward0_copy", "diagonal",
    save=("self.shape", "offset", "dim1", "dim2"), grads=(_diagonal_grad,), method=False,
)  # fmt: skip
DIAGONAL_SCATTER = OpRecord(
    "diagonal_scatter", SHAPE, "DiagonalScatterBackward0", "setitem", inputs=("self", "src"),
    save=("src.shape", "offset", "dim1", "dim2"),
    grads=(
        lambda g, shape, offset, d1, d2: diagonal_scatter(g, zeros_on(g, shape), offset, d1, d2),
        lambda g, shape, offset, d1, d2: g.diagonal(offset, d1, d2),
    ),
)  # fmt: skip
SELECT_SCATTER = OpRecord(
    "select_scatter", SHAPE, "SelectScatterBackward0", "setitem", inputs=("self", "src"),
    save=("src.shape", "dim", "index"),
    grads=(
        lambda g, shape, dim, index: select_scatter(g, zeros_on(g, shape), dim, index),
        lambda g, shape, dim, index: g.select(dim, index),
    ),
)  # fmt: skip
SLICE_SCATTER = OpRecord(
    "slice_scatter", SHAPE, "SliceScatterBackward0", "setitem", inputs=("self", "src"),
    save=("src.shape", "dim", "start", "end", "step"),
    grads=(
        lambda g, shape, dim, start, end, step: slice_scatter(
            g, zeros_on(g, shape), dim, start, end, step
        ),
        lambda g, shape, dim, start, end, step: g[_slice_key(dim, start, end, step)],
    ),
)  # fmt: skip
RECORDS = (DIAGONAL, DIAGONAL_COPY, DIAGONAL_SCATTER, SELECT_SCATTER, SLICE_SCATTER)


def _diagonal_dims(input: Tensor, dim1: int, dim2: int) -> tuple[int, int]:
    n = input.dim()
    d1, d2 = _wrap_dim(dim1, n, "diagonal"), _wrap_dim(dim2, n, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """A view of the diagonal at ``offset`` (> 0: above the main one) between ``dim1``
    and ``dim2``, which are removed; the diagonal is the last dimension."""
    check_tensor("diagonal", input)
    d1, d2 = _diagonal_dims(input, dim1, dim2)
    params = {"offset": offset, "dim1": d1, "dim2": d2}
    return _view_result(DIAGONAL, input, "diagonal", (offset, d1, d2), params)


@composite(method=False)
def diagonal_copy(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """:func:`diagonal`, copied (not a view)."""
    check_tensor("diagonal_copy", input)
    d1, d2 = _diagonal_dims(input, dim1, dim2)
    k = input._backend.kernels
    out = k["copy"](k["diagonal"](input._storage.array, offset, d1, d2))
    params = {"offset": offset, "dim1": d1, "dim2": d2}
    return finish(DIAGONAL_COPY, out, input._dtype, input._backend, (input,), params)


@composite()
def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A vector's square matrix with it on diagonal ``diagonal``, or a matrix's diagonal
    ``diagonal`` (a copy)."""
    check_tensor("diag", input)
    if input.dim() == 1:
        return diag_embed(input, diagonal)
    if input.dim() != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")
    return diagonal_copy(input, diagonal)


@composite()
def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened input on diagonal ``offset`` of a square matrix."""
    check_tensor("diagflat", input)
    return diag_embed(ravel(input), offset)


def _diagonal_positions(k: Any, backend: Any, shape: tuple, offset: int) -> tuple:
    """The rows and columns (int64 arrays) of diagonal ``offset`` of a ``shape`` matrix."""
    row0, col0 = max(-offset, 0), max(offset, 0)
    n = max(0, min(shape[0] - row0, shape[1] - col0))
    native = backend.native_dtype(dtypes.int64)
    return k["arange"](row0, row0 + n, 1, native), k["arange"](col0, col0 + n, 1, native)


def _expected_src(src: Tensor, want: tuple) -> None:
    if tuple(src.shape) != tuple(want):
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(want)}"
        )


def diagonal_scatter(
    input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1
) -> Tensor:
    """A copy of ``input`` with ``src`` written on its diagonal (as :func:`diagonal`)."""
    check_tensor("diagonal_scatter", input)
    check_tensor("diagonal_scatter", src, "src")
    d1, d2 = _diagonal_dims(input, dim1, dim2)
    backend, shape = input._backend, tuple(input.shape)
    k = backend.kernels
    _expected_src(src, k["diagonal"](input._storage.array, offset, d1, d2).shape)
    axes = tuple(i for i in range(len(shape)) if i not in (d1, d2)) + (d1, d2)
    inverse = tuple(axes.index(i) for i in range(len(shape)))
    rows, cols = _diagonal_positions(k, backend, (shape[d1], shape[d2]), offset)
    key = (Ellipsis, rows, cols)
    data = array_of(src, input._dtype, backend)
    moved = k["permute_dims"](writable_copy(k, input._storage.array, key, data), axes)
    out = k["permute_dims"](k["setitem"](moved, key, data), inverse)
    params = {"offset": offset, "dim1": d1, "dim2": d2}
    return finish(DIAGONAL_SCATTER, out, input._dtype, backend, (input, src), params)


def _written(record: OpRecord, input: Tensor, src: Tensor, key: tuple, params: dict) -> Tensor:
    backend = input._backend
    k = backend.kernels
    _expected_src(src, k["getitem"](input._storage.array, key).shape)
    data = array_of(src, input._dtype, backend)
    out = k["setitem"](writable_copy(k, input._storage.array, key, data), key, data)
    return finish(record, out, input._dtype, backend, (input, src), params)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``src`` written at position ``index`` of ``dim``."""
    check_tensor("select_scatter", input)
    check_tensor("select_scatter", src, "src")
    dim = _wrap_dim(dim, input.dim(), "select_scatter")
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {dim}"
        )
    key = (slice(None),) * dim + (index % size,)
    return _written(SELECT_SCATTER, input, src, key, {"dim": dim, "index": index})


def _slice_key(dim: int, start: Any, end: Any, step: int) -> tuple:
    return (slice(None),) * dim + (slice(start, end, step),)


def slice_scatter(
    input: Tensor, src: Tensor, dim: int = 0, start: Any = None, end: Any = None, step: int = 1
) -> Tensor:
    """A copy of ``input`` with ``src`` written at ``start:end:step`` of ``dim``."""
    check_tensor("slice_scatter", input)
    check_tensor("slice_scatter", src, "src")
    dim = _wrap_dim(dim, input.dim(), "slice_scatter")
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    params = {"dim": dim, "start": start, "end": end, "step": step}
    return _written(SLICE_SCATTER, input, src, _slice_key(dim, start, end, step), params)


FUNCTIONS = {
    "diagonal": diagonal,
    "diagonal_copy": diagonal_copy,
    "diag": diag,
    "diagflat": diagflat,
    "diagonal_scatter": diagonal_scatter,
    "select_scatter": select_scatter,
    "slice_scatter": slice_scatter,
}

"""More shape ops: ``fliplr``, ``flipud``, ``rot90``, ``diff``, ``diag_embed``,
``block_diag``, ``cartesian_prod`` and ``take_along_dim``.

Ops PyTorch differentiates with a node of their own are records (``Rot90Backward0``,
``DiagEmbedBackward0``, ``BlockDiagBackward0``); the others are composed as PyTorch
composes them, so its nodes come out: ``fliplr``/``flipud`` are a ``flip``, ``diff`` a
``cat`` of ``prepend``/``append`` then ``narrow`` and ``sub`` (``logical_xor`` for bools),
``cartesian_prod`` a meshgrid (``view``, ``expand``) flattened and stacked, and
``take_along_dim`` a ``gather`` of the broadcast operands.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..creation import empty, empty_like
from ..tensor import Tensor, _wrap_dim
from .dispatch import array_of, backend_of, broadcast_shapes, finish
from .elementwise import where
from .gather_scatter import gather
from .helpers import check_tensor
from .joining import cat, stack
from .nodes import VariadicRecord
from .rearrange import flip
from .record import SHAPE, OpRecord, composite


def _diag_embed_grad(g: Tensor, n: int, offset: int, dim1: int, dim2: int) -> Tensor:
    """The diagonal of ``g`` at ``offset`` between ``dim1`` (rows) and ``dim2``: ``g``'s
    two dims moved last, masked to the diagonal, summed across it and cut to ``n``."""
    g = g.movedim((dim1, dim2), (-2, -1))
    masked = where(_diagonal_mask(g, g.shape[-1], offset), g, 0.0)
    return masked.sum(-1 if offset >= 0 else -2).narrow(-1, 0, n)


def _diagonal_mask(like: Tensor, m: int, offset: int) -> Tensor:
    """An (m, m) bool tensor on ``like``'s backend, True where column - row == ``offset``."""
    backend = like._backend
    k = backend.kernels
    index = k["arange"](0, m, 1, backend.native_dtype(dtypes.int64))
    gap = k["subtract"](k["expand_dims"](index, 0), k["expand_dims"](index, 1))
    return Tensor._make(k["equal"](gap, offset), dtypes.bool, backend)


def _block_diag_grad(g: Tensor, shapes: tuple) -> list:
    grads, row, col = [], 0, 0
    for shape in shapes:
        r, c = _block_size(shape)
        grads.append(g.narrow(0, row, r).narrow(1, col, c).reshape(shape))
        row, col = row + r, col + c
    return grads


ROT90 = OpRecord(
    "rot90", SHAPE, "Rot90Backward0", "flip", save=("k", "dims"),
    grads=(lambda g, k, dims: g.rot90(-k, dims),),
    jvp=lambda us, out, k, dims: us[0].rot90(k, dims),
)  # fmt: skip
DIAG_EMBED = OpRecord(
    "diag_embed", SHAPE, "DiagEmbedBackward0", "where", save=("n", "offset", "dim1", "dim2"),
    grads=(_diag_embed_grad,),
)  # fmt: skip
BLOCK_DIAG = VariadicRecord(
    "block_diag", SHAPE, "BlockDiagBackward0", "concat", inputs=("tensors",),
    save=("shapes",), grads=(_block_diag_grad,), method=False,
)  # fmt: skip
RECORDS = (ROT90, DIAG_EMBED, BLOCK_DIAG)


def fliplr(input: Tensor) -> Tensor:
    """The columns in reverse order (``flip(input, [1])``); at least 2-d."""
    check_tensor("fliplr", input)
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, [1])


def flipud(input: Tensor) -> Tensor:
    """The rows in reverse order (``flip(input, [0])``); at least 1-d."""
    check_tensor("flipud", input)
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, [0])


def _rot90_dims(input: Tensor, dims: Any) -> tuple[int, int]:
    """``dims`` checked in PyTorch's order (count, rank, range, then distinct)."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    n = input.dim()
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = _wrap_dim(dims[0], n, "rot90"), _wrap_dim(dims[1], n, "rot90")
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}"
        )
    return d0, d1


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times, from the first of ``dims`` towards the second."""
    check_tensor("rot90", input)
    d0, d1 = _rot90_dims(input, dims)
    turns = k % 4
    backend, array = input._backend, input._storage.array
    kern = backend.kernels
    if turns == 0:
        out = kern["copy"](array)
    elif turns == 2:
        out = kern["flip"](array, (d0, d1))
    else:  # a flip of one dim, then the two dims swapped
        out = kern["flip"](array, (d1,) if turns == 1 else (d0,))
        axes = list(range(input.dim()))
        axes[d0], axes[d1] = d1, d0
        out = kern["copy"](kern["permute_dims"](out, tuple(axes)))
    return finish(ROT90, out, input._dtype, backend, (input,), {"k": k, "dims": (d0, d1)})


def diff(
    input: Tensor, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None
) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (``logical_xor`` for bools), after
    joining ``prepend`` and ``append`` to ``input`` along ``dim``."""
    check_tensor("diff", input)
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = _wrap_dim(dim, input.dim(), "diff")
    parts = [t for t in (prepend, input, append) if t is not None]
    for t in parts:
        if t.dim() != input.dim():
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    out = cat(parts, dim) if len(parts) > 1 else input
    if n == 0:
        # PyTorch's diff of order 0 is a copy made by copy_ (its node: CopyBackwards)
        return empty_like(out).copy_(out)
    for _ in range(min(n, out.shape[dim])):
        size = out.shape[dim] - 1
        later, earlier = out.narrow(dim, 1, size), out.narrow(dim, 0, size)
        out = later.logical_xor(earlier) if out.dtype is dtypes.bool else later - earlier
    return out


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """A tensor whose diagonals at ``offset`` between ``dim1`` and ``dim2`` hold the
    last dim of ``input`` (zeros elsewhere)."""
    check_tensor("diag_embed", input)
    ndim = input.dim() + 1
    d1, d2 = _wrap_dim(dim1, ndim, "diag_embed"), _wrap_dim(dim2, ndim, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = input.shape[-1]
    m = n + abs(offset)
    backend, dtype = input._backend, input._dtype
    k = backend.kernels
    pad = k["zeros"]((*input.shape[:-1], abs(offset)), backend.native_dtype(dtype))
    line = k["concat"]([input._storage.array, pad], axis=-1)  # (..., m)
    line = k["expand_dims"](line, -1 if offset >= 0 else -2)
    mask = _diagonal_mask(input, m, offset)._storage.array
    square = k["where"](mask, line, k["zeros"]((), backend.native_dtype(dtype)))
    order = [i for i in range(ndim) if i not in (d1, d2)]
    axes = [0] * ndim
    for source, target in enumerate(order):
        axes[target] = source
    axes[d1], axes[d2] = ndim - 2, ndim - 1
    out = k["copy"](k["permute_dims"](square, tuple(axes)))
    params = {"n": n, "offset": offset, "dim1": d1, "dim2": d2}
    return finish(DIAG_EMBED, out, dtype, backend, (input,), params)


def _block_size(shape: tuple) -> tuple[int, int]:
    """A block's (rows, columns): a 0-d tensor is 1 x 1, a vector one row."""
    if len(shape) == 2:
        return shape[0], shape[1]
    return 1, shape[0] if shape else 1


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (at most 2-d each) as the blocks of a block-diagonal matrix, dtypes
    promoted; no tensors: a 1 x 0 matrix."""
    for i, t in enumerate(tensors):
        check_tensor("block_diag", t, f"tensors[{i}]")
        if t.dim() > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{i} has {t.dim()} dimensions"
            )
    if not tensors:
        return empty(1, 0)
    backend = backend_of("block_diag", *tensors)
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = dtypes.promote_types(dtype, t.dtype)
    k, native = backend.kernels, backend.native_dtype(dtype)
    sizes = [_block_size(tuple(t.shape)) for t in tensors]
    width = sum(c for _, c in sizes)
    rows, col = [], 0
    for t, (r, c) in zip(tensors, sizes):
        block = k["reshape"](array_of(t, dtype, backend), (r, c))
        left, right = k["zeros"]((r, col), native), k["zeros"]((r, width - col - c), native)
        rows.append(k["concat"]([left, block, right], axis=1))
        col += c
    out = k["concat"](rows, axis=0)
    params = {"shapes": tuple(tuple(t.shape) for t in tensors)}
    return finish(BLOCK_DIAG, out, dtype, backend, tuple(tensors), params)


@composite(method=False)  # torch.Tensor has no cartesian_prod
def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of the elements of the 1-d ``tensors``, one per row (one
    tensor: that tensor itself, as in PyTorch)."""
    for t in tensors:
        check_tensor("cartesian_prod", t, "tensors")
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    shape = tuple(t.shape[0] for t in tensors)
    grids = []
    for i, t in enumerate(tensors):  # torch.meshgrid(indexing="ij"): a view, then expand
        view = [1] * len(tensors)
        view[i] = -1
        grids.append(t.view(*view).expand(*shape).flatten())
    return stack(grids, 1)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """The elements of ``input`` at ``indices`` along ``dim`` (the two broadcast over the
    other dims), or of the flattened ``input`` when ``dim`` is None."""
    check_tensor("take_along_dim", input)
    check_tensor("take_along_dim", indices, "indices")
    if indices.dtype is not dtypes.int64:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{dtypes.kind_name(indices.dtype)}"
        )
    if dim is None:
        return input.reshape(-1).gather(0, indices.reshape(-1))
    dim = _wrap_dim(dim, max(input.dim(), 1), "take_along_dim")
    if input.dim() != indices.dim():
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {input.dim()} dimensions for input, and {indices.dim()} "
            "dimensions for indices"
        )
    sizes = list(input.shape)
    sizes[dim] = indices.shape[dim]
    shape = list(broadcast_shapes("take_along_dim", tuple(sizes), tuple(indices.shape)))
    index = indices.expand(*shape)
    shape[dim] = input.shape[dim]
    return gather(input.expand(*shape), dim, index)


FUNCTIONS = {
    "fliplr": fliplr,
    "flipud": flipud,
    "rot90": rot90,
    "diff": diff,
    "diag_embed": diag_embed,
    "block_diag": block_diag,
    "cartesian_prod": cartesian_prod,
    "take_along_dim": take_along_dim,
}

"""Writes along one dimension at a vector of indices: ``index_add``, ``index_copy`` and
``index_fill``; and ``masked_scatter``, a write at a mask's positions (each with its
in-place form).

Each is one record with PyTorch's node (``IndexAddBackward0``, ``IndexCopyBackward0``,
``IndexFillBackward0``/``1``) and goes through the ``index_add``/``setitem`` kernels with
the key ``(:, ..., index)``, so a backend needs no kernel of its own. The gradients are
PyTorch's: ``index_select`` of the gradient for the written values, and the gradient
with the written positions zeroed (``index_fill``) for ``self`` where it is overwritten.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from .. import dtypes
from ..batching_rules import writable_copy
from ..tensor import Tensor, _wrap_dim
from .dispatch import array_of, broadcast_shapes, finish
from .elementwise import where
from .gather_scatter import _checked_index
from .helpers import check_tensor, zeros_on
from .record import INDEXING, OpRecord


def _scaled(g: Tensor, alpha: Any) -> Tensor:
    return g if alpha == 1 else g * alpha


INDEX_ADD = OpRecord(
    "index_add", INDEXING, "IndexAddBackward0", "index_add", inputs=("self", "source"),
    save=("dim", "index", "alpha"),
    grads=(lambda g, dim, index, alpha: g,
           lambda g, dim, index, alpha: _scaled(g.index_select(dim, index), alpha)),
    inplace=True, doc="self with alpha * source added at index along dim (repeats add up)",
)  # fmt: skip
INDEX_COPY = OpRecord(
    "index_copy", INDEXING, "IndexCopyBackward0", "setitem", inputs=("self", "source"),
    save=("dim", "index"),
    grads=(lambda g, dim, index: g.index_fill(dim, index, 0.0),
           lambda g, dim, index: g.index_select(dim, index)),
    inplace=True, doc="self with source written at index along dim",
)  # fmt: skip
INDEX_FILL = OpRecord(
    "index_fill", INDEXING, "IndexFillBackward0", "setitem", save=("dim", "index"),
    grads=(lambda g, dim, index: g.index_fill(dim, index, 0.0),),
    inplace=True, doc="self with a number written at index along dim",
)  # fmt: skip
INDEX_FILL_TENSOR = OpRecord(
    "index_fill_tensor", INDEXING, "IndexFillBackward1", "setitem", inputs=("self", "value"),
    save=("dim", "index"),
    grads=(lambda g, dim, index: g.index_fill(dim, index, 0.0),
           lambda g, dim, index: g.index_select(dim, index).sum()),
    public="index_fill", doc="self with a 0-d tensor's value written at index along dim",
)  # fmt: skip


def _range_error(error: type, prefix: str, size: int, dim: int, low: int, high: int) -> None:
    bad = high if high >= size else low if low < (-size if error is IndexError else 0) else None
    if bad is not None:
        raise error(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def _key(op: str, input: Tensor, dim: int, index: Any, error: type = RuntimeError) -> tuple:
    """``(:, ..., index)`` for ``dim``, after PyTorch's checks of the index (int64, or int32
    for ``index_add``; a vector; in range: ``index_fill`` also takes negative ones)."""
    check_tensor(op, index, "index")
    allowed = (dtypes.int64, dtypes.int32) if op == "index_add" else (dtypes.int64,)
    if index.dtype not in allowed:
        raise _INDEX_DTYPE[op](dtypes.kind_name(index.dtype))
    if index.dim() > 1:
        raise IndexError(
            f"{op}_(): Index is supposed to be a vector, but got dim: {index.dim()} with type: "
            f"{dtypes.kind_name(index.dtype)} and size: {list(index.shape)}"
        )
    size = input.shape[dim] if input.dim() else 1
    prefix = "index_copy_(): " if op == "index_copy" else ""
    kind = IndexError if op != "index_add" else RuntimeError
    checked = _checked_index(index.reshape(-1), partial(_range_error, kind, prefix, size, dim))
    return (slice(None),) * dim + (checked,)


_INDEX_DTYPE = {
    "index_add": lambda kind: RuntimeError(
        f"index_add_(): Expected dtype int32/int64 for index but got: {kind}"
    ),
    "index_copy": lambda kind: RuntimeError(
        f"index_copy_(): Expected a long tensor for index, but got {kind}"
    ),
    "index_fill": lambda kind: IndexError("index_fill_(): Expected dtype int64 for index."),
}


def _check_source(op: str, input: Tensor, dim: int, index: Tensor, source: Any) -> Tensor:
    check_tensor(op, source, "source")
    if source.dtype is not input.dtype:
        a, b = dtypes.kind_name(input.dtype), dtypes.kind_name(source.dtype)
        raise RuntimeError(
            f"index_add_(): self ({a}) and source ({b}) must have the same scalar type"
            if op == "index_add"
            else f"index_copy_(): self and source expected to have the same dtype, but got "
            f"(self) {a} and (source) {b}"
        )
    n = source.shape[dim] if source.dim() else 1
    if index.numel() != n:
        if op == "index_add":
            raise RuntimeError(
                f"index_add_(): Number of indices ({index.numel()}) should be equal to "
                f"source.size(dim): ({n}), for dim: {dim}"
            )
        raise IndexError(
            f"index_copy_(): Number of indices ({index.numel()}) should be equal to "
            f"source.size(dim) ({n})"
        )
    return source


def _written(input: Tensor, key: tuple, data: Any, kernel: str) -> Any:
    k = input._backend.kernels
    return k[kernel](writable_copy(k, input._storage.array, key, data), key, data)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along ``dim``."""
    check_tensor("index_add", input)
    dim = _wrap_dim(dim, max(input.dim(), 1), "index_add")
    _check_source("index_add", input, dim, index, source)
    key = _key("index_add", input, dim, index)
    data = source._storage.array
    if alpha != 1:
        data = input._backend.kernels["multiply"](data, alpha)
    out = _written(input, key, data, "index_add")
    params = {"dim": dim, "index": index, "alpha": alpha}
    return finish(INDEX_ADD, out, input._dtype, input._backend, (input, source), params)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with ``source``'s slices written at ``index`` along ``dim``."""
    check_tensor("index_copy", input)
    dim = _wrap_dim(dim, max(input.dim(), 1), "index_copy")
    _check_source("index_copy", input, dim, index, source)
    key = _key("index_copy", input, dim, index)
    out = _written(input, key, source._storage.array, "setitem")
    params = {"dim": dim, "index": index}
    return finish(INDEX_COPY, out, input._dtype, input._backend, (input, source), params)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """A copy of ``input`` with ``value`` (a number or a 0-d tensor) written at
    ``index`` along ``dim``."""
    check_tensor("index_fill", input)
    dim = _wrap_dim(dim, max(input.dim(), 1), "index_fill")
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value.dim()} dimension(s)."
        )
    key = _key("index_fill", input, dim, index)
    data = array_of(value, input._dtype, input._backend)
    out = _written(input, key, data, "setitem")
    params = {"dim": dim, "index": index}
    if isinstance(value, Tensor):
        inputs, record = (input, value), INDEX_FILL_TENSOR
    else:
        inputs, record = (input,), INDEX_FILL
    return finish(record, out, input._dtype, input._backend, inputs, params)


# -- masked_scatter ------------------------------------------------------------------------
def _masked_scatter_source_grad(g: Tensor, mask: Tensor, shape: tuple) -> Tensor:
    """The gradient at the positions written, in order, and zeros for the source elements
    the mask did not use (PyTorch's masked_scatter_backward): added at each position's
    source index, so no count is read (a lazy backend computes nothing)."""
    numel = 1
    for n in shape:
        numel *= n
    if numel == 0:
        return zeros_on(g, shape)
    flat_mask = mask.expand(g.shape).reshape(-1)
    order = (flat_mask.long().cumsum(0) - 1).clamp(min=0, max=numel - 1)
    picked = where(flat_mask, g.reshape(-1), 0.0)
    return zeros_on(g, (numel,)).index_add(0, order, picked).reshape(shape)


MASKED_SCATTER = OpRecord(
    "masked_scatter", INDEXING, "MaskedScatterBackward0", "where", inputs=("self", "source"),
    save=("mask", "source.shape"),
    grads=(lambda g, mask, shape: g.masked_fill(mask, 0.0), _masked_scatter_source_grad),
    inplace=True, doc="source's leading elements written where mask is True, in order",
)  # fmt: skip


def _enough(available: int) -> Any:
    def check(count: int) -> None:
        if count > available:
            raise RuntimeError("Number of elements of source < number of ones in mask")

    return check


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with ``source``'s elements (in order, row-major) written where
    ``mask`` (bool, broadcasting with ``input``) is True."""
    check_tensor("masked_scatter", input)
    check_tensor("masked_scatter", mask, "mask")
    check_tensor("masked_scatter", source, "source")
    if mask.dtype is not dtypes.bool:
        raise RuntimeError(
            "masked_scatter_ only supports boolean masks, but got mask with dtype "
            f"{dtypes.kind_name(mask.dtype)}"
        )
    if source.dtype is not input.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{dtypes.kind_name(input.dtype)} and {dtypes.kind_name(source.dtype)}"
        )
    shape = broadcast_shapes("masked_scatter", tuple(input.shape), tuple(mask.shape))
    where_mask = mask.expand(shape).reshape(-1)
    values = input.detach().expand(shape).reshape(-1)
    if source.numel():  # the k-th True position takes source's k-th element
        order = (where_mask.long().cumsum(0) - 1).clamp(min=0, max=source.numel() - 1)
        values = where(where_mask, source.detach().reshape(-1)[order], values)
    # PyTorch's check that the source is long enough, attached (a lazy backend runs it
    # when the result is computed, not now)
    k = input._backend.kernels
    count = where_mask.sum()._storage.array
    out = k["checked"](values.reshape(shape)._storage.array, _enough(source.numel()), count)
    params = {"mask": mask}
    return finish(MASKED_SCATTER, out, input._dtype, input._backend, (input, source), params)


RECORDS = (INDEX_ADD, INDEX_COPY, INDEX_FILL, INDEX_FILL_TENSOR, MASKED_SCATTER)
FUNCTIONS = {
    "index_add": index_add,
    "index_copy": index_copy,
    "index_fill": index_fill,
    "masked_scatter": masked_scatter,
}

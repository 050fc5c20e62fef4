"""Reducing writes along one dimension: ``scatter_reduce`` (at a full index, as
``scatter_add`` writes) and ``index_reduce`` (at a vector of indices, as ``index_add``
writes), each with its in-place form.

Each is one record with PyTorch's node (``ScatterReduceBackward0``,
``IndexReduceBackward0``). The forward goes through the ``index_add`` kernel (``sum``,
``mean``) or the reducing writes ``index_prod``/``index_amax``/``index_amin``. With
``include_self=False`` the written positions start from the reduction's identity (the
extrema: from one of the written values, so every dtype and nan work alike).

The gradients are PyTorch's, written once for both ops through :class:`_Along` (how an op
reads, adds and clears along ``dim``): the gradient is shared evenly among the values
tied at an extremum; ``prod``'s gradient treats a single zero in a product exactly
(the product of the others) and gives zero where two or more zeros meet; ``mean``
divides by the count of values averaged.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from .. import dtypes
from ..batching_rules import writable_copy
from ..grad_mode import no_grad
from ..tensor import Tensor, _wrap_dim
from .dispatch import array_of, finish
from .elementwise import where
from .gather_scatter import _along, _checked_index, _index, _same_dtype, _select_error
from .helpers import check_tensor
from .record import INDEXING, OpRecord

SCATTER_REDUCES = ("sum", "prod", "mean", "amax", "amin")
INDEX_REDUCES = ("prod", "mean", "amax", "amin")


@dataclass(frozen=True)
class _Along:
    """How one op reads, adds, clears and reduces along ``dim`` at its index."""

    read: Callable[..., Tensor]  # (t, dim, index) -> the values at index
    add: Callable[..., Tensor]  # (t, dim, index, values) -> t with values added at index
    clear: Callable[..., Tensor]  # (t, dim, index) -> t with zeros written at index
    reduce: Callable[..., Tensor]  # (t, dim, index, values, reduce, include_self) -> op


_SCATTER = _Along(
    read=lambda t, dim, index: t.gather(dim, index),
    add=lambda t, dim, index, v: t.scatter_add(dim, index, v),
    clear=lambda t, dim, index: t.scatter(dim, index, 0.0),
    reduce=lambda t, dim, index, v, how, keep: t.scatter_reduce(
        dim, index, v, how, include_self=keep
    ),
)
_INDEX = _Along(
    read=lambda t, dim, index: t.index_select(dim, index),
    add=lambda t, dim, index, v: t.index_add(dim, index, v),
    clear=lambda t, dim, index: t.index_fill(dim, index, 0.0),
    reduce=lambda t, dim, index, v, how, keep: _quiet_index_reduce(t, dim, index, v, how, keep),
)


def _counts(along: _Along, g: Tensor, src: Tensor, dim: int, index: Tensor, keep: bool) -> Tensor:
    """How many values each position of ``mean``'s result averages (1 where none)."""
    start = g.new_ones(g.shape) if keep else g.new_zeros(g.shape)
    n = along.add(start, dim, index, src.new_ones(src.shape))
    return n.masked_fill(n == 0, 1)


def _share(
    along: _Along, g: Tensor, self: Tensor, src: Tensor, result: Tensor, dim: int, index: Tensor
) -> Tensor:
    """``g`` divided by the number of values (self's and the written ones) tied at each
    position's extremum, as PyTorch shares it."""
    self_wins = (self == result).to(g.dtype)
    src_wins = (src == along.read(result, dim, index)).to(g.dtype)
    return g / along.add(self_wins, dim, index, src_wins)


def _self_grad(
    along: _Along,
    g: Tensor,
    self: Tensor,
    src: Tensor,
    result: Tensor,
    dim: int,
    index: Tensor,
    how: str,
    keep: bool,
) -> Tensor:
    if how == "sum":
        grad = g
    elif how == "mean":
        grad = g / _counts(along, g, src, dim, index, keep)
    elif how == "prod":
        nonzero_self = self.masked_fill(self == 0, 1)
        grad = g * along.reduce(nonzero_self, dim, index, src, how, keep) / nonzero_self
    else:
        grad = (self == result).to(g.dtype) * _share(along, g, self, src, result, dim, index)
    return grad if keep else along.clear(grad, dim, index)


def _src_grad(
    along: _Along,
    g: Tensor,
    self: Tensor,
    src: Tensor,
    result: Tensor,
    dim: int,
    index: Tensor,
    how: str,
    keep: bool,
) -> Tensor:
    if how == "sum":
        return along.read(g, dim, index)
    if how == "mean":
        counts = _counts(along, g, src, dim, index, keep)
        return along.read(g, dim, index) / along.read(counts, dim, index)
    if how in ("amax", "amin"):
        won = (src == along.read(result, dim, index)).to(g.dtype)
        return won * along.read(_share(along, g, self, src, result, dim, index), dim, index)
    zero = src == 0
    zeros_at = along.add(self.new_zeros(self.shape), dim, index, zero.to(self.dtype))
    zeros_met = along.read(zeros_at, dim, index)
    single = zero & (zeros_met == 1)
    others = along.reduce(self, dim, index, src.masked_fill(single, 1), how, keep)
    return where(
        single,
        along.read(g * others, dim, index),
        along.read(g * result, dim, index) / src.masked_fill(zero, 1),
    )


_SAVE = ("self", "src", "result", "dim", "index", "reduce", "include_self")
SCATTER_REDUCE = OpRecord(
    "scatter_reduce", INDEXING, "ScatterReduceBackward0", "index_amax", inputs=("self", "src"),
    save=_SAVE, grads=(partial(_self_grad, _SCATTER), partial(_src_grad, _SCATTER)),
    inplace=True, doc="src reduced (sum, prod, mean, amax, amin) into self at index along dim",
)  # fmt: skip
INDEX_REDUCE = OpRecord(
    "index_reduce", INDEXING, "IndexReduceBackward0", "index_amax", inputs=("self", "src"),
    save=_SAVE, grads=(partial(_self_grad, _INDEX), partial(_src_grad, _INDEX)),
    inplace=True, doc="source's slices reduced (prod, mean, amax, amin) into self along dim",
)  # fmt: skip


def _reduced(input: Tensor, key: tuple, src: Tensor, how: str, keep: bool) -> Any:
    """The array of ``input`` with ``src`` reduced in at ``key`` (repeats all count)."""
    k, backend = input._backend.kernels, input._backend
    if input._dtype is dtypes.bool:  # a bool sum is an "any", a product an "all"
        how = {"sum": "amax", "prod": "amin"}.get(how, how)
    data = src._storage.array
    out = writable_copy(k, input._storage.array, key, data)
    if not keep:  # the written positions start from the identity (extrema: a src value)
        identity = 0 if how in ("sum", "mean") else 1
        start = data if how in ("amax", "amin") else array_of(identity, input._dtype, backend)
        out = k["setitem"](out, key, start)
    out = k["index_add" if how in ("sum", "mean") else f"index_{how}"](out, key, data)
    if how != "mean":
        return out
    count = _counts(_KEYED, Tensor._make(out, input._dtype, backend), src, 0, key, keep)
    total = Tensor._make(out, input._dtype, backend)
    if input._dtype.is_floating_point:
        return (total / count)._storage.array
    return total.div(count, rounding_mode="floor")._storage.array


def _keyed_add(t: Tensor, dim: int, key: tuple, v: Tensor) -> Tensor:
    k = t._backend.kernels
    data = k["astype"](v._storage.array, t._storage.array.dtype)
    written = k["index_add"](writable_copy(k, t._storage.array, key, data), key, data)
    return Tensor._make(written, t._dtype, t._backend)


# ``mean``'s count in the forward, at the kernel key already built (no second check).
_KEYED = _Along(read=None, add=_keyed_add, clear=None, reduce=None)  # type: ignore[arg-type]


_SCATTER_REDUCE_ERROR = "reduce argument must be either sum, prod, mean, amax or amin, got {how}"
_INDEX_REDUCE_ERROR = (
    "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {how}."
)


def _reduce_name(how: Any, allowed: tuple, message: str) -> str:
    if how not in allowed:
        raise RuntimeError(message.format(how=how))
    return how


def scatter_reduce(
    input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """A copy of ``input`` with ``src`` reduced in along ``dim`` at ``index``
    (``out[i][index[i][j]] = reduce(out[i][index[i][j]], src[i][j])`` for ``dim=1``):
    ``reduce`` is ``sum``, ``prod``, ``mean``, ``amax`` or ``amin``; with
    ``include_self=False`` the written positions forget ``input``'s value."""
    check_tensor("scatter_reduce", input)
    check_tensor("scatter_reduce", src, "src")
    how = _reduce_name(reduce, SCATTER_REDUCES, _SCATTER_REDUCE_ERROR)
    index = _index("scatter", index, input._backend)
    _same_dtype(input, src)
    if how == "mean" and input._dtype is dtypes.bool:
        raise NotImplementedError(
            "\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'"
        )
    dim = _wrap_dim(dim, max(input.dim(), 1), "scatter_reduce")
    key = _along(input, dim, index, src)
    used = src[tuple(slice(0, n) for n in index.shape)] if src.shape != index.shape else src
    with no_grad():
        out = _reduced(input, key, used.detach(), how, include_self)
    params = {"dim": dim, "index": index, "reduce": how, "include_self": include_self}
    return finish(SCATTER_REDUCE, out, input._dtype, input._backend, (input, src), params)


def _index_key(input: Tensor, dim: int, index: Any, source: Tensor) -> tuple:
    """``(:, ..., index)`` for ``dim``, after PyTorch's checks of ``index_reduce``'s index
    (int32/int64, a vector as long as ``source`` along ``dim``, in range)."""
    check_tensor("index_reduce", index, "index")
    if index.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError(
            "index_reduce_(): Expected dtype int32/int64 for index but got: "
            f"{dtypes.kind_name(index.dtype)}"
        )
    if index.dim() > 1:
        raise IndexError(
            f"index_reduce_(): Index is supposed to be a vector, but got dim: {index.dim()} "
            f"with type: {dtypes.kind_name(index.dtype)} and size: {list(index.shape)}"
        )
    n = source.shape[dim] if source.dim() else 1
    if index.numel() != n:
        raise RuntimeError(
            f"index_reduce_(): Number of indices ({index.numel()}) should be equal to "
            f"source.size(dim): ({n}), for dim: {dim}"
        )
    size = input.shape[dim] if input.dim() else 1
    checked = _checked_index(index.reshape(-1), partial(_select_error, size))
    return (slice(None),) * dim + (checked,)


def index_reduce(
    input: Tensor,
    dim: int,
    index: Tensor,
    source: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """A copy of ``input`` with ``source``'s slices reduced in at ``index`` along ``dim``
    (``prod``, ``mean``, ``amax`` or ``amin``); with ``include_self=False`` the written
    slices forget ``input``'s values. PyTorch warns once per process that the API is in
    beta."""
    if not _beta_warned:
        _beta_warned.append(True)
        warnings.warn(
            "index_reduce() is in beta and the API may change at any time.",
            UserWarning,
            stacklevel=2,
        )
    return _quiet_index_reduce(input, dim, index, source, reduce, include_self)


_beta_warned: list = []  # PyTorch's warning is given once per process


def _quiet_index_reduce(
    input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, include_self: bool
) -> Tensor:
    check_tensor("index_reduce", input)
    check_tensor("index_reduce", source, "source")
    how = _reduce_name(reduce, INDEX_REDUCES, _INDEX_REDUCE_ERROR)
    if source.dtype is not input.dtype:
        raise RuntimeError(
            f"index_reduce_(): self ({dtypes.kind_name(input.dtype)}) and source "
            f"({dtypes.kind_name(source.dtype)}) must have the same scalar type"
        )
    if input._dtype is dtypes.bool:
        raise NotImplementedError("\"index_func_\" not implemented for 'Bool'")
    dim = _wrap_dim(dim, max(input.dim(), 1), "index_reduce")
    key = _index_key(input, dim, index, source)
    with no_grad():
        out = _reduced(input, key, source.detach(), how, include_self)
    params = {"dim": dim, "index": index, "reduce": how, "include_self": include_self}
    return finish(INDEX_REDUCE, out, input._dtype, input._backend, (input, source), params)


RECORDS = (SCATTER_REDUCE, INDEX_REDUCE)
FUNCTIONS = {"scatter_reduce": scatter_reduce, "index_reduce": index_reduce}

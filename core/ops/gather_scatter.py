"""Index-driven reads and writes along a dimension: ``gather``, ``scatter``,
``scatter_add``, ``index_select``, ``take``; masks: ``masked_fill``, ``masked_select``;
and ``nonzero``.

Each builds a full index key and goes through the ``getitem``/``setitem``/``index_add``
kernels, so a backend needs no kernel of its own for these. Their gradients are each
other: gather <-> scatter_add, index_select -> an accumulating ``index_put``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from .. import dtypes
from ..arguments import typename
from ..batching import physical
from ..batching_rules import writable_copy
from ..tensor import Tensor, _wrap_dim
from . import elementwise
from .advanced_indexing import getitem, put, scatter_into_zeros
from .dispatch import array_of, broadcast_all, broadcast_shapes, finish
from .elementwise import check_condition, where
from .helpers import check_tensor, tangent_or_zeros, zeros_on
from .record import INDEXING, OpRecord

_INDICES = (dtypes.int64, dtypes.int32)


def _scatter_tangent(us: tuple, out: Tensor, dim: int, index: Tensor, add: bool) -> Tensor:
    """Forward mode: scatter (or scatter_add) is linear in ``self`` and ``src`` jointly."""
    if add and us[1] is None:
        return us[0]
    base = tangent_or_zeros(us[0], out)
    src = 0.0 if us[1] is None else us[1]
    return base.scatter_add(dim, index, src) if add else base.scatter(dim, index, src)


GATHER = OpRecord(
    "gather",
    INDEXING,
    "GatherBackward0",
    "getitem",
    save=("self.shape", "dim", "index"),
    grads=(lambda g, shape, dim, index: _gather_grad(g, shape, dim, index),),
    jvp=lambda us, out, shape, dim, index: us[0].gather(dim, index),  # forward mode
)
SCATTER = OpRecord(
    "scatter",
    INDEXING,
    "ScatterBackward0",
    "setitem",
    inputs=("self", "src"),
    save=("dim", "index"),
    grads=(
        lambda g, dim, index: g.scatter(dim, index, 0.0),
        lambda g, dim, index: g.gather(dim, index),
    ),
    inplace=True,
    jvp=lambda us, out, dim, index: _scatter_tangent(us, out, dim, index, False),
)
SCATTER_VALUE = OpRecord(
    "scatter_value",
    INDEXING,
    "ScatterBackward1",
    "setitem",
    save=("dim", "index"),
    grads=(lambda g, dim, index: g.scatter(dim, index, 0.0),),
    public="scatter",
    jvp=lambda us, out, dim, index: us[0].scatter(dim, index, 0.0),
)
SCATTER_ADD = OpRecord(
    "scatter_add",
    INDEXING,
    "ScatterAddBackward0",
    "index_add",
    inputs=("self", "src"),
    save=("dim", "index"),
    grads=(lambda g, dim, index: g, lambda g, dim, index: g.gather(dim, index)),
    inplace=True,
    jvp=lambda us, out, dim, index: _scatter_tangent(us, out, dim, index, True),
)
INDEX_SELECT = OpRecord(
    "index_select",
    INDEXING,
    "IndexSelectBackward0",
    "getitem",
    save=("self.shape", "key"),
    grads=(scatter_into_zeros,),
    jvp=lambda us, out, shape, key: getitem(us[0], key),  # forward mode: the same read
)
TAKE = OpRecord(
    "take",
    INDEXING,
    "TakeBackward0",
    "getitem",
    save=("self.shape", "key"),
    grads=(lambda g, shape, key: put(zeros_on(g, (_numel(shape),)), key, g, True).reshape(shape),),
    jvp=lambda us, out, shape, key: getitem(us[0].reshape(-1), key),
)
MASKED_FILL = OpRecord(
    "masked_fill",
    INDEXING,
    "MaskedFillBackward0",
    "where",
    save=("mask",),
    grads=(lambda g, mask: where(mask, 0.0, g),),
    inplace=True,
    jvp=lambda us, out, mask: where(mask, 0.0, us[0]),
)
MASKED_FILL_TENSOR = OpRecord(
    "masked_fill_tensor",
    INDEXING,
    "MaskedFillBackward1",
    "where",
    inputs=("self", "value"),
    save=("mask",),
    grads=(lambda g, mask: where(mask, 0.0, g), lambda g, mask: where(mask, g, 0.0).sum()),
    jvp=lambda us, out, mask: where(
        mask, 0.0 if us[1] is None else us[1], tangent_or_zeros(us[0], out)
    ),
    public="masked_fill",
)
MASKED_SELECT = OpRecord(
    "masked_select",
    INDEXING,
    "MaskedSelectBackward0",
    "getitem",
    save=("shape", "key"),
    grads=(lambda g, shape, key: put(zeros_on(g, shape), key, g),),
)
NONZERO = OpRecord("nonzero", INDEXING, None, "nonzero")
RECORDS = (
    GATHER,
    SCATTER,
    SCATTER_VALUE,
    SCATTER_ADD,
    INDEX_SELECT,
    TAKE,
    MASKED_FILL,
    MASKED_FILL_TENSOR,
    MASKED_SELECT,
    NONZERO,
)


def _numel(shape: tuple) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# PyTorch's refusal of a non-integer index, per op (others: "<op>(): ... int32/int64 ...").
_INDEX_DTYPE = {
    "index_select": "index_select(): Expected dtype int32 or int64 for index",
    "take": "take(): Expected a long tensor for index, but got {kind}",
}


def _index(op: str, index: Any, backend: Any) -> Tensor:
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.dtype not in _INDICES:
        raise RuntimeError(
            _INDEX_DTYPE.get(op, f"{op}(): Expected dtype int32/int64 for index").format(
                kind=dtypes.kind_name(index.dtype)
            )
            + f" (got {index.dtype}; retrograd takes int64)"
        )
    if index._backend is not backend:
        raise RuntimeError(
            f"{op}(): index is on backend {index._backend.name}, the input on "
            f"{backend.name}: move it with .to() first"
        )
    return index


def _along(input: Tensor, dim: int, index: Tensor, src: Any = None) -> tuple:
    """The full key that picks ``index`` along ``dim`` (aranges elsewhere), after
    PyTorch's checks of dims, sizes and range."""
    op = "gather" if src is None else "scatter"
    if index.dim() != max(input.dim(), 1) and not (index.dim() == 0 and input.dim() == 0):
        raise RuntimeError(  # PyTorch's words differ between gather and scatter
            "Index tensor must have the same number of dimensions as "
            f"{'input' if src is None else 'self'} tensor"
        )
    for d, n in enumerate(index.shape):
        limit = input.shape[d] if input.dim() else 1
        if (d != dim and n > limit) or (isinstance(src, Tensor) and n > src.shape[d]):
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to be "
                f"smaller than self {list(input.shape)} apart from dimension {dim}"
            )
    checked = _in_range(op, index, input.shape[dim] if input.dim() else 1, dim)
    k, backend = input._backend.kernels, input._backend
    native = backend.native_dtype(dtypes.int64)
    key = []
    for d, n in enumerate(index.shape):
        if d == dim:
            key.append(checked)
        else:
            side = [1] * index.dim()
            side[d] = n
            key.append(k["reshape"](k["arange"](0, n, 1, native), tuple(side)))
    return tuple(key)


def _in_range(op: str, index: Tensor, size: int, dim: int) -> Any:
    """``index``'s array with PyTorch's out-of-range error attached (``checked``)."""
    return _checked_index(index, partial(_range_error, op, size, dim))


def _range_error(op: str, size: int, dim: int, low: int, high: int) -> None:
    bad = high if high >= size else low if low < -size else None
    if bad is not None:
        raise RuntimeError(
            f"index {bad} is out of bounds for dimension {dim} with size {size} (in {op}())"
        )


def _gather_grad(g: Tensor, shape: tuple, dim: int, index: Tensor) -> Tensor:
    """Gather's gradient: ``g`` added back at the positions read. Every element gathered
    from a 0-d input is that one value (the index can only hold 0), so it gets the sum."""
    if not shape:
        return g.sum()
    return zeros_on(g, shape).scatter_add(dim, index, g)


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` (for ``dim=1``): values picked along ``dim``."""
    check_tensor("gather", input)
    index = _index("gather", index, input._backend)
    dim = _wrap_dim(dim, max(input.dim(), 1), "gather")
    array = input._storage.array
    if input.dim() == 0:
        array = input._backend.kernels["reshape"](array, (1,))
    out = input._backend.kernels["getitem"](array, _along(input, dim, index))
    if input.dim() == 0:  # PyTorch: the result has the index's shape
        out = input._backend.kernels["reshape"](out, tuple(index.shape))
    return finish(GATHER, out, input._dtype, input._backend, (input,), {"dim": dim, "index": index})


def _scattered(input: Tensor, dim: int, index: Tensor, src: Any, kernel: str) -> Any:
    index = _index("scatter", index, input._backend)
    key = _along(input, dim, index, src)
    k = input._backend.kernels
    data = array_of(src, input._dtype, input._backend)
    if isinstance(src, Tensor):
        data = k["getitem"](data, tuple(slice(0, n) for n in index.shape))
    return k[kernel](writable_copy(k, input._storage.array, key, data), key, data)


def _same_dtype(input: Tensor, src: Any) -> None:
    if isinstance(src, Tensor) and src._dtype is not input._dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")


def scatter(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Any = None,
    *,
    value: Any = None,
    reduce: Any = None,
) -> Tensor:
    """A copy of ``input`` with ``src`` (a tensor, or a number) written along ``dim`` at
    ``index``: ``out[i][index[i][j]] = src[i][j]`` for ``dim=1``."""
    check_tensor("scatter", input)
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported; use scatter_add")
    src = value if src is None else src
    _same_dtype(input, src)
    dim = _wrap_dim(dim, max(input.dim(), 1), "scatter")
    out = _scattered(input, dim, index, src, "setitem")
    params = {"dim": dim, "index": index}
    if isinstance(src, Tensor):
        return finish(SCATTER, out, input._dtype, input._backend, (input, src), params)
    return finish(SCATTER_VALUE, out, input._dtype, input._backend, (input,), params)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src`` added along ``dim`` at ``index`` (repeats add up)."""
    check_tensor("scatter_add", input)
    check_tensor("scatter_add", src, "src")
    _same_dtype(input, src)
    dim = _wrap_dim(dim, max(input.dim(), 1), "scatter_add")
    out = _scattered(input, dim, index, src, "index_add")
    params = {"dim": dim, "index": index}
    return finish(SCATTER_ADD, out, input._dtype, input._backend, (input, src), params)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` at the positions ``index`` (a vector) along ``dim``."""
    check_tensor("index_select", input)
    index = _index("index_select", index, input._backend)
    if index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    dim = _wrap_dim(dim, max(input.dim(), 1), "index_select")
    size = input.shape[dim] if input.dim() else 1
    if input.dim() == 0:  # PyTorch: a 0-d input gives a 0-d result
        return index_select(input.reshape(1), 0, index).reshape(())
    vector = _checked_index(index.reshape(-1), partial(_select_error, size))
    key = (slice(None),) * dim + (vector, Ellipsis)
    out = input._backend.kernels["getitem"](input._storage.array, key)
    return finish(INDEX_SELECT, out, input._dtype, input._backend, (input,), {"key": key})


def take(input: Tensor, index: Tensor) -> Tensor:
    """The elements of the flattened ``input`` at ``index`` (the result has its shape)."""
    check_tensor("take", input)
    index = _index("take", index, input._backend)
    n = input.numel()
    k = input._backend.kernels
    key = (_checked_index(index, partial(_take_error, n)),)
    out = k["getitem"](k["reshape"](input._storage.array, (n,)), key)
    return finish(TAKE, out, input._dtype, input._backend, (input,), {"key": key})


def _checked_index(index: Tensor, check: Any) -> Any:
    """``index``'s array, with ``check(low, high)`` attached (the ``checked`` kernel);
    inside vmap, ``low`` and ``high`` are over every sample."""
    array = index._storage.array
    if not index.numel():
        return array
    k, whole = index._backend.kernels, physical(array)
    return k["checked"](array, check, k["min"](whole), k["max"](whole))


def _select_error(size: int, low: int, high: int) -> None:
    if not (-size <= low and high < size):
        raise IndexError("index out of range in self")


def _take_error(n: int, low: int, high: int) -> None:
    if not (-n <= low and high < n):
        bad = high if high >= n else low
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")


def _mask(op: str, mask: Any) -> Tensor:
    check_tensor(op, mask, "mask")
    if mask.dtype is not dtypes.bool and op == "masked_select":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    if mask.dtype is not dtypes.bool:
        raise RuntimeError(
            f"{op} only supports boolean masks, but got mask with dtype "
            f"{dtypes.kind_name(mask.dtype).lower()}"
        )
    return mask


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``input`` with ``value`` (a number or a 0-d tensor) where ``mask`` is True."""
    check_tensor("masked_fill", input)
    _mask("masked_fill_", mask)
    broadcast_all("masked_fill", mask, input)  # PyTorch's order: the mask is tensor a
    backend, dtype = input._backend, input._dtype
    k = backend.kernels
    if isinstance(value, Tensor):
        if value.dim():
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but "
                f"got tensor with {value.dim()} dimension(s)."
            )
        out = k["where"](mask._storage.array, array_of(value, dtype, backend), input._storage.array)
        return finish(MASKED_FILL_TENSOR, out, dtype, backend, (input, value), {"mask": mask})
    if not isinstance(value, (int, float, complex)) and type(value).__module__ != "numpy":
        raise TypeError(f"masked_fill(): argument 'value' must be Number, not {type(value)}")
    fill = k["full"]((), value, backend.native_dtype(dtype))
    out = k["where"](mask._storage.array, fill, input._storage.array)
    return finish(MASKED_FILL, out, dtype, backend, (input,), {"mask": mask})


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where ``mask`` is True (both broadcast), as a vector."""
    check_tensor("masked_select", input)
    _mask("masked_select", mask)
    # PyTorch broadcasts the mask first: its message names the mask tensor a
    shape = broadcast_shapes("masked_select", tuple(mask.shape), tuple(input.shape))
    k = input._backend.kernels
    key = (k["broadcast_to"](mask._storage.array, shape),)
    out = k["getitem"](k["broadcast_to"](input._storage.array, shape), key)
    return finish(
        MASKED_SELECT, out, input._dtype, input._backend, (input,), {"shape": shape, "key": key}
    )


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or a tuple of one
    index vector per dimension."""
    check_tensor("nonzero", input)
    if not isinstance(as_tuple, bool):
        raise TypeError(f"nonzero(): argument 'as_tuple' must be bool, not {typename(as_tuple)}")
    backend = input._backend
    k = backend.kernels
    array = k["reshape"](input._storage.array, (1,)) if input.dim() == 0 else input._storage.array
    found = k["astype"](k["nonzero"](array), backend.native_dtype(dtypes.int64))
    if input.dim() == 0:
        found = k["getitem"](found, (slice(None), slice(0, 0)))
    out = Tensor._make(found, dtypes.int64, backend)
    if as_tuple:
        return tuple(out.unbind(1)) if input.dim() else (out.reshape(-1),)
    return out


def where_public(condition: Tensor, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``retrograd.where``: :func:`.elementwise.where`; ``where(condition)`` alone is
    ``nonzero(condition, as_tuple=True)``."""
    if input is None and other is None:
        check_condition(condition)
        return nonzero(condition, as_tuple=True)
    return elementwise.where(condition, input, other)


where_public.__name__ = "where"

FUNCTIONS = {
    "where": where_public,
    "gather": gather,
    "scatter": scatter,
    "scatter_add": scatter_add,
    "index_select": index_select,
    "take": take,
    "masked_fill": masked_fill,
    "masked_select": masked_select,
    "nonzero": nonzero,
}

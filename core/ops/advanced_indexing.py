"""Advanced indexing: ``t[tensor]``, ``t[list]``, ``t[mask]`` (IndexBackward0), and
``t[key] = value`` (``CopySlices``/``IndexPutBackward0``), plus ``index_put``.

A key is applied as PyTorch applies it: its basic part (ints, slices, None, ...) first,
as views, then the index arrays at once (NumPy's rules, which PyTorch shares once the
ints are gone: adjacent index arrays keep their place, separated ones go first).
``t[key] = value`` writes into ``t`` in place; when autograd records, the write is the
out-of-place twin (``t`` with ``value`` at ``key``), whose node becomes ``t``'s grad_fn:
``t`` gets the gradient outside ``key``, ``value`` the gradient at ``key`` (summed back
to its shape by the engine).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from .. import dtypes, dual
from ..batching import BatchedArray, physical
from ..batching_rules import writable_copy
from ..creation import tensor
from ..grad_mode import state as _grad_state
from ..legacy import type_name, typename
from ..storage import Storage, view_storage
from ..tensor import Tensor
from .dispatch import array_of, backend_of, finish
from .helpers import tangent_or_zeros, zeros_on
from .indexing import ZERO_DIM, basic_getitem
from .inplace import check_inplace, rebases_base, write_result, write_through_view
from .record import INDEXING, OpRecord

_BAD_INDEX = "tensors used as indices must be long, int, byte or bool tensors"


def _read(g: Tensor, key: Any) -> Tensor:
    return getitem(g, key)


def _put_self_grad(g: Tensor, key: tuple, accumulate: bool) -> Tensor:
    return g if accumulate else put(g, key, 0.0)


def scatter_into_zeros(g: Tensor, shape: tuple, key: Any) -> Tensor:
    """The gradient of a read at ``key``: zeros of ``shape`` with ``g`` added at ``key``
    (added, so repeated indices accumulate)."""
    return put(zeros_on(g, shape), key, g, accumulate=True)


def _put_tangent(us: tuple, out: Tensor, key: Any, accumulate: bool = False) -> Tensor:
    """Forward mode: ``put`` is linear in ``self`` and the values jointly."""
    base = tangent_or_zeros(us[0], out)
    if us[1] is None:
        return base if accumulate else put(base, key, 0.0)
    return put(base, key, us[1], accumulate)


INDEX = OpRecord(
    "index",
    INDEXING,
    "IndexBackward0",
    "getitem",
    save=("self.shape", "key"),
    grads=(scatter_into_zeros,),
    jvp=lambda us, out, shape, key: _read(us[0], key),  # forward mode: the same read
)
INDEX_PUT = OpRecord(
    "index_put",
    INDEXING,
    "IndexPutBackward0",
    "setitem",
    inputs=("self", "values"),
    save=("key", "accumulate"),
    grads=(_put_self_grad, lambda g, key, accumulate: _read(g, key)),
    inplace=True,
    jvp=_put_tangent,
)
# ``t[key] = value`` where ``key`` has a basic part (a view of ``t`` is written).
COPY_SLICES = OpRecord(
    "copy_slices",
    INDEXING,
    "CopySlices",
    "setitem",
    inputs=("self", "src"),
    save=("key",),
    grads=(lambda g, key: put(g, key, 0.0), lambda g, key: _read(g, key)),
    jvp=lambda us, out, key: _put_tangent(us, out, key),
)
RECORDS = (INDEX, INDEX_PUT, COPY_SLICES)


# -- keys ----------------------------------------------------------------------------------
def is_advanced(item: Any) -> bool:
    """Whether a key item is an index array (not an int, slice, None or ...)."""
    if isinstance(item, Tensor):  # a 0-d integer tensor is an int, unless batched by vmap
        return (
            item.dim() > 0
            or item.dtype.category != dtypes.INTEGER
            or type(item._storage.array) is BatchedArray
        )
    return isinstance(item, (list, bool)) or hasattr(item, "__array__")


def _index_array(item: Any, backend: Any) -> Any:
    """An advanced key item as a backend array of integers or bools."""
    if isinstance(item, Tensor):
        if item.dtype.is_floating_point:
            raise IndexError(_BAD_INDEX)
        if item._backend is not backend:
            raise RuntimeError(
                f"indices are on backend {item._backend.name} but the tensor is "
                f"on {backend.name}: move them with .to() first"
            )
        return item._storage.array
    if not isinstance(item, (list, tuple, bool)) and hasattr(item, "ndim"):
        return item  # already an array of the backend (a key recorded for backward)
    converted = tensor(item, backend=backend)
    if converted.dtype.is_floating_point:
        raise IndexError(_BAD_INDEX)
    return converted._storage.array


def split_key(key: Any, backend: Any) -> tuple[tuple, tuple | None]:
    """``(basic, advanced)``: the basic key PyTorch applies first (each index array
    replaced by full slices, one per dimension it indexes) and the key then applied to
    that view (None when there are no index arrays)."""
    items = key if isinstance(key, tuple) else (key,)
    if not any(is_advanced(k) for k in items):
        return items, None
    basic, advanced = [], []
    for k in items:
        if is_advanced(k):
            array = _index_array(k, backend)
            basic.extend([slice(None)] * _width(array, backend))
            advanced.append(array)
        elif isinstance(k, Tensor) or (isinstance(k, int) and not isinstance(k, bool)):
            basic.append(k)  # an int: applied as a select, its dimension gone
        else:
            basic.append(k)
            advanced.append(Ellipsis if k is Ellipsis else slice(None))
    return tuple(basic), tuple(advanced)


def _is_mask(item: Any, backend: Any) -> bool:
    return hasattr(item, "dtype") and item.dtype == backend.native_dtype(dtypes.bool)


def _width(item: Any, backend: Any) -> int:
    """How many dimensions an advanced key item indexes."""
    return item.ndim if _is_mask(item, backend) else 1


def _check_key(array: Any, key: tuple, backend: Any) -> tuple:
    """``key`` with PyTorch's IndexError attached for an index out of range, and raised
    now for a mask of the wrong shape (on every backend: some libraries clip or wrap
    instead of raising). Range checks read values: they go through the ``checked``
    kernel, so a lazy backend raises them when the result is computed."""
    consumed = sum(_width(i, backend) for i in key if i is not Ellipsis)
    dim, checked = 0, []
    for item in key:
        if item is Ellipsis:
            dim += array.ndim - consumed
            checked.append(item)
            continue
        if _is_mask(item, backend):
            _check_mask(array, item, dim)
        elif not isinstance(item, slice) and item.size:
            item = _check_range(array.shape[dim], item, dim, backend)
        checked.append(item)
        dim += _width(item, backend) if not isinstance(item, slice) else 1
    return tuple(checked)


def _check_mask(array: Any, mask: Any, dim: int) -> None:
    for i, n in enumerate(mask.shape):
        if dim + i >= array.ndim or array.shape[dim + i] != n:
            raise IndexError(
                f"The shape of the mask {list(mask.shape)} at index {i} does not match the "
                f"shape of the indexed tensor {list(array.shape)} at index {dim + i}"
            )


def _check_range(size: int, item: Any, dim: int, backend: Any) -> Any:
    k, whole = backend.kernels, physical(item)  # inside vmap: every sample's indices
    return k["checked"](item, partial(_range_error, size, dim), k["min"](whole), k["max"](whole))


def _range_error(size: int, dim: int, low: int, high: int) -> None:
    bad = high if high >= size else low if low < -size else None
    if bad is not None:
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


# -- reading -------------------------------------------------------------------------------
def index(input: Tensor, key: tuple) -> Tensor:
    """``input[key]`` for a key of index arrays, full slices and ``...`` (IndexBackward0)."""
    backend = input._backend
    key = _check_key(input._storage.array, key, backend)
    out = backend.kernels["getitem"](input._storage.array, key)
    return finish(INDEX, out, input._dtype, backend, (input,), {"key": key})


def getitem(input: Tensor, key: Any) -> Tensor:
    """``input[key]``: ints, slices, ``None`` and ``...`` as views (basic indexing, in
    :mod:`.indexing`); index tensors, lists and masks as a copy."""
    items = key if isinstance(key, tuple) else (key,)
    if any(is_advanced(k) for k in items):
        return getitem_advanced(input, key)
    return basic_getitem(input, key)


def getitem_advanced(input: Tensor, key: Any) -> Tensor:
    basic, advanced = split_key(key, input._backend)
    view = basic_getitem(input, basic) if any(not _is_full(k) for k in basic) else input
    return index(view, advanced)


def _is_full(item: Any) -> bool:
    return isinstance(item, slice) and item == slice(None)


# -- writing -------------------------------------------------------------------------------
def _write(storage: Storage, input: Tensor, key: Any, value: Any, accumulate: bool) -> None:
    """Write (or add) ``value`` at ``key`` into ``storage`` (``input``'s data or a copy)."""
    backend = backend_of("setitem", input, value)
    k = backend.kernels
    basic, advanced = split_key(key, backend)
    try:
        view = view_storage(storage, backend, "getitem", (_numpy_basic(basic),))
    except IndexError as error:
        raise _index_error(error, input, key) from None
    target = advanced if advanced is not None else (Ellipsis,)
    if advanced is not None:
        target = _check_key(view.array, advanced, backend)
    data = array_of(value, input._dtype, backend)
    if advanced is None and getattr(data, "ndim", 0) > view.array.ndim:
        data = _drop_leading_ones(k, data, view.array.ndim)
    try:
        view.array = k["index_add" if accumulate else "setitem"](view.array, target, data)
    except ValueError:
        raise RuntimeError(_shape_mismatch(value, view.array, target, k)) from None


def _without_leading_ones(value: Tensor, input: Tensor, basic: tuple) -> Tensor:
    """``value`` reshaped without the leading 1s beyond the dims of ``input[basic]``."""
    ndim = input.dim() + sum(b is None for b in basic)
    ndim -= sum(b is not None and b is not Ellipsis and not isinstance(b, slice) for b in basic)
    lead = _leading_ones(tuple(value.shape), ndim)
    return value.reshape(tuple(value.shape)[lead:]) if lead else value


def _drop_leading_ones(k: dict, data: Any, ndim: int) -> Any:
    """``data`` without the leading dims of size 1 beyond ``ndim`` (PyTorch drops them
    before it copies into a view: ``x[0] = ones(1, 1)``; JAX's write would refuse)."""
    lead = _leading_ones(tuple(data.shape), ndim)
    return k["reshape"](data, tuple(data.shape)[lead:]) if lead else data


def _leading_ones(shape: tuple, ndim: int) -> int:
    """How many leading dims of size 1 ``shape`` has beyond ``ndim`` dims."""
    lead = 0
    while len(shape) - lead > ndim and shape[lead] == 1:
        lead += 1
    return lead


def _index_error(error: IndexError, input: Tensor, key: Any) -> IndexError:
    """The backend's IndexError for a write at ``key`` as PyTorch words it."""
    text = str(error)
    if text.startswith("too many indices"):
        if input.dim() == 0 and not isinstance(key, tuple):
            return IndexError(ZERO_DIM)
        return IndexError(f"too many indices for tensor of dimension {input.dim()}")
    return IndexError(text.replace("axis", "dimension"))


def _numpy_basic(basic: tuple) -> tuple:
    ints = tuple(int(b) if isinstance(b, Tensor) else b for b in basic)
    return ints if Ellipsis in ints else (*ints, Ellipsis)


def _shape_mismatch(value: Any, array: Any, target: tuple, k: dict) -> str:
    shape = list(k["getitem"](array, target).shape)
    got = list(value.shape) if isinstance(value, Tensor) else []
    if target[0] is Ellipsis and len(target) == 1 and isinstance(value, Tensor):  # a view's copy_
        message = _expand_error(value, tuple(shape))
        if message is not None:
            return message
    return (
        f"shape mismatch: value tensor of shape {got} cannot be broadcast to indexing "
        f"result of shape {shape}"
    )


def _expand_error(value: Tensor, shape: tuple) -> str | None:
    """PyTorch's error for ``view.copy_(value)`` after a basic key: it expands
    ``value`` (its leading 1s dropped) to the view's ``shape``; None where it fits."""
    got = tuple(value.shape)
    while got and got[0] == 1:
        got = got[1:]
    if len(got) > len(shape):
        return (
            f"expand({type_name(value)}{{{list(got)}}}, size={list(shape)}): the number of "
            f"sizes provided ({len(shape)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(got)})"
        )
    lead = len(shape) - len(got)
    for i, (n, want) in enumerate(zip(got, shape[lead:], strict=True)):
        if n not in (1, want):
            return (
                f"The expanded size of the tensor ({want}) must match the existing size ({n}) "
                f"at non-singleton dimension {lead + i}.  Target sizes: {list(shape)}.  "
                f"Tensor sizes: {list(got)}"
            )
    return None


def put(input: Tensor, key: Any, value: Any, accumulate: bool = False) -> Tensor:
    """Out of place: ``input`` with ``value`` written (or added) at ``key``, recorded."""
    basic, advanced = split_key(key, input._backend)
    k = input._backend.kernels
    if advanced is None and isinstance(value, Tensor) and value.dim() and value.shape[0] == 1:
        value = _without_leading_ones(value, input, basic)  # recorded: value's gradient too
    # Batched like the key and value inside vmap (a per-sample write into a fresh copy).
    parts = (value._storage.array if isinstance(value, Tensor) else None, advanced, basic)
    root = Storage(writable_copy(k, input._storage.array, *parts))
    _write(root, input, key, value, accumulate)
    array = root.array
    has_view = advanced is None or any(not _is_full(b) for b in basic)
    record = COPY_SLICES if has_view and not accumulate else INDEX_PUT
    params = {"key": key, "accumulate": accumulate}
    return finish(record, array, input._dtype, input._backend, (input, value), params)


def setitem(input: Tensor, key: Any, value: Any) -> None:
    """``input[key] = value``: an in-place write (version bumped), differentiable.
    ``value`` is a Tensor or a Python number (NumPy's float64 and integers too)."""
    kind = type(value)
    if kind is not Tensor and kind is not float and kind is not int:
        _check_value(input, value)  # a bool, a NumPy number, a Tensor subclass: all fine
        if type(value).__module__ == "numpy":  # its Python number: JAX would keep float64
            value = value.item()
    if rebases_base(input, (key, value)):
        write_through_view(input, put, (key, value), {}, "setitem")
        return
    if _grad_state.enabled and input._grad_fn is None and input._requires_grad:
        _refuse_leaf_write(input, key, value)
    check_inplace(input, "setitem")
    if _grad_state.enabled and (input.requires_grad or getattr(value, "requires_grad", False)):
        write_result(input, put(input, key, value), "setitem")
        return
    if dual.STATE.active and (dual.has_tangent(input) or dual.has_tangent(value)):
        write_result(input, put(input, key, value), "setitem")  # forward mode: tangents too
        return
    _write(input._storage, input, key, value, False)
    input._storage.bump_version()


def _check_value(input: Tensor, value: Any) -> None:
    """PyTorch's refusal of a value that is neither a Tensor nor a Python number (a
    list, a NumPy array, a NumPy float32 or bool scalar)."""
    if isinstance(value, (Tensor, float)) or _numpy_int(value):
        return
    if isinstance(value, int) and type(value).__module__ != "numpy":
        return
    raise TypeError(f"can't assign a {typename(value)} to a {type_name(input)}")


def _numpy_int(value: Any) -> bool:
    """A NumPy integer scalar (not a 0-d array: PyTorch refuses any ndarray)."""
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ != "ndarray" and value.dtype.kind in "iu"


def _refuse_leaf_write(input: Tensor, key: Any, value: Any) -> None:
    """PyTorch's refusal of ``leaf[key] = value`` (a leaf that requires grad): after a
    basic key, the view's copy_ first checks ``value``'s shape, then refuses "a view of a
    leaf"; a key that leaves the leaf itself (``:``, ``...``) or indexes it with
    tensors refuses "a leaf"."""
    basic, advanced = split_key(key, input._backend)
    try:  # the key is applied first: its IndexError comes first
        _check_int_items(basic, tuple(input.shape))  # JAX's getitem clamps, never raises
        view = input._backend.kernels["getitem"](input._storage.array, _numpy_basic(basic))
    except IndexError as error:
        raise _index_error(error, input, key) from None
    if advanced is None and isinstance(value, Tensor):
        message = _expand_error(value, tuple(view.shape))
        if message is not None:
            raise RuntimeError(message)
    if any(_makes_view(b, n) for b, n in zip(basic, _dims_of(basic, input.shape))):
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation. (in setitem())"
        )
    check_inplace(input, "setitem")


def _check_int_items(basic: tuple, shape: tuple) -> None:
    """NumPy's IndexError for an int of a basic key outside its dimension (JAX's getitem
    clamps instead of raising; items after ``...`` index the last dimensions)."""
    items = [b for b in basic if b is not None]
    dim = 0
    for pos, item in enumerate(items):
        if item is Ellipsis:
            dim = len(shape) - len(items[pos + 1 :])
            continue
        index = int(item) if isinstance(item, Tensor) else item
        if isinstance(index, int) and dim < len(shape) and not -shape[dim] <= index < shape[dim]:
            size = shape[dim]
            raise IndexError(f"index {index} is out of bounds for axis {dim} with size {size}")
        dim += 1


def _dims_of(basic: tuple, shape: tuple) -> list:
    """The size of the dimension each basic key item indexes (None where it is not a
    dimension: ``None``, ``...``)."""
    sizes, i = [], 0
    for item in basic:
        if item is None:
            sizes.append(None)
        elif item is Ellipsis:
            sizes.append(None)
            i = len(shape) - sum(b is not None and b is not Ellipsis for b in basic)
        else:
            sizes.append(shape[i] if i < len(shape) else None)
            i += 1
    return sizes


def _makes_view(item: Any, size: int | None) -> bool:
    """Whether PyTorch applies basic key ``item`` as a view (a full slice it skips)."""
    if item is Ellipsis:
        return False
    if isinstance(item, slice):
        start, stop, step = item.indices(size) if size is not None else (0, 0, 1)
        return size is None or not (start == 0 and stop == size and step == 1)
    return True  # an int, a 0-d index tensor, None


def index_put(input: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """Out of place: ``input`` with ``values`` at the index tensors ``indices`` (a tuple,
    one per leading dimension), added where ``accumulate``."""
    key = tuple(slice(None) if i is None else i for i in indices)
    basic, advanced = split_key(key, input._backend)
    key = advanced if advanced is not None else key
    return put(input, key, values, accumulate)


FUNCTIONS = {"index_put": index_put}

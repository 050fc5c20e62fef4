"""Basic indexing: ``t[int]``, ``t[slice]``, ``None`` and ``...``, as views.

``t[key]`` is applied as PyTorch applies it: dimension by dimension, an int becomes a
``select`` (SelectBackward0) and a slice a ``slice`` (SliceBackward0), so the graph has
PyTorch's nodes. Their backward ops scatter the gradient into zeros of the input's
shape, and are themselves differentiable (for higher-order gradients).
"""

from __future__ import annotations

from typing import Any

from ..batching_rules import writable_copy
from ..tensor import Tensor, _wrap_dim
from .dispatch import finish
from .record import INDEXING, OpRecord
from .shape import _view_result, unsqueeze


def _key(dim: int, index: Any) -> tuple:
    # The trailing ``...`` makes the key index every dimension, as the array API requires.
    return (slice(None),) * dim + (index, Ellipsis)


def _scatter_backward(g: Tensor, shape: tuple, dim: int, index: Any, record: OpRecord):
    """Zeros of ``shape`` with ``g`` written at ``index`` along ``dim``."""
    k = g._backend.kernels
    zeros = k["zeros"](shape, g._backend.native_dtype(g._dtype))
    zeros = writable_copy(k, zeros, g._storage.array)  # batched like g inside vmap
    array = k["setitem"](zeros, _key(dim, index), g._storage.array)
    return finish(record, array, g._dtype, g._backend, (g,), {"dim": dim, "index": index})


SELECT = OpRecord(
    "select", INDEXING, "SelectBackward0", "getitem",
    save=("self.shape", "dim", "index"),
    grads=(lambda g, shape, dim, index: _scatter_backward(g, shape, dim, index, SELECT_BACKWARD),),
    jvp=lambda us, out, shape, dim, index: select(us[0], dim, index),  # the same view
)  # fmt: skip
SLICE = OpRecord(
    "slice", INDEXING, "SliceBackward0", "getitem",
    save=("self.shape", "dim", "index"),
    grads=(lambda g, shape, dim, index: _scatter_backward(g, shape, dim, index, SLICE_BACKWARD),),
    jvp=lambda us, out, shape, dim, index: _slice(us[0], dim, index),
)  # fmt: skip
SELECT_BACKWARD = OpRecord(
    "select_backward", INDEXING, "SelectBackwardBackward0", "setitem",
    save=("dim", "index"), grads=(lambda g, dim, index: select(g, dim, index),),
    jvp=lambda us, out, dim, index: _scatter_backward(us[0], out.shape, dim, index,
                                                      SELECT_BACKWARD),
)  # fmt: skip
SLICE_BACKWARD = OpRecord(
    "slice_backward", INDEXING, "SliceBackwardBackward0", "setitem",
    save=("dim", "index"), grads=(lambda g, dim, index: _slice(g, dim, index),),
    jvp=lambda us, out, dim, index: _scatter_backward(us[0], out.shape, dim, index,
                                                      SLICE_BACKWARD),
)  # fmt: skip

# ``t[...]`` and ``t[()]``: the whole tensor, as a new view.
ALIAS = OpRecord(
    "alias", INDEXING, "AliasBackward0", "getitem", grads=(lambda g: g,),
    jvp=lambda us, out: us[0].view_as(us[0]),  # forward mode: an alias of the tangent
)  # fmt: skip

RECORDS = (SELECT, SLICE, SELECT_BACKWARD, SLICE_BACKWARD, ALIAS)


ZERO_DIM = (
    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
    "C++ to convert a 0-dim tensor to a number"
)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim``, with that dimension removed."""
    if input.dim() == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _wrap_dim(dim, input.dim(), "select")
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {dim}"
        )
    index = index + size if index < 0 else index
    return _view_result(SELECT, input, "getitem", (_key(dim, index),), {"dim": dim, "index": index})


def _slice(input: Tensor, dim: int, index: slice) -> Tensor:
    return _view_result(SLICE, input, "getitem", (_key(dim, index),), {"dim": dim, "index": index})


def _normalized_slice(s: slice, size: int) -> slice:
    if s.step == 0:  # Python's slice.indices words it so, and PyTorch lets it
        raise ValueError("slice step cannot be zero")
    if s.step is not None and s.step < 0:
        raise ValueError("step must be greater than zero")
    start, stop, step = s.indices(size)
    return slice(start, max(start, stop), step)


def basic_getitem(input: Tensor, key: Any) -> Tensor:
    """``input[key]`` for a key of ints, slices, ``None`` and ``...`` only: a view.
    (``Tensor.__getitem__`` is :func:`.advanced_indexing.getitem`, which sends index
    tensors, lists and masks elsewhere.)"""
    items = key if isinstance(key, tuple) else (key,)
    _check_basic(items)
    consumed = _count_indices(input, items)
    out, dim, source = input, 0, 0  # source: the dimension of ``input`` being indexed
    for k in items:
        if k is Ellipsis:
            dim, source = dim + input.dim() - consumed, source + input.dim() - consumed
        elif k is None:
            out, dim = unsqueeze(out, dim), dim + 1
        elif isinstance(k, slice):
            k = _normalized_slice(k, out.shape[dim])
            # Inside a tuple a full slice is skipped, as in PyTorch; ``t[:]`` alone is not.
            if k != slice(0, out.shape[dim], 1) or not isinstance(key, tuple):
                out = _slice(out, dim, k)
            dim, source = dim + 1, source + 1
        else:
            _check_index(int(k), out.shape[dim], source)
            out, source = select(out, dim, int(k)), source + 1
    return _view_result(ALIAS, input, "getitem", ((Ellipsis,),)) if out is input else out


def _count_indices(input: Tensor, items: tuple) -> int:
    """How many dimensions of ``input`` the index items consume (IndexError if too many)."""
    consumed = sum(1 for k in items if k is not None and k is not Ellipsis)
    if consumed > input.dim():
        if input.dim() == 0:
            raise IndexError(ZERO_DIM)
        raise IndexError(f"too many indices for tensor of dimension {input.dim()} (got {consumed})")
    return consumed


def _check_index(index: int, size: int, dim: int) -> None:
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")


def _check_basic(items: tuple) -> None:
    if sum(1 for k in items if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    for k in items:
        if k is None or k is Ellipsis or isinstance(k, slice):
            continue
        if isinstance(k, int) and not isinstance(k, bool):
            continue
        if isinstance(k, Tensor) and k.dim() == 0 and not k.dtype.is_floating_point:
            continue
        if isinstance(k, str):  # PyTorch tries to make a tensor of it
            raise TypeError("new(): invalid data type 'str'")
        raise IndexError(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
            f"are valid indices (got {type(k).__name__})"
        )


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The ``length`` elements from ``start`` along ``dim``, as a view (SliceBackward0)."""
    dim = _wrap_dim(dim, input.dim(), "narrow")
    size = input.shape[dim]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    start = start + size if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice(input, dim, slice(start, start + length, 1))


FUNCTIONS = {"select": select, "narrow": narrow}

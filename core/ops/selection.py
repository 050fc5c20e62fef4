"""Order statistics along a dim: ``kthvalue``, ``median``, ``nanmedian`` and ``mode``.

Each sorts with :func:`~retrograd.ops.sorting.sorted_along` (stable, NaN largest) and
picks one position per row, so a tie resolves to the element that comes first in the
stable order (``mode``: last, as PyTorch's CPU kernel does). PyTorch's choices at NaN:
``median`` of a row holding NaN is NaN, at the index of its first NaN; ``nanmedian``
takes the lower median of the other values (NaN, at the first NaN, when all are NaN).

Nodes: along a dim, ``KthvalueBackward0``, ``MedianBackward1``, ``NanmedianBackward1`` and
``ModeBackward0`` send the gradient to the returned index; the whole-tensor
``MedianBackward0``/``NanmedianBackward0`` share it evenly among the elements equal to the
result (the NaNs, when it is NaN), as PyTorch does.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..creation import arange
from ..grad_mode import no_grad
from ..tensor import Tensor
from . import return_types
from .dispatch import finish
from .extrema import _check_nonempty, _nan_split, _selected
from .helpers import check_keepdim, check_tensor, full_on, not_implemented, one_dim
from .joining import cat
from .record import REDUCTION, OpRecord
from .sorting import _finish_selection, sorted_along

_SAVE = ("self.shape", "dim", "indices", "keepdim")
_AT_INDEX = "the gradient goes to the returned index"
_EVEN = "ties share the gradient evenly; a NaN result: the NaNs share it"


def _picking(name: str, grad_fn: str, **kw: Any) -> OpRecord:
    return OpRecord(name, REDUCTION, grad_fn, "sort", save=_SAVE, grads=(_selected,),
                    smooth=False, doc=_AT_INDEX, **kw)  # fmt: skip


def _whole(name: str, grad_fn: str) -> OpRecord:
    return OpRecord(name, REDUCTION, grad_fn, "sort", save=("self", "result"),
                    grads=(_nan_split,), smooth=False, doc=_EVEN)  # fmt: skip


KTHVALUE = _picking("kthvalue", "KthvalueBackward0")
MEDIAN = _whole("median", "MedianBackward0")
MEDIAN_DIM = _picking("median_dim", "MedianBackward1", public="median")
NANMEDIAN = _whole("nanmedian", "NanmedianBackward0")
NANMEDIAN_DIM = _picking("nanmedian_dim", "NanmedianBackward1", public="nanmedian")
MODE = _picking("mode", "ModeBackward0")
RECORDS = (KTHVALUE, MEDIAN, MEDIAN_DIM, NANMEDIAN, NANMEDIAN_DIM, MODE)


def _pick(sorted_pair: tuple, dim: int, position: Tensor, keepdim: bool) -> tuple:
    """The sorted values and indices at ``position`` (keepdim-shaped) along ``dim``."""
    values, indices = (t.gather(dim, position) for t in sorted_pair)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return values, indices


def _prepared(
    op: str, input: Tensor, dim: int, keepdim: bool, along: bool = True
) -> tuple[Tensor, int]:
    """``input`` and ``dim`` checked, with PyTorch's refusals of bool input: its median
    kernels' names (``median_cpu`` for all elements; ``median_out``, with no device, along
    a dim)."""
    check_tensor(op, input)
    check_keepdim(op, keepdim)
    dim = one_dim(op, input, dim)
    if input.dtype is dtypes.bool and op != "mode":
        if op.endswith("median") and along:
            raise NotImplementedError("\"median_out\" not implemented for 'Bool'")
        kernel = "median" if op.endswith("median") else op
        raise not_implemented(kernel, input._backend, input.dtype)
    return input, dim


def _result(record: OpRecord, rtype: type, input: Tensor, dim: int, keepdim: bool, pick: Any):
    """Sort ``input`` along ``dim``, let ``pick(sorted values, size)`` say which sorted
    position each row takes (keepdim-shaped int64), and return ``rtype(values, indices)``."""
    with no_grad():
        flat = input.reshape(1) if input.dim() == 0 else input
        pair = sorted_along(flat, dim)
        position = pick(pair[0], flat.shape[dim])
        values, indices = _pick(pair, dim, position, keepdim or not input.dim())
        if input.dim() == 0:
            values, indices = values.reshape(()), indices.reshape(())
    out = _finish_selection(record, input, values, indices, dim, keepdim)
    return rtype(out, indices)


def _keep_shape(values: Tensor, dim: int) -> tuple:
    return (*values.shape[:dim], 1, *values.shape[dim + 1 :])


def _nan_count(values: Tensor, dim: int) -> Tensor:
    """The NaNs of each row along ``dim`` (keepdim-shaped; none in an integer tensor)."""
    if not values.dtype.is_floating_point:
        return full_on(values, _keep_shape(values, dim), 0, dtypes.int64)
    return values.isnan().sum(dim, keepdim=True)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """``(values, indices)``: the ``k``-th smallest element (1-based) along ``dim``."""
    input, dim = _prepared("kthvalue", input, dim, keepdim)
    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"kthvalue(): argument 'k' must be int, not {type(k).__name__}")
    size = input.shape[dim] if input.dim() else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")

    def pick(values: Tensor, n: int) -> Tensor:
        return full_on(values, _keep_shape(values, dim), k - 1, dtypes.int64)

    return _result(KTHVALUE, return_types.kthvalue, input, dim, keepdim, pick)


def _median_position(values: Tensor, n: int, dim: int) -> Tensor:
    """The lower middle; in a row holding NaN, its first NaN (NaN sorts last)."""
    nans = _nan_count(values, dim)
    return (nans > 0).to(dtypes.int64) * (n - nans - (n - 1) // 2) + (n - 1) // 2


def _nanmedian_position(values: Tensor, n: int, dim: int) -> Tensor:
    """The lower middle of the values that are not NaN (the first NaN if all are)."""
    return (n - _nan_count(values, dim) - 1).clamp(min=0) // 2


def _median(whole: OpRecord, along: OpRecord, rtype: type, position: Any) -> Any:
    def op(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
        if dim is None:
            return _whole_median(whole, input, position)
        input, dim = _prepared(whole.name, input, dim, keepdim)
        # PyTorch's nanmedian names median here
        _check_nonempty("median", input, (dim,) if input.dim() else ())
        pick = lambda values, n: position(values, n, dim)  # noqa: E731
        return _result(along, rtype, input, dim, keepdim, pick)

    op.__name__ = whole.name
    op.__doc__ = (
        f"``{whole.name}(input)``: the lower median of all elements; ``{whole.name}(input, "
        "dim, keepdim=False)``: ``(values, indices)`` along ``dim``."
    )
    return op


def _whole_median(record: OpRecord, input: Tensor, position: Any) -> Tensor:
    """The median of all elements (NaN for an empty tensor, as PyTorch's)."""
    input, _ = _prepared(record.name, input, 0, False, along=False)
    with no_grad():
        flat = input.reshape(-1)
        if flat.numel() == 0:
            flat = full_on(input, (1,), float("nan"))
        pair = sorted_along(flat, 0)
        values, _ = _pick(pair, 0, position(pair[0], flat.numel(), 0), False)
    return finish(record, values._storage.array, input._dtype, input._backend, (input,))


def _mode_position(values: Tensor, n: int, dim: int) -> Tensor:
    """The end of the longest run of equal sorted values (the first such run: the
    smallest value); NaNs count as one value."""
    ahead, behind = values.narrow(dim, 1, n - 1), values.narrow(dim, 0, n - 1)
    same = ahead == behind
    if values.dtype.is_floating_point:
        same = same | (ahead.isnan() & behind.isnan())
    edge = full_on(values, _keep_shape(values, dim), True, dtypes.bool)
    starts = cat([edge, same.logical_not()], dim)
    ends = cat([same.logical_not(), edge], dim)
    shape = [1] * values.dim()
    shape[dim] = n
    positions = arange(n, backend=values.backend).reshape(shape)
    start_of_run = (positions * starts).cummax(dim).values
    lengths = (positions - start_of_run + 1) * ends
    return lengths.argmax(dim, keepdim=True)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest among
    equally frequent ones) and the index of its last occurrence."""
    input, dim = _prepared("mode", input, dim, keepdim)
    _check_nonempty("mode", input, (dim,) if input.dim() else ())
    pick = lambda values, n: _mode_position(values, n, dim)  # noqa: E731
    return _result(MODE, return_types.mode, input, dim, keepdim, pick)


FUNCTIONS = {
    "kthvalue": kthvalue,
    "median": _median(MEDIAN, MEDIAN_DIM, return_types.median, _median_position),
    "nanmedian": _median(NANMEDIAN, NANMEDIAN_DIM, return_types.nanmedian, _nanmedian_position),
    "mode": mode,
}

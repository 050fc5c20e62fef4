"""Sorting: ``sort``, ``argsort``, ``msort`` and ``topk``.

Each runs the backends' one ``sort`` kernel: a stable sort in which NaN is the largest
value and ``-0.0`` equals ``0.0`` (PyTorch's order; its CPU sort is stable whether or not
``stable=True`` is asked, so ties keep their order and the indices are PyTorch's).
``sort`` records PyTorch's ``SortBackward0``, or ``SortBackward1`` when ``stable`` is
passed (PyTorch's ``sort.stable`` overload); ``topk`` records ``TopkBackward0``. Their
rule sends each output's gradient to the input element its index names, written with
``scatter``, so it is differentiable again.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..arguments import MISSING
from ..grad_mode import no_grad
from ..tensor import Tensor
from . import return_types
from .dispatch import finish
from .extrema import _selected
from .helpers import check_tensor, one_dim
from .record import REDUCTION, OpRecord, composite

_SAVE = ("self.shape", "dim", "indices", "keepdim")
_DOC = "the gradient goes to the selected indices (ties: stable order, NaN largest)"


def _selecting(name: str, grad_fn: str, **kw: Any) -> OpRecord:
    return OpRecord(name, REDUCTION, grad_fn, "sort", save=_SAVE, grads=(_selected,),
                    smooth=False, doc=_DOC, **kw)  # fmt: skip


SORT = _selecting("sort", "SortBackward0")
SORT_STABLE = _selecting("sort_stable", "SortBackward1", public="sort")
TOPK = _selecting("topk", "TopkBackward0")
RECORDS = (SORT, SORT_STABLE, TOPK)


def sorted_along(input: Tensor, dim: int, descending: bool = False) -> tuple[Tensor, Tensor]:
    """``input`` sorted along (wrapped) ``dim`` and the int64 indices, as plain tensors
    (no graph): the one place the ``sort`` kernel is called. A 0-d or empty input is its
    own sort (indices 0)."""
    backend, array = input._backend, input._storage.array
    if input.dim() == 0 or input.numel() == 0:
        values = backend.kernels["copy"](array)
        shape, int64 = tuple(input.shape), backend.native_dtype(dtypes.int64)
        indices = backend.kernels["zeros"](shape, int64)
    else:
        values, indices = backend.kernels["sort"](array, dim, descending)
    return Tensor._make(values, input._dtype, backend), Tensor._make(indices, dtypes.int64, backend)


def _check_flag(op: str, name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{op}(): argument '{name}' must be bool, not {type(value).__name__}")


def _finish_selection(
    record: OpRecord, input: Tensor, values: Tensor, indices: Tensor, dim: int, keepdim: bool
) -> Tensor:
    """The selected ``values`` (a plain tensor) as the op's result, its node saving where
    they came from."""
    params = {"dim": dim, "indices": indices, "keepdim": keepdim}
    array = values._storage.array
    return finish(record, array, input._dtype, input._backend, (input,), params)


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: Any = MISSING) -> Any:
    """``(values, indices)``: ``input`` sorted along ``dim`` (ascending unless
    ``descending``). Always stable: equal elements keep their order; NaN sorts as the
    largest value. Passing ``stable`` (any value) records ``SortBackward1``."""
    check_tensor("sort", input)
    dim = one_dim("sort", input, dim)
    _check_flag("sort", "descending", descending)
    if stable is not MISSING and stable is not None:
        _check_flag("sort", "stable", stable)
    values, indices = sorted_along(input, dim, descending)
    record = SORT if stable is MISSING else SORT_STABLE
    out = _finish_selection(record, input, values, indices, dim, True)
    return return_types.sort(out, indices)


def argsort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (``sort(...).indices``)."""
    check_tensor("argsort", input)
    dim = one_dim("argsort", input, dim)
    _check_flag("argsort", "descending", descending)
    _check_flag("argsort", "stable", stable)
    return sorted_along(input, dim, descending)[1]


@composite()
def msort(input: Tensor) -> Tensor:
    """``input`` sorted along its first dim: ``sort(input, dim=0).values``."""
    check_tensor("msort", input)
    return sort(input, 0).values


def _check_k(input: Tensor, k: Any, dim: int) -> None:
    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"topk(): argument 'k' (position 2) must be int, not {type(k).__name__}")
    size = input.shape[dim] if input.dim() else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """``(values, indices)``: the ``k`` largest (``largest=False``: smallest) elements
    along ``dim``, in order (also when ``sorted=False``: PyTorch leaves that order open).
    NaN is the largest value; ties keep their order."""
    check_tensor("topk", input)
    dim = one_dim("topk", input, dim)
    _check_k(input, k, dim)
    _check_flag("topk", "largest", largest)
    _check_flag("topk", "sorted", sorted)
    if input.dtype is dtypes.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    with no_grad():
        values, indices = sorted_along(input, dim, largest)
        if input.dim():
            values, indices = values.narrow(dim, 0, k), indices.narrow(dim, 0, k)
    out = _finish_selection(TOPK, input, values, indices, dim, True)
    return return_types.topk(out, indices)


FUNCTIONS = {"sort": sort, "argsort": argsort, "msort": msort, "topk": topk}

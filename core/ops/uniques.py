"""``unique`` and ``unique_consecutive``: the distinct values (or slices along ``dim``),
with the inverse indices and counts when asked.

PyTorch records them (``Unique2Backward0``, ``UniqueDimBackward0``,
``UniqueConsecutiveBackward0``) but has no derivative: a backward through one raises its
NotImplementedError. ``unique`` sorts (the CPU's result is sorted whether or not
``sorted=True``), slices along ``dim`` in lexicographic order; NaNs are never equal, so
each is its own value, while ``-0.0`` and ``0.0`` are one (the first in stable order).
Sizes depend on the values, so a lazy backend computes the count of distinct values.
"""

from __future__ import annotations

import math
from typing import Any

from ..creation import arange
from ..grad_mode import no_grad
from ..materialize import materialize
from ..tensor import Tensor
from .dispatch import finish
from .helpers import check_tensor, one_dim, zeros_on
from .joining import cat
from .record import REDUCTION, OpRecord
from .sorting import sorted_along


def _distinct(name: str, grad_fn: str, aten: str) -> OpRecord:
    return OpRecord(name, REDUCTION, grad_fn, "sort", smooth=False, no_derivative=aten,
                    doc="no derivative: backward raises, as in PyTorch",
                    public=name.split("_dim")[0])  # fmt: skip


UNIQUE = _distinct("unique", "Unique2Backward0", "_unique2")
UNIQUE_DIM = _distinct("unique_dim", "UniqueDimBackward0", "unique_dim")
UNIQUE_CONSECUTIVE = _distinct(
    "unique_consecutive", "UniqueConsecutiveBackward0", "unique_consecutive"
)
RECORDS = (UNIQUE, UNIQUE_DIM, UNIQUE_CONSECUTIVE)


def _lexicographic_order(rows: Tensor) -> Tensor:
    """The stable order of ``rows`` (n, m) by their columns, first column first: one
    stable sort per column, last column first."""
    order = arange(rows.shape[0], backend=rows.backend)
    for column in reversed(range(rows.shape[1])):
        order = order[sorted_along(rows[order, column], 0)[1]]
        # A lazy backend's recipe of ``order`` doubles with each column (it is read
        # twice per step): computed now, it stays one step deep. unique computes anyway
        # (its size depends on the values); an eager backend has nothing to do here.
        materialize(order)
    return order


def _groups(rows: Tensor, order: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """For ``rows`` (n, m) taken in ``order``: which ordered rows start a new value, the
    inverse (each original row's group) and the counts."""
    ordered = rows[order]
    differs = (ordered[1:] != ordered[:-1]).any(1)
    starts = cat([differs.new_ones((1,)), differs], 0) if rows.shape[0] else differs
    group = starts.long().cumsum(0) - 1
    inverse = zeros_on(order, (rows.shape[0],)).scatter(0, order, group)
    count = int(starts.sum())  # the result's size: read now, on a lazy backend too
    counts = zeros_on(order, (count,)).scatter_add(0, group, group.new_ones(group.shape))
    return starts, inverse, counts


def _run(record: OpRecord, input: Tensor, dim: Any, sort: bool, want: tuple) -> Any:
    """The distinct values of ``input`` (as rows of its ``dim``, or elements) and what
    ``want`` says of ``(inverse, counts)``."""
    with no_grad():
        if dim is None:
            moved, rows = input.reshape(-1), input.reshape(-1, 1)
        else:
            moved = input.movedim(dim, 0)
            rows = moved.reshape(moved.shape[0], math.prod(moved.shape[1:]))
        order = _order(rows, sort)
        starts, inverse, counts = _groups(rows, order)
        values = moved[order[starts]]
        if dim is not None:
            values = values.movedim(0, dim)
            inverse = inverse.reshape(input.shape[dim])
        else:
            inverse = inverse.reshape(input.shape)
    out = finish(record, values._storage.array, input._dtype, input._backend, (input,))
    extra = tuple(t for t, wanted in zip((inverse, counts), want) if wanted)
    return (out, *extra) if extra else out


def _order(rows: Tensor, sort: bool) -> Tensor:
    if not sort:
        return arange(rows.shape[0], backend=rows.backend)
    if rows.shape[1] == 1:
        return sorted_along(rows[:, 0], 0)[1]
    return _lexicographic_order(rows)


def _checked_dim(op: str, input: Tensor, dim: Any) -> Any:
    if dim is None:
        return None
    dim = one_dim(op, input, dim)
    others_empty = any(s == 0 for d, s in enumerate(input.shape) if d != dim)
    if input.dim() and others_empty and input.shape[dim] != 0:
        raise RuntimeError(
            "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied"
        )
    return dim


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The sorted distinct elements of ``input`` (``dim``: its distinct slices along
    ``dim``); with ``return_inverse`` each element's index into them, with
    ``return_counts`` how often each occurs."""
    check_tensor("unique", input)
    dim = _checked_dim("unique", input, dim)
    record = UNIQUE if dim is None else UNIQUE_DIM
    return _run(record, input, dim, True, (return_inverse, return_counts))


def unique_consecutive(
    input: Tensor, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
) -> Any:
    """:func:`unique` of each run of equal consecutive elements (or slices), unsorted."""
    check_tensor("unique_consecutive", input)
    dim = _checked_dim("unique_consecutive", input, dim)
    return _run(UNIQUE_CONSECUTIVE, input, dim, False, (return_inverse, return_counts))


FUNCTIONS = {"unique": unique, "unique_consecutive": unique_consecutive}

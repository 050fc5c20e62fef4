"""The conformance entries of ``retrograd/ops/{sorting,selection,uniques}.py``: how each
sorting and selection record is sampled, called and computed by a reference.

The drawn values are distinct (ties, NaN and PyTorch's index choices at them are
``tests/test_ops_sorting.py``'s, against PyTorch itself), so the references need no tie
rule: a stable ``argsort`` of the array (of its negation, descending) and the positions
each op picks. Each reference is written against ``xp`` (NumPy, and ``jax.numpy`` for
the ``jax.vjp`` second opinion).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from retrograd.ops.record import OpRecord

from .entries import Entry, function
from .samples import Sample, values_for


def _tensor_and_dim(record: OpRecord, draw: Any, dtype: str) -> tuple[np.ndarray, int]:
    shape = draw.shape(min_dims=1)
    dim = draw.integer(-len(shape), len(shape) - 1)
    return values_for(record, draw, shape, dtype), dim


def _sort_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """One tensor, a ``dim`` and ``descending`` either way."""
    a, dim = _tensor_and_dim(record, draw, dtype)
    return Sample((a,), {"dim": dim, "descending": draw.choice((False, True))})


def _topk_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``k`` from 0 to the size of ``dim``, ``largest`` either way."""
    a, dim = _tensor_and_dim(record, draw, dtype)
    k = draw.integer(0, a.shape[dim])
    return Sample((a,), {"k": k, "dim": dim, "largest": draw.choice((True, False))})


def _kthvalue_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``k`` from 1 to the size of ``dim``, ``keepdim`` either way."""
    a, dim = _tensor_and_dim(record, draw, dtype)
    k = draw.integer(1, a.shape[dim])
    return Sample((a,), {"k": k, "dim": dim, "keepdim": draw.choice((False, True))})


def _dim_keepdim_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    a, dim = _tensor_and_dim(record, draw, dtype)
    return Sample((a,), {"dim": dim, "keepdim": draw.choice((False, True))})


def _one_dim_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    a, dim = _tensor_and_dim(record, draw, dtype)
    return Sample((a,), {"dim": dim})


def _whole_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """One tensor of any shape (0-d included), no other argument."""
    return Sample((values_for(record, draw, draw.shape(), dtype),))


def _sorted(xp: Any, a: Any, dim: int, descending: bool = False) -> tuple:
    order = xp.argsort(-a if descending else a, axis=dim, stable=True)
    return xp.take_along_axis(a, order, axis=dim), order


def _at(xp: Any, pair: tuple, dim: int, position: int, keepdim: bool) -> tuple:
    """The sorted values and indices at ``position`` along ``dim``."""
    picked = tuple(xp.take(t, xp.asarray([position]), axis=dim) for t in pair)
    return picked if keepdim else tuple(xp.squeeze(t, axis=dim) for t in picked)


def _first(xp: Any, pair: tuple, dim: int, k: int) -> tuple:
    """The first ``k`` sorted values and indices along ``dim``."""
    return tuple(xp.take(t, xp.arange(k), axis=dim) for t in pair)


def _median_of_all(xp: Any, a: Any) -> Any:
    flat = xp.reshape(a, (-1,))
    if flat.shape[0] == 0:
        return xp.asarray(float("nan"), dtype=a.dtype)
    return xp.sort(flat)[(flat.shape[0] - 1) // 2]


def _median_along(xp: Any, a: Any, dim: int, keepdim: bool) -> tuple:
    return _at(xp, _sorted(xp, a, dim), dim, (a.shape[dim] - 1) // 2, keepdim)


def _unique_consecutive(xp: Any, a: Any) -> Any:
    flat = np.reshape(np.asarray(a), (-1,))
    keep = np.concatenate([[True], flat[1:] != flat[:-1]]) if flat.size else flat > 0
    return flat[keep]


SORTING = {
    "sort": Entry(_sort_sample, ref=_sorted),
    "sort_stable": Entry(
        _sort_sample,
        lambda a, dim, descending: function("sort")(a, dim=dim, descending=descending, stable=True),
        _sorted,
    ),
    "topk": Entry(
        _topk_sample,
        ref=lambda xp, a, k, dim, largest: _first(xp, _sorted(xp, a, dim, largest), dim, k),
    ),
    "kthvalue": Entry(
        _kthvalue_sample,
        ref=lambda xp, a, k, dim, keepdim: _at(xp, _sorted(xp, a, dim), dim, k - 1, keepdim),
    ),
    "median": Entry(_whole_sample, ref=_median_of_all),
    "nanmedian": Entry(_whole_sample, ref=_median_of_all),
    "median_dim": Entry(_dim_keepdim_sample, function("median"), _median_along),
    "nanmedian_dim": Entry(_dim_keepdim_sample, function("nanmedian"), _median_along),
    # distinct values: each occurs once, so the mode is the smallest (at its index)
    "mode": Entry(
        _dim_keepdim_sample,
        ref=lambda xp, a, dim, keepdim: (
            xp.min(a, axis=dim, keepdims=keepdim),
            xp.argmin(a, axis=dim, keepdims=keepdim),
        ),
    ),
    "unique": Entry(_whole_sample, ref=lambda xp, a: np.unique(np.asarray(a))),
    "unique_dim": Entry(
        _one_dim_sample,
        function("unique"),
        lambda xp, a, dim: np.unique(np.asarray(a), axis=dim),
    ),
    "unique_consecutive": Entry(_whole_sample, ref=_unique_consecutive),
}

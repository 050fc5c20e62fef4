"""Samples and references of ``retrograd/ops/diagonals.py`` (``diagonal`` and its copy,
``diagonal_scatter``, ``select_scatter``, ``slice_scatter``) and of ``Tensor.unfold``.

The references work on any ``xp`` (NumPy, and JAX under ``jit``): the diagonal is
``xp.diagonal``, the scatters write functionally (:func:`~.entries.put`), the diagonal
through its two axes moved last.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from retrograd.ops.record import OpRecord

from .entries import put
from .samples import Sample, values_for


def _diagonal_params(draw: Any, shape: tuple) -> dict[str, int]:
    n = len(shape)
    dim1 = draw.integer(0, n - 1)
    dim2 = (dim1 + draw.integer(1, n - 1)) % n
    return {"offset": draw.choice((0, 1, -1, 2)), "dim1": dim1, "dim2": dim2}


def diagonal(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=2)
    return Sample((values_for(record, draw, shape, dtype),), _diagonal_params(draw, shape))


def diagonal_scatter(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=2)
    params = _diagonal_params(draw, shape)
    side = np.diagonal(np.zeros(shape), params["offset"], params["dim1"], params["dim2"]).shape
    a, src = values_for(record, draw, shape, dtype), values_for(record, draw, side, dtype)
    return Sample((a, src), params)


def select_scatter(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=1)
    dim = draw.integer(0, len(shape) - 1)
    index = draw.integer(-shape[dim], shape[dim] - 1)
    side = shape[:dim] + shape[dim + 1 :]
    a, src = values_for(record, draw, shape, dtype), values_for(record, draw, side, dtype)
    return Sample((a, src), {"dim": dim, "index": index})


def slice_scatter(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=1)
    dim = draw.integer(0, len(shape) - 1)
    start, step = draw.integer(0, shape[dim] - 1), draw.choice((1, 2))
    key = (slice(None),) * dim + (slice(start, None, step),)
    side = np.zeros(shape)[key].shape
    a, src = values_for(record, draw, shape, dtype), values_for(record, draw, side, dtype)
    return Sample((a, src), {"dim": dim, "start": start, "end": None, "step": step})


def diagonal_ref(xp: Any, a: Any, offset: int, dim1: int, dim2: int) -> Any:
    return xp.diagonal(a, offset, dim1, dim2)


def diagonal_scattered(xp: Any, a: Any, src: Any, offset: int, dim1: int, dim2: int) -> Any:
    moved = xp.moveaxis(a, (dim1, dim2), (-2, -1))
    n = src.shape[-1]
    rows, cols = np.arange(n) + max(-offset, 0), np.arange(n) + max(offset, 0)
    return xp.moveaxis(put(xp, moved, (Ellipsis, rows, cols), src), (-2, -1), (dim1, dim2))


def select_scattered(xp: Any, a: Any, src: Any, dim: int, index: int) -> Any:
    return put(xp, a, (slice(None),) * dim + (index,), src)


def slice_scattered(xp: Any, a: Any, src: Any, dim: int, start: int, end: Any, step: int) -> Any:
    return put(xp, a, (slice(None),) * dim + (slice(start, end, step),), src)


def unfold(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``t.unfold(dimension, size, step)``: windows that fit, overlapping or not."""
    shape = draw.shape(min_dims=1)
    dimension = draw.integer(0, len(shape) - 1)
    size = draw.integer(1, shape[dimension])
    params = {"dimension": dimension, "size": size, "step": draw.choice((1, 2, 3))}
    return Sample((values_for(record, draw, shape, dtype),), params)


def unfolded(xp: Any, a: Any, dimension: int, size: int, step: int) -> Any:
    count = (a.shape[dimension] - size) // step + 1
    window = np.arange(count)[:, None] * step + np.arange(size)[None, :]
    return xp.moveaxis(xp.take(a, window, axis=dimension), dimension + 1, -1)

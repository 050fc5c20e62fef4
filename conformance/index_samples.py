"""Samples, calls and references of ``retrograd/ops/index_ops.py``: ``index_add``,
``index_copy`` and ``index_fill`` (a number or a 0-d tensor).

The index is a vector of distinct positions along ``dim`` (``index_copy`` and
``index_fill`` write each position once; ``index_add`` would accumulate repeats, as the
reference's ``np.add.at`` does, but distinct positions keep the finite differences of
every record alike).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from retrograd.ops.record import OpRecord

from .entries import public, put
from .samples import Sample, values_for


def _dim_and_index(draw: Any, shape: tuple) -> tuple[int, np.ndarray]:
    dim = draw.integer(0, len(shape) - 1)
    count = draw.integer(1, shape[dim])
    return dim, draw.rng.permutation(shape[dim])[:count].astype(np.int64)


def with_source(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``index_add``/``index_copy``: the input and a source of the index's length."""
    shape = draw.shape(min_dims=1)
    dim, index = _dim_and_index(draw, shape)
    side = list(shape)
    side[dim] = len(index)
    source = values_for(record, draw, tuple(side), dtype)
    params: dict[str, Any] = {"dim": dim, "index": index}
    if record.name == "index_add":
        params["alpha"] = draw.choice((1, 2.5))
    return Sample((values_for(record, draw, shape, dtype), source), params)


def fill(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``index_fill``: a number (``value=``), or a 0-d tensor as the second input."""
    shape = draw.shape(min_dims=1)
    dim, index = _dim_and_index(draw, shape)
    arrays = (values_for(record, draw, shape, dtype),)
    params: dict[str, Any] = {"dim": dim, "index": index}
    if record.name == "index_fill":
        params["value"] = draw.choice((1.5, -2.0))
    else:
        arrays += (values_for(record, draw, (), dtype),)
    return Sample(arrays, params)


def index_add_call(a: Any, source: Any, dim: int, index: Any, alpha: Any) -> Any:
    return public("index_add")(a, dim, index, source, alpha=alpha)


def index_copy_call(a: Any, source: Any, dim: int, index: Any) -> Any:
    return public("index_copy")(a, dim, index, source)


def index_fill_call(a: Any, *value: Any, dim: int, index: Any, **number: Any) -> Any:
    return public("index_fill")(a, dim, index, value[0] if value else number["value"])


def _key(dim: int, index: Any) -> tuple:
    return (slice(None),) * dim + (index,)


def added(xp: Any, a: Any, source: Any, dim: int, index: Any, alpha: Any) -> Any:
    return put(xp, a, _key(dim, index), alpha * source, add=True)


def copied(xp: Any, a: Any, source: Any, dim: int, index: Any) -> Any:
    return put(xp, a, _key(dim, index), source)


def filled(xp: Any, a: Any, *value: Any, dim: int, index: Any, **number: Any) -> Any:
    return put(xp, a, _key(dim, index), value[0] if value else number["value"])


def masked_scatter(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``masked_scatter(t, mask, source)``: a mask of ``t``'s shape, a source with at
    least as many elements as the mask has ones (its extra ones unused)."""
    shape = draw.shape(min_dims=1)
    mask = draw.rng.random(shape) < 0.5
    source = values_for(record, draw, (int(mask.size) + draw.integer(0, 2),), dtype)
    return Sample((values_for(record, draw, shape, dtype), source), {"mask": mask})


def masked_scatter_call(a: Any, source: Any, mask: Any) -> Any:
    return public("masked_scatter")(a, mask, source)


def masked_scattered(xp: Any, a: Any, source: Any, mask: Any) -> Any:
    mask = np.asarray(mask)
    order = np.maximum(np.cumsum(mask.reshape(-1)) - 1, 0).reshape(mask.shape)
    return xp.where(mask, xp.take(source, order), a)

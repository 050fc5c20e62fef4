"""Samples, call and reference of ``retrograd/ops/flat_writes.py``: ``put``.

Distinct flat indices (negative ones too), so that a write's result does not depend on
which of two repeated writes lands last, and a source of as many elements, of any
shape; ``accumulate`` drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from retrograd.ops.record import OpRecord

from .entries import public, put
from .samples import Sample, values_for


def sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=1)
    size = int(np.prod(shape))
    count = draw.integer(0, size)
    index = draw.rng.permutation(size)[:count].astype(np.int64)
    index = np.where(draw.rng.random(count) < 0.5, index - size, index)
    source = values_for(record, draw, (count,), dtype)
    params = {"index": index, "accumulate": draw.choice((True, False))}
    return Sample((values_for(record, draw, shape, dtype), source), params)


def call(a: Any, source: Any, index: Any, accumulate: bool) -> Any:
    return public("put")(a, index, source, accumulate)


def reference(xp: Any, a: Any, source: Any, index: Any, accumulate: bool) -> Any:
    flat = put(xp, xp.reshape(a, (-1,)), (np.asarray(index),), source, add=accumulate)
    return xp.reshape(flat, a.shape)

"""Samples, calls and references of ``retrograd/ops/flat_writes.py``'s ``put`` (and of
``retrograd/ops/renorm.py``'s ``renorm``, below).

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


def renorm_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``renorm(t, p, dim, maxnorm)`` (retrograd/ops/renorm.py): at least two dims, a
    ``maxnorm`` between the slices' norms, so that some are scaled and some are not."""
    shape = draw.shape(min_dims=2)
    dim = draw.integer(0, len(shape) - 1)
    p = draw.choice((1, 2, 3.5, float("inf")))
    x = values_for(record, draw, shape, dtype)
    others = tuple(d for d in range(len(shape)) if d != dim)
    norms = np.linalg.norm(np.moveaxis(x, dim, 0).reshape(shape[dim], -1), ord=p, axis=1)
    maxnorm = float(np.median(norms)) + 1e-3
    return Sample((x,), {"p": p, "dim": dim, "maxnorm": maxnorm, "others": others})


def renorm_call(a: Any, p: Any, dim: int, maxnorm: float, others: tuple) -> Any:
    return public("renorm")(a, p, dim, maxnorm)


def renormed(xp: Any, a: Any, p: Any, dim: int, maxnorm: float, others: tuple) -> Any:
    if p == float("inf"):
        norm = xp.max(xp.abs(a), axis=others, keepdims=True)
    else:
        norm = xp.sum(xp.abs(a) ** p, axis=others, keepdims=True) ** (1.0 / p)
    return a * xp.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)

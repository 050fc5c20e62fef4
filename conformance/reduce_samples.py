"""Samples, calls and references of ``retrograd/ops/scatter_reductions.py``:
``scatter_reduce`` (a full index, as ``scatter_add``) and ``index_reduce`` (a vector
index, as ``index_add``), with a drawn reduction and ``include_self``.

Repeated positions are drawn (every value written to one position takes part); values
are continuous, so ties at an extremum (where PyTorch shares the gradient) are not met
and finite differences hold. The reference is NumPy's ``<ufunc>.at`` (JAX's ``.at[]``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from retrograd.ops.record import OpRecord

from .entries import along, public, put
from .samples import Sample, values_for

_UFUNCS = {
    "sum": np.add,
    "mean": np.add,
    "prod": np.multiply,
    "amax": np.maximum,
    "amin": np.minimum,
}
_AT = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "max", "amin": "min"}
_IDENTITY = {"sum": 0.0, "mean": 0.0, "prod": 1.0, "amax": -np.inf, "amin": np.inf}


def scatter_reduce(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``scatter_reduce(t, dim, index, src, reduce, include_self=)``: an index of the
    input's dims (sides no larger), positions repeating; ``src`` of the index's shape."""
    shape = draw.shape(min_dims=1)
    dim = draw.integer(0, len(shape) - 1)
    sides = [draw.integer(1, n) for n in shape]
    index = draw.rng.integers(0, shape[dim], size=sides).astype(np.int64)
    src = values_for(record, draw, tuple(sides), dtype)
    return Sample((values_for(record, draw, shape, dtype), src), _params(draw, dim, index, 0))


def index_reduce(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``index_reduce(t, dim, index, source, reduce, include_self=)``: a vector index
    (positions repeating), a source of the index's length along ``dim``."""
    shape = draw.shape(min_dims=1)
    dim = draw.integer(0, len(shape) - 1)
    index = draw.rng.integers(0, shape[dim], size=draw.integer(1, shape[dim] + 1)).astype(np.int64)
    side = list(shape)
    side[dim] = len(index)
    source = values_for(record, draw, tuple(side), dtype)
    return Sample((values_for(record, draw, shape, dtype), source), _params(draw, dim, index, 1))


def _params(draw: Any, dim: int, index: np.ndarray, skip: int) -> dict:
    how = draw.choice(("sum", "prod", "mean", "amax", "amin")[skip:])
    return {"dim": dim, "index": index, "reduce": how, "include_self": draw.choice((True, False))}


def scatter_reduce_call(a: Any, src: Any, **params: Any) -> Any:
    return public("scatter_reduce")(a, params.pop("dim"), params.pop("index"), src, **params)


def index_reduce_call(a: Any, source: Any, **params: Any) -> Any:
    return public("index_reduce")(a, params.pop("dim"), params.pop("index"), source, **params)


def scatter_reduced(xp: Any, a: Any, src: Any, **params: Any) -> Any:
    return _reduced(xp, a, src, along(params.pop("index"), params["dim"]), **params)


def index_reduced(xp: Any, a: Any, source: Any, **params: Any) -> Any:
    key = (slice(None),) * params["dim"] + (np.asarray(params.pop("index")),)
    return _reduced(xp, a, source, key, **params)


def _reduced(
    xp: Any, a: Any, src: Any, key: tuple, dim: int, reduce: str, include_self: bool
) -> Any:
    """Functional, so that JAX can trace it: ``.at[]`` on JAX, ``<ufunc>.at`` on a copy
    for NumPy."""
    out = a if include_self else put(xp, a, key, _IDENTITY[reduce])
    out = _write(out, key, src, reduce)
    if reduce != "mean":
        return out
    count = xp.ones_like(a) if include_self else put(xp, xp.ones_like(a), key, 0.0)
    count = put(xp, count, key, xp.ones_like(src), add=True)
    return out / xp.maximum(count, 1.0)


def _write(a: Any, key: tuple, values: Any, reduce: str) -> Any:
    if hasattr(a, "at"):
        return getattr(a.at[key], _AT[reduce])(values)
    out = np.array(a, copy=True)
    _UFUNCS[reduce].at(out, key, values)
    return out

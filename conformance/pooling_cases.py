"""Samples and references for the pooling and padding records (``retrograd/ops/pooling.py``,
``retrograd/ops/padding.py``): the table's entries for them are in
:data:`retrograd_conformance.table.POOLING_AND_PADDING`.

Max pooling's inputs are distinct by a margin (a shuffled grid plus small noise), so no
window's maximum is near a tie and central differences see a smooth function. The
references slide windows over the padded array with strided slices and take ``xp.max``
or ``xp.sum`` (NumPy in float64, ``jax.numpy`` for the ``jax.vjp`` check)."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from retrograd.ops.record import OpRecord

from .samples import Sample, values_for

# -- samples ----------------------------------------------------------------------------


def _lead(draw: Any) -> tuple:
    """Batch and channel dims: batched or not."""
    return draw.choice(((2, 1), (1,), (1, 2)))


def _distinct(draw: Any, shape: tuple, dtype: str) -> np.ndarray:
    n = math.prod(shape)
    grid = draw.rng.permutation(n).reshape(shape) * 0.25 - 0.125 * n
    return (grid + draw.values(shape, (-0.05, 0.05))).astype(dtype)


def _window_params(draw: Any, dims: int, dilate: bool) -> tuple[tuple, dict]:
    """Spatial sizes and kernel, stride, padding (at most half the kernel), dilation."""
    kernel = tuple(draw.choice((1, 2, 3)) for _ in range(dims))
    stride = tuple(draw.choice((1, 2)) for _ in range(dims))
    padding = tuple(draw.integer(0, k // 2) for k in kernel)
    dilation = tuple(draw.choice((1, 2)) if dilate else 1 for _ in range(dims))
    sizes = tuple(d * (k - 1) + 1 + draw.integer(0, 2) for k, d in zip(kernel, dilation))
    params = {"kernel_size": kernel, "stride": stride, "padding": padding,
              "ceil_mode": draw.choice((False, True))}  # fmt: skip
    if dilate:
        params["dilation"] = dilation
    return sizes, params


def max_pool(dims: int):
    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        sizes, params = _window_params(draw, dims, True)
        return Sample((_distinct(draw, (*_lead(draw), *sizes), dtype),), params)

    build.__doc__ = f"``max_pool{dims}d``: distinct values, any window geometry."
    return build


def avg_pool(dims: int):
    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        sizes, params = _window_params(draw, dims, False)
        params["count_include_pad"] = draw.choice((True, False))
        params["divisor_override"] = draw.choice((None, None, 3))
        x = values_for(record, draw, (*_lead(draw), *sizes), dtype)
        return Sample((x,), params)

    build.__doc__ = f"``avg_pool{dims}d``: any window geometry, divisor rule and override."
    return build


def adaptive(dims: int, distinct: bool):
    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        sizes = tuple(draw.integer(1, 5) for _ in range(dims))
        # not all ones: PyTorch pools to one position as a mean (MeanBackward1)
        out = tuple(draw.integer(2 if axis == 0 else 1, n + 1) for axis, n in enumerate(sizes))
        shape = (*_lead(draw), *sizes)
        x = _distinct(draw, shape, dtype) if distinct else values_for(record, draw, shape, dtype)
        return Sample((x,), {"output_size": out})

    build.__doc__ = f"adaptive {dims}-d pooling: to sizes smaller or larger than the input's."
    return build


def max_unpool(dims: int):
    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        lead, sizes = _lead(draw), tuple(draw.integer(1, 3) for _ in range(dims))
        spots = math.prod(2 * n for n in sizes)
        picks = [draw.rng.choice(spots, math.prod(sizes), replace=False)
                 for _ in range(math.prod(lead))]  # fmt: skip
        indices = np.asarray(picks, dtype=np.int64).reshape(*lead, *sizes)
        x = values_for(record, draw, (*lead, *sizes), dtype)
        return Sample((x,), {"indices": indices, "kernel_size": 2})

    build.__doc__ = f"``max_unpool{dims}d``: distinct indices into twice the input's size."
    return build


def padding(dims: int, mode: str):
    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        sizes = tuple(draw.integer(2, 4) for _ in range(dims))
        limit = (lambda n: n - 1) if mode == "reflect" else (lambda n: 3)
        pad = [draw.integer(0, limit(n)) for n in reversed(sizes) for _ in range(2)]
        shape = (*_lead(draw), *sizes)
        params: dict[str, Any] = {"pad": tuple(pad)}
        if mode == "constant":
            params["value"] = draw.choice((0.0, 1.5))
        return Sample((values_for(record, draw, shape, dtype),), params)

    build.__doc__ = f"``pad`` by {mode} over the last {dims} dims."
    return build


# -- references -------------------------------------------------------------------------


def _out_size(n: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    span = d * (k - 1) + 1
    o = (-(-(n + 2 * p - span) // s) if ceil else (n + 2 * p - span) // s) + 1
    return o - 1 if ceil and (o - 1) * s >= n + p else o


def _windows(xp: Any, a: Any, k: tuple, s: tuple, p: tuple, d: tuple, ceil: bool, fill: float):
    """``(K, *lead, *out)``: each kernel offset's element of every window."""
    dims, widths, outs = len(k), [], []
    for n, kk, ss, pp, dd in zip(a.shape[-dims:], k, s, p, d):
        o = _out_size(n, kk, ss, pp, dd, ceil)
        widths.append((pp, pp + max(0, (o - 1) * ss + dd * (kk - 1) + 1 - (n + 2 * pp))))
        outs.append(o)
    a = xp.pad(a, [(0, 0)] * (a.ndim - dims) + widths, constant_values=fill)
    views = []
    for offset in itertools.product(*(range(kk) for kk in k)):
        key = tuple(slice(j * dd, j * dd + ss * (o - 1) + 1, ss)
                    for j, dd, ss, o in zip(offset, d, s, outs))  # fmt: skip
        views.append(a[(Ellipsis, *key)])
    return xp.stack(views, axis=0)


def max_pool_ref(xp: Any, a: Any, kernel_size, stride, padding, dilation, ceil_mode) -> Any:
    found = _windows(xp, a, kernel_size, stride, padding, dilation, ceil_mode, -np.inf)
    return xp.max(found, axis=0)


def _divisors(shape: tuple, k: tuple, s: tuple, p: tuple, ceil: bool, include: bool):
    total = np.ones(())
    for n, kk, ss, pp in zip(shape, k, s, p):
        counts = []
        for i in range(_out_size(n, kk, ss, pp, 1, ceil)):
            start = i * ss - pp
            end = min(start + kk, n + pp)
            counts.append(end - start if include else min(end, n) - max(start, 0))
        total = np.multiply.outer(total, np.asarray(counts, dtype=np.float64))
    return total


def avg_pool_ref(xp: Any, a: Any, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override) -> Any:  # fmt: skip
    dims = len(kernel_size)
    ones = (1,) * dims
    sums = xp.sum(_windows(xp, a, kernel_size, stride, padding, ones, ceil_mode, 0.0), axis=0)
    if divisor_override:
        return sums / divisor_override
    divisor = _divisors(a.shape[-dims:], kernel_size, stride, padding, ceil_mode,
                        count_include_pad)  # fmt: skip
    return sums / xp.asarray(divisor, dtype=a.dtype)


def _adaptive(xp: Any, a: Any, output_size: tuple, reduce: Any) -> Any:
    dims = len(output_size)
    bounds = [[((i * n) // o, -((-(i + 1) * n) // o)) for i in range(o)]
              for n, o in zip(a.shape[-dims:], output_size)]  # fmt: skip
    cells = []
    for position in itertools.product(*(range(o) for o in output_size)):
        key = tuple(slice(*bounds[axis][i]) for axis, i in enumerate(position))
        cells.append(reduce(a[(Ellipsis, *key)], axis=tuple(range(-dims, 0))))
    return xp.reshape(xp.stack(cells, axis=-1), (*a.shape[:-dims], *output_size))


def adaptive_avg_ref(xp: Any, a: Any, output_size: tuple) -> Any:
    return _adaptive(xp, a, output_size, xp.mean)


def adaptive_max_ref(xp: Any, a: Any, output_size: tuple) -> Any:
    return _adaptive(xp, a, output_size, xp.max)


def max_unpool_ref(dims: int):
    def ref(xp: Any, a: Any, indices: Any, kernel_size: int) -> Any:
        lead, sizes = a.shape[: a.ndim - dims], [2 * n for n in a.shape[a.ndim - dims :]]
        flat_a = xp.reshape(a, (*lead, -1))
        flat_i = xp.reshape(indices, (*lead, -1))
        hits = xp.astype(flat_i[..., None] == xp.arange(math.prod(sizes)), a.dtype)
        return xp.reshape(xp.sum(hits * flat_a[..., None], axis=-2), (*lead, *sizes))

    return ref


def pad_ref(mode: str):
    def ref(xp: Any, a: Any, pad: tuple, value: float = 0.0) -> Any:
        pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]
        widths = [(0, 0)] * (a.ndim - len(pairs)) + pairs[::-1]
        if mode == "constant":
            return xp.pad(a, widths, constant_values=value)
        return xp.pad(a, widths, mode="reflect" if mode == "reflect" else "edge")

    return ref

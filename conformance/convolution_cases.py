"""Samples and references of ``convolution`` (``ConvolutionBackward0``), ``im2col`` and
``col2im`` (retrograd/ops/convolution.py, retrograd/ops/im2col.py).

The references take another road than retrograd's forward: a correlation sums, over the
kernel's offsets, each strided slice of the padded input times that offset's weights;
a transposed convolution correlates the input, spread by the stride (zeros between its
elements) and padded by ``dilation * (kernel - 1) - padding``, with the weight flipped
and its two channel dims swapped; the blocks of ``im2col`` are a grouped correlation
with one-hot kernels, and ``col2im`` is the transposed one. They are written with
functions NumPy and ``jax.numpy`` share, without writing into arrays.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from retrograd.ops.record import OpRecord

from .samples import Sample, values_for


def _padded(xp: Any, a: Any, before: tuple, after: tuple) -> Any:
    """``a`` with zeros added (a negative amount crops) around its spatial dims."""
    for axis, (lo, hi) in enumerate(zip(before, after), start=2):
        n = a.shape[axis]
        a = xp.take(a, xp.arange(max(-lo, 0), n - max(-hi, 0)), axis=axis)
        parts = []
        for amount in (max(lo, 0), None, max(hi, 0)):
            if amount is None:
                parts.append(a)
            elif amount:
                shape = list(a.shape)
                shape[axis] = amount
                parts.append(xp.zeros(tuple(shape), dtype=a.dtype))
        a = xp.concat(parts, axis=axis) if len(parts) > 1 else a
    return a


def correlation(xp: Any, a: Any, weight: Any, stride, padding, dilation, groups: int) -> Any:
    """``(N, O, *out)``: the grouped cross-correlation of ``a`` with ``weight``."""
    kernel = weight.shape[2:]
    x = _padded(xp, a, padding, padding)
    out = [
        (n - d * (k - 1) - 1) // s + 1 for n, k, d, s in zip(x.shape[2:], kernel, dilation, stride)
    ]
    n, c, o = x.shape[0], x.shape[1], weight.shape[0]
    xg = xp.reshape(x, (n, groups, c // groups, *x.shape[2:]))
    wg = xp.reshape(weight, (groups, o // groups, c // groups, *kernel))
    total = 0.0
    for offset in itertools.product(*(range(k) for k in kernel)):
        index = tuple(
            slice(f * d, f * d + s * (m - 1) + 1, s)
            for f, d, s, m in zip(offset, dilation, stride, out)
        )
        part = xg[(slice(None), slice(None), slice(None), *index)]
        total = total + xp.einsum("ngc...,goc->ngo...", part, wg[(Ellipsis, *offset)])
    return xp.reshape(total, (n, o, *out))


def _spread(xp: Any, a: Any, stride: tuple) -> Any:
    """``a`` with ``stride - 1`` zeros between neighbours along each spatial dim."""
    for axis, s in enumerate(stride, start=2):
        if s == 1:
            continue
        n = a.shape[axis]
        zeros = xp.zeros_like(a)
        a = xp.stack([a] + [zeros] * (s - 1), axis=axis + 1)
        shape = list(a.shape[:axis]) + [n * s] + list(a.shape[axis + 2 :])
        a = xp.take(xp.reshape(a, tuple(shape)), xp.arange((n - 1) * s + 1), axis=axis)
    return a


def transposed_convolution(
    xp: Any, a: Any, weight: Any, stride, padding, output_padding, dilation, groups: int
) -> Any:
    """The transposed convolution, as the correlation of the spread input."""
    kernel = weight.shape[2:]
    c, o = weight.shape[0], weight.shape[1] * groups
    w = xp.reshape(weight, (groups, c // groups, o // groups, *kernel))
    w = xp.flip(w, axis=tuple(range(3, 3 + len(kernel))))
    w = xp.reshape(
        xp.permute_dims(w, (0, 2, 1, *range(3, 3 + len(kernel)))), (o, c // groups, *kernel)
    )
    edge = tuple(d * (k - 1) - p for k, d, p in zip(kernel, dilation, padding))
    x = _padded(
        xp, _spread(xp, a, stride), edge, tuple(e + q for e, q in zip(edge, output_padding))
    )
    ones = (1,) * len(kernel)
    return correlation(xp, x, w, ones, (0,) * len(kernel), dilation, groups)


def convolution(
    xp: Any,
    a: Any,
    weight: Any,
    bias: Any,
    stride,
    padding,
    dilation,
    transposed: bool,
    output_padding,
    groups: int,
) -> Any:
    if transposed:
        out = transposed_convolution(
            xp, a, weight, stride, padding, output_padding, dilation, groups
        )
    else:
        out = correlation(xp, a, weight, stride, padding, dilation, groups)
    return out + xp.reshape(bias, (1, -1, *([1] * (out.ndim - 2))))


def _one_hot_kernels(xp: Any, channels: int, kernel: tuple, dtype: Any) -> Any:
    """``(C * K, 1, *kernel)``: each channel's K one-hot kernels, one per offset."""
    k = math.prod(kernel)
    eye = xp.reshape(xp.eye(k, dtype=dtype), (1, k, 1, *kernel))
    return xp.reshape(xp.concat([eye] * channels, axis=0), (channels * k, 1, *kernel))


def im2col(xp: Any, a: Any, kernel_size, dilation, padding, stride) -> Any:
    w = _one_hot_kernels(xp, a.shape[1], kernel_size, a.dtype)
    cols = correlation(xp, a, w, stride, padding, dilation, a.shape[1])
    return xp.reshape(cols, (a.shape[0], cols.shape[1], -1))


def col2im(xp: Any, a: Any, output_size, kernel_size, dilation, padding, stride) -> Any:
    k = math.prod(kernel_size)
    blocks = [
        (n + 2 * p - d * (q - 1) - 1) // s + 1
        for n, q, d, p, s in zip(output_size, kernel_size, dilation, padding, stride)
    ]
    channels = a.shape[1] // k
    w = _one_hot_kernels(xp, channels, kernel_size, a.dtype)
    x = xp.reshape(a, (a.shape[0], a.shape[1], *blocks))
    base = [
        (b - 1) * s - 2 * p + d * (q - 1) + 1
        for b, q, d, p, s in zip(blocks, kernel_size, dilation, padding, stride)
    ]
    extra = tuple(n - m for n, m in zip(output_size, base))
    return transposed_convolution(xp, x, w, stride, padding, extra, dilation, channels)


# -- samples ------------------------------------------------------------------------------


def convolution_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``convolution``: 1 to 3 spatial dims, a batch of one or two, groups of 1 or 2,
    plain or transposed, with stride, padding, dilation (and output padding) varied."""
    dims, groups, transposed = (
        draw.choice((1, 2, 3)),
        draw.choice((1, 2)),
        draw.choice((False, True)),
    )
    c, o = groups * draw.integer(1, 2), groups * draw.integer(1, 2)
    kernel = tuple(draw.integer(1, 3 if dims < 3 else 2) for _ in range(dims))
    stride = tuple(draw.integer(1, 2) for _ in range(dims))
    dilation = tuple(draw.integer(1, 2) for _ in range(dims))
    padding = tuple(draw.integer(0, 1) for _ in range(dims))
    output_padding = (0,) * dims
    if transposed:
        output_padding = tuple(draw.integer(0, max(s, d) - 1) for s, d in zip(stride, dilation))
        spatial = tuple(draw.integer(1, 3) for _ in range(dims))
        wshape = (c, o // groups, *kernel)
    else:
        spatial = tuple(d * (k - 1) + 1 + draw.integer(0, 2) for k, d in zip(kernel, dilation))
        wshape = (o, c // groups, *kernel)
    if transposed and any(
        (n - 1) * s - 2 * p + d * (k - 1) + q + 1 < 1
        for n, s, p, d, k, q in zip(spatial, stride, padding, dilation, kernel, output_padding)
    ):
        padding = (0,) * dims
    x = values_for(record, draw, (draw.integer(1, 2), c, *spatial), dtype)
    arrays = (x, values_for(record, draw, wshape, dtype), values_for(record, draw, (o,), dtype))
    params = {
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "transposed": transposed,
        "output_padding": output_padding,
        "groups": groups,
    }
    return Sample(arrays, params)


def _block_arguments(draw: Any, dims: int) -> dict:
    return {
        "kernel_size": tuple(draw.integer(1, 3) for _ in range(dims)),
        "dilation": tuple(draw.integer(1, 2) for _ in range(dims)),
        "padding": tuple(draw.integer(0, 1) for _ in range(dims)),
        "stride": tuple(draw.integer(1, 2) for _ in range(dims)),
    }


def im2col_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``im2col``: ``(N, C, H, W)`` and block arguments whose blocks fit."""
    params = _block_arguments(draw, 2)
    spatial = tuple(
        d * (k - 1) + 1 + draw.integer(0, 2)
        for k, d in zip(params["kernel_size"], params["dilation"])
    )
    x = values_for(record, draw, (draw.integer(1, 2), draw.integer(1, 2), *spatial), dtype)
    return Sample((x,), params)


def col2im_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``col2im``: columns ``(N, C * K, L)`` for an output size whose blocks fit."""
    params = _block_arguments(draw, 2)
    kernel, dilation = params["kernel_size"], params["dilation"]
    size = tuple(d * (k - 1) + 1 + draw.integer(0, 2) for k, d in zip(kernel, dilation))
    blocks = [
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, d, p, s in zip(size, kernel, dilation, params["padding"], params["stride"])
    ]
    shape = (draw.integer(1, 2), draw.integer(1, 2) * math.prod(kernel), math.prod(blocks))
    return Sample((values_for(record, draw, shape, dtype),), {"output_size": size, **params})

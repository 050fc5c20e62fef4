"""``max_pool1d/2d/3d`` and ``avg_pool1d/2d/3d``: each one node, as PyTorch records it
(:mod:`retrograd.ops.pooling`); the 1-d forms are the 2-d ops on the input with a height
of 1, then a squeeze, as PyTorch's.

Max pooling takes, in each window, the last NaN if there is one, else the first maximum
among the elements inside the input (never a padding position): the element PyTorch
picks, so the indices and the gradient's destination are PyTorch's. Average pooling is
one weighted sum per spatial axis (:mod:`retrograd.ops.axis_maps`)."""

from __future__ import annotations

import itertools
import math
from typing import Any

from .. import dtypes
from ..creation import arange, tensor, zeros
from ..grad_mode import no_grad
from ..ops.axis_maps import AxisMap, apply_maps, make_map
from ..ops.elementwise import where
from ..ops.im2col import windows
from ..ops.pooling import AVG_POOL2D, AVG_POOL3D, MAX_POOL2D, MAX_POOL3D, record_pooling
from ..ops.record import OpRecord
from ..tensor import Tensor
from . import pool_checks as checks
from .padding import pad as pad_fn
from .windows import ntuple, out_size


class _Geometry:
    """Kernel, stride, padding, dilation and output sizes of one pooling call."""

    def __init__(
        self,
        input: Tensor,
        dims: int,
        kernel: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        ceil: bool,
    ) -> None:
        self.kernel = ntuple(kernel, dims)
        self.stride = ntuple(self.kernel if stride is None or stride == [] else stride, dims)
        self.padding, self.dilation = ntuple(padding, dims), ntuple(dilation, dims)
        self.size = tuple(input.shape[-dims:])
        self.out = tuple(
            out_size(n, k, s, p, d, ceil)
            for n, k, s, p, d in zip(
                self.size, self.kernel, self.stride, self.padding, self.dilation
            )
        )

    def axes(self) -> list[tuple[int, int, int, int, int, int]]:
        """Per spatial axis: input size, kernel, stride, padding, dilation, output size."""
        return list(zip(self.size, self.kernel, self.stride, self.padding, self.dilation, self.out))

    def padded(self, x: Tensor, value: float) -> Tensor:
        """``x`` padded by ``padding`` on each side, plus what ceil mode's last window needs."""
        amounts: list[int] = []
        for n, k, s, p, d, o in reversed(self.axes()):
            extra = max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p))
            amounts += [p, p + extra]
        return pad_fn(x, amounts, value=value) if any(amounts) else x

    def tiles(self) -> bool:
        """True when the windows tile the input exactly: stride = kernel, no padding,
        no dilation, nothing left over."""
        exact = all(o * k == n for o, k, n in zip(self.out, self.kernel, self.size))
        plain = not any(self.padding) and all(d == 1 for d in self.dilation)
        return plain and exact and self.stride == self.kernel

    def windows(self, x: Tensor, value: float) -> tuple[Tensor, int]:
        """The windows of ``(N, C, *spatial)`` and the dim that runs over each window's
        elements (in the kernel's row-major order): ``(N, C, K, *out)`` and 2 in general;
        for windows that tile the input, ``(N, C, *out, K)`` and -1, by one reshape and
        permute (speed: three ops where the general form takes one slice per offset)."""
        if not self.tiles():
            padded = self.padded(x, value)
            return windows(padded, self.kernel, self.stride, self.dilation, self.out), 2
        dims = len(self.kernel)
        split = [d for o, k in zip(self.out, self.kernel) for d in (o, k)]
        order = [0, 1, *(2 + 2 * i for i in range(dims)), *(3 + 2 * i for i in range(dims))]
        tiles = x.reshape(*x.shape[:2], *split).permute(*order)
        return tiles.reshape(*x.shape[:2], *self.out, math.prod(self.kernel)), -1

    def overlap(self) -> bool:
        """Whether some input element lies in two windows."""
        return any(s < d * (k - 1) + 1 for _, k, s, _, d, _ in self.axes())

    def views(self, x: Tensor, value: float) -> list[Tensor]:
        """``(N, C, *out)`` per kernel offset (row-major order): the element at that
        offset of every window, a strided view of ``x`` (padded with ``value``)."""
        padded = self.padded(x, value)
        geometry = list(zip(self.dilation, self.stride, self.out))
        views = []
        for offset in itertools.product(*(range(k) for k in self.kernel)):
            key = [
                slice(j * d, j * d + s * (o - 1) + 1, s) for j, (d, s, o) in zip(offset, geometry)
            ]
            views.append(padded[(slice(None), slice(None), *key)])
        return views

    def inside(self, backend: Any) -> list[Tensor | None]:
        """Per kernel offset: ``(*out)``, whether that element of each window lies inside
        the input (not in the padding); None where it does for every window."""
        masks = []
        for offset in itertools.product(*(range(k) for k in self.kernel)):
            rows = [
                [0 <= i * s - p + offset[axis] * d < n for i in range(o)]
                for axis, (n, _, s, p, d, o) in enumerate(self.axes())
            ]
            if all(all(row) for row in rows):
                masks.append(None)
                continue
            mask = None
            for axis, row in enumerate(rows):
                shape = [1] * len(rows)
                shape[axis] = len(row)
                t = tensor(row, backend=backend).reshape(shape)
                mask = t if mask is None else mask & t
            masks.append(mask)
        return masks

    def flat_positions(self, picked: Tensor) -> Tensor:
        """The flat input index (over the spatial dims) of the element at kernel offset
        ``picked`` (row-major over the kernel) of each window."""
        base, offsets, stride = None, [0], 1
        for n, k, s, p, d, o in reversed(self.axes()):
            offsets = [j * d * stride + rest for j in range(k) for rest in offsets]
            start = arange(o, backend=picked.backend) * (s * stride) - p * stride
            base = start if base is None else start.reshape(o, *([1] * base.dim())) + base
            stride *= n
        table = tensor(offsets, dtype=dtypes.int64, backend=picked.backend)
        return base + table.take(picked)


def pick_max(views: list[Tensor], inside: list[Tensor | None] | None = None) -> tuple:
    """The maximum over ``views`` (a window's elements, in order, one tensor each; any
    padding ``-inf``) and the position of the element PyTorch picks: scanning the
    elements ``inside`` allows, a NaN or a larger value replaces the one held, so the
    last NaN where there is one, else the first maximum. Elementwise across the views
    (speed: NumPy reduces a short trailing axis slowly)."""
    values, picked, seen = None, None, None
    for k, v in enumerate(views):
        mask = inside[k] if inside else None
        if values is None:
            values, seen = v, mask
            picked = zeros(v.shape, dtype=dtypes.int64, backend=v.backend)
            continue
        better = (v > values) | v.isnan()
        if seen is not None:  # no element inside seen yet: take this one if inside
            better = (better | ~seen) if mask is None else (mask & (better | ~seen))
            seen = None if mask is None else seen | mask
        picked = where(better, k, picked)
        values = values.maximum(v)  # NaN propagates; -inf padding never wins
    return values, picked


def _lowest(dtype: Any) -> Any:
    """The padding max pooling never picks: ``-inf``, or the dtype's least integer."""
    if dtype.is_floating_point:
        return float("-inf")
    return -(2 ** (8 * dtype.itemsize - 1)) if dtype.is_signed else 0


def _max_pool(
    input: Tensor, record: OpRecord, geometry: tuple, ceil_mode: bool, return_indices: bool
) -> Any:
    """Max pooling of ``(N, C, *spatial)`` or ``(C, *spatial)`` by checked arguments
    (``geometry``: kernel, stride, padding, dilation), as ``record``'s one node."""
    dims = len(geometry[0])
    with no_grad():
        unbatched = input.dim() == dims + 1
        x = input.unsqueeze(0) if unbatched else input
        g = _Geometry(x, dims, *geometry, ceil_mode)
        values, picked = pick_max(g.views(x, _lowest(x.dtype)), g.inside(x.backend))
        indices = g.flat_positions(picked)
        if unbatched:
            values, indices = values.squeeze(0), indices.squeeze(0)
    params = {"indices": indices, "overlap": g.overlap()}
    values = record_pooling(record, input, values, params)
    return (values, indices) if return_indices else values


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window of ``(N, C, L)`` (or ``(C, L)``)."""
    if return_indices:  # PyTorch's 2-d pooling of the input with a height of 1
        k, s, p = checks.pool1d_arguments("max_pool1d", input, kernel_size, stride, padding)
        d = checks.one("max_pool1d", "dilation", dilation)
        shape = (*input.shape[:-1], 1, input.shape[-1])
        checks.check_2d(shape, (1, k), (1, s), (0, p), (1, d), ceil_mode)
    else:
        k, s, p, d = checks.check_max_pool1d(
            input, kernel_size, stride, padding, dilation, ceil_mode
        )
    geometry = ((1, k), (1, s), (0, p), (1, d))
    out = _max_pool(input.unsqueeze(-2), MAX_POOL2D, geometry, ceil_mode, True)
    values, indices = out[0].squeeze(-2), out[1].squeeze(-2)
    return (values, indices) if return_indices else values


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window of ``(N, C, H, W)`` (or ``(C, H, W)``); padding is
    never chosen."""
    k, s, p = checks.pool2d_arguments("max_pool2d", kernel_size, stride, padding)
    message = "max_pool2d: dilation must be either a single int, or a tuple of two ints"
    d = checks.sizes(dilation, 2, message)
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    checks.check_2d(tuple(input.shape), k, s, p, d, ceil_mode)
    return _max_pool(input, MAX_POOL2D, (k, s, p, d), ceil_mode, return_indices)


def max_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window of ``(N, C, D, H, W)`` (or ``(C, D, H, W)``)."""
    words = "must either be"
    k, s, p = checks.pool3d_arguments("max_pool3d", kernel_size, stride, padding, words)
    message = "max_pool3d: dilation must be either a single int, or a tuple of three ints"
    d = checks.sizes(dilation, 3, message)
    checks.check_3d(input, k, s, p, d, ceil_mode)
    return _max_pool(input, MAX_POOL3D, (k, s, p, d), ceil_mode, return_indices)


def _avg_maps(
    g: _Geometry, include_pad: bool, divisor_override: Any, like: Tensor
) -> list[AxisMap]:
    """One weighted sum per spatial axis: each window's elements inside the input, each
    weighted by 1 / the window's length (clipped to the padded input, or without
    ``include_pad`` to the input itself); with ``divisor_override``, the first axis's
    weights are 1 / it and the others' 1. PyTorch's divisors are these lengths' products."""
    dims, maps = len(g.kernel), []
    for axis, (n, k, s, p, _, o) in enumerate(g.axes()):
        terms = []
        for i in range(o):
            start = i * s - p
            end = min(start + k, n + p)
            low, high = max(start, 0), min(end, n)
            weight = 1 / (end - start if include_pad else high - low)
            if divisor_override:
                weight = 1 / divisor_override if axis == 0 else 1
            terms += [(j, i, weight) for j in range(low, high)]
        maps.append(make_map(axis - dims, terms, o, n, like))
    return maps


def _divisor(g: _Geometry, include_pad: bool, backend: Any, dtype: Any) -> Tensor:
    """Per output position: the window's size, clipped to the padded input (or, without
    ``include_pad``, to the input itself), as PyTorch divides."""
    total = None
    for axis, (n, k, s, p, _, o) in enumerate(g.axes()):
        counts = []
        for i in range(o):
            start = i * s - p
            end = min(start + k, n + p)
            counts.append(end - start if include_pad else min(end, n) - max(start, 0))
        shape = [1] * len(g.size)
        shape[axis] = o
        t = tensor(counts, dtype=dtype, backend=backend).reshape(shape)
        total = t if total is None else total * t
    return total


def _integer_avg(x: Tensor, g: _Geometry, include_pad: bool, divisor_override: Any) -> Tensor:
    """Integer average pooling: sums divided rounding toward zero, as PyTorch's."""
    found, dim = g.windows(x, 0.0)
    divisor = divisor_override or _divisor(g, include_pad, x.backend, x.dtype)
    return found.sum(dim).div(divisor, rounding_mode="trunc")


def _avg_pool(
    input: Tensor,
    record: OpRecord,
    geometry: tuple,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Any,
) -> Tensor:
    """Average pooling of ``(N, C, *spatial)`` or ``(C, *spatial)`` by checked arguments
    (``geometry``: kernel, stride, padding), as ``record``'s one node."""
    dims = len(geometry[0])
    g = _Geometry(input, dims, *geometry, 1, ceil_mode)
    if not input.dtype.is_floating_point:
        unbatched = input.dim() == dims + 1
        x = input.unsqueeze(0) if unbatched else input
        out = _integer_avg(x, g, count_include_pad, divisor_override)
        return out.squeeze(0) if unbatched else out
    maps = _avg_maps(g, count_include_pad, divisor_override, input)
    with no_grad():
        out = apply_maps(input, maps)
    return record_pooling(record, input, out, {"maps": maps})


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean of each window of ``(N, C, L)`` (or ``(C, L)``)."""
    k, s, p = checks.pool1d_arguments("avg_pool1d", input, kernel_size, stride, padding)
    shape = (*input.shape[:-1], 1, input.shape[-1])  # PyTorch's 2-d pooling, height 1
    checks.check_2d(shape, (1, k), (1, s), (0, p), (1, 1), ceil_mode)
    geometry = ((1, k), (1, s), (0, p))
    out = _avg_pool(input.unsqueeze(-2), AVG_POOL2D, geometry, ceil_mode, count_include_pad, None)
    return out.squeeze(-2)


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
) -> Tensor:
    """The mean of each window of ``(N, C, H, W)`` (zero padding counted unless
    ``count_include_pad=False``; ``divisor_override`` divides instead of the size)."""
    k, s, p = checks.pool2d_arguments("avg_pool2d", kernel_size, stride, padding)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if input.dim() < 3:  # PyTorch reads the sizes at dims -3, -2 and -1
        if input.dim() == 0:
            raise IndexError("Dimension specified as -3 but tensor has no dimensions")
        n = input.dim()
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got -3)"
        )
    checks.check_2d(tuple(input.shape), k, s, p, (1, 1), ceil_mode)
    geometry = (k, s, p)
    return _avg_pool(input, AVG_POOL2D, geometry, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
) -> Tensor:
    """The mean of each window of ``(N, C, D, H, W)`` (or ``(C, D, H, W)``)."""
    k, s, p = checks.pool3d_arguments("avg_pool3d", kernel_size, stride, padding, "must be")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    checks.check_avg_3d(input, k, s, p, ceil_mode)
    geometry = (k, s, p)
    return _avg_pool(input, AVG_POOL3D, geometry, ceil_mode, count_include_pad, divisor_override)

"""``grid_sampler_2d``: sample ``(N, C, H, W)`` inputs at the normalized positions of a
grid ``(N, Ho, Wo, 2)`` (``F.grid_sample``), one node as PyTorch records it
(``GridSampler2DBackward0``), bilinear, nearest or bicubic, with zeros, border or
reflection padding.

Positions are computed with retrograd's own ops on the grid's backend (never on the
host): each grid value is unnormalized to a pixel coordinate (pixel centres unless
``align_corners``), then clipped or reflected into the input by the padding mode, with
the derivative of that map (PyTorch's ``*_set_grad`` helpers: 0 where clipped, -1 where
reflected). A bilinear sample is the sum over its four neighbours of the in-bounds
ones' values times ``(1 - |dx|)(1 - |dy|)``; a nearest one reads the neighbour at the
coordinates rounded half to even; a bicubic one sums 4 x 4 taps with cubic convolution
weights (each tap moved into the input by the padding mode, as PyTorch does). The
gradient w.r.t. the input scatters the weighted gradient back to those taps; w.r.t. the
grid it is the weights' derivative times the values, summed over channels (zero for
nearest). Both are written in differentiable ops, so second-order gradients work.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .helpers import zeros_on
from .joining import stack
from .record import SHAPE, OpRecord

MODES = ("bilinear", "nearest", "bicubic")
PADDINGS = ("zeros", "border", "reflection")


def _reflected(x: Tensor, twice_low: int, twice_high: int) -> tuple[Tensor, Tensor]:
    """``x`` reflected into ``[twice_low / 2, twice_high / 2]`` and the derivative of
    that map (PyTorch's ``reflect_coordinates_set_grad``)."""
    if twice_low == twice_high:
        return x * 0, x * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    shifted = x - low
    sign = (shifted >= 0).to(x.dtype) * 2 - 1
    distance = shifted.abs()
    extra = distance.remainder(span)  # (distance >= 0: as fmod)
    even = (distance / span).floor().remainder(2) == 0
    return extra.add(low).where(even, -extra + (span + low)), sign.where(even, -sign)


def _clipped(x: Tensor, size: int) -> tuple[Tensor, Tensor]:
    """``x`` clipped to ``[0, size - 1]`` and its derivative (0 at and beyond the ends,
    as PyTorch's ``clip_coordinates_set_grad``)."""
    inside = ((x > 0) & (x < size - 1)).to(x.dtype)
    return x.clamp(0, size - 1), inside


def source_coordinate(g: Tensor, size: int, padding: str, align: bool) -> tuple[Tensor, Tensor]:
    """Grid values ``g`` along an input axis of ``size`` as pixel coordinates, and the
    derivative of the coordinates w.r.t. ``g``."""
    scale = (size - 1) / 2 if align else size / 2
    x = (g + 1) * scale if align else ((g + 1) * size - 1) / 2
    slope = zeros_on(g, tuple(g.shape)) + scale
    if padding == "border":
        x, d = _clipped(x, size)
        slope = slope * d
    elif padding == "reflection":
        twice = (0, 2 * (size - 1)) if align else (-1, 2 * size - 1)
        x, d = _reflected(x, *twice)
        x, d2 = _clipped(x, size)
        slope = slope * d * d2
    return x, slope


_A = -0.75  # the cubic convolution constant, as in upsampling


def _cubic(t: Tensor) -> tuple[list, list]:
    """The four cubic convolution weights of the taps at ``-1, 0, 1, 2`` from
    ``floor``, for the fraction ``t``, and their derivatives w.r.t. ``t``."""
    a = _A
    near = [t, 1 - t]  # distances of the taps at 0 and 1
    far = [t + 1, 2 - t]  # of the taps at -1 and 2
    w_near = [((a + 2) * x - (a + 3)) * x * x + 1 for x in near]
    w_far = [((a * x - 5 * a) * x + 8 * a) * x - 4 * a for x in far]
    d_near = [(3 * (a + 2) * x - 2 * (a + 3)) * x for x in near]
    d_far = [(3 * a * x - 10 * a) * x + 8 * a for x in far]
    # d distance / d t: +1 for t and t + 1, -1 for 1 - t and 2 - t
    return [w_far[0], w_near[0], w_near[1], w_far[1]], [d_far[0], d_near[0], -d_near[1], -d_far[1]]


def _axis_taps(x: Tensor, mode: str) -> list:
    """Along one axis: ``(position, weight, d weight / d x)`` of each tap."""
    if mode == "nearest":
        return [(x.round(), 1, 0)]
    x0 = x.floor()
    t = x - x0
    if mode == "bicubic":
        weights, slopes = _cubic(t)
        return [(x0 + (i - 1), weights[i], slopes[i]) for i in range(4)]
    return [(x0, 1 - t, -1), (x0 + 1, t, 1)]


def _product(factors: list) -> Any:
    total = factors[0]
    for f in factors[1:]:
        total = total * f
    return total


def _steps(coords: list, mode: str) -> list:
    """``(positions, weight, [d weight / d coordinate])`` of each tap of a sample: the
    products of the axes' taps (``x`` varying fastest, weights multiplied ``x`` first,
    as PyTorch orders them)."""
    steps = []
    for taps in itertools.product(*(_axis_taps(x, mode) for x in reversed(coords))):
        taps = taps[::-1]  # x, y[, z]
        weights = [w for _, w, _ in taps]
        slopes = [
            _product([d if b == a else w for b, (_, w, d) in enumerate(taps)])
            for a in range(len(taps))
        ]
        steps.append(([p for p, _, _ in taps], _product(weights), slopes))
    return steps


def _padded_tap(x: Tensor, size: int, padding: str, align: bool) -> Tensor:
    """A bicubic tap's coordinate moved into the input by the padding mode (PyTorch pads
    each tap, not the sample's coordinate)."""
    if padding == "border":
        return x.clamp(0, size - 1)
    if padding == "reflection":
        twice = (0, 2 * (size - 1)) if align else (-1, 2 * size - 1)
        return _reflected(x, *twice)[0].clamp(0, size - 1)
    return x


def _corners(coords: list, mode: str, sizes: list, padding: str, align: bool) -> list:
    """``(flat index, in bounds, weight, [d weight / d coordinate])`` of each tap a
    sample reads (indices of out-of-bounds ones are clamped, and masked); ``sizes``
    and ``coords`` in grid order (``x``: the last input dim)."""
    corners = []
    n = coords[0].shape[0]
    for positions, weight, slopes in _steps(coords, mode):
        if mode == "bicubic":
            positions = [_padded_tap(p, k, padding, align) for p, k in zip(positions, sizes)]
        inside = flat = None
        for p, k in reversed(list(zip(positions, sizes))):  # outermost dim first
            ok = (p >= 0) & (p <= k - 1)
            inside = ok if inside is None else inside & ok
            flat = p.clamp(0, k - 1) if flat is None else flat * k + p.clamp(0, k - 1)
        if not isinstance(weight, Tensor):  # nearest: every weight is 1
            weight = zeros_on(coords[0], tuple(coords[0].shape)) + weight
        corners.append((flat.long().reshape(n, -1), inside, weight, slopes))
    return corners


def _layout(input: Tensor, grid: Tensor, mode: str, padding: str, align: bool) -> tuple:
    """The taps of every sample, the coordinates' slopes, and the shapes."""
    n, c, *spatial = input.shape
    sizes = spatial[::-1]  # grid order: x first
    # (differentiable in the grid: the weights' derivatives make second-order gradients;
    # bicubic sampling pads its taps, not the coordinate)
    where = "zeros" if mode == "bicubic" else padding
    found = [source_coordinate(grid[..., i], k, where, align) for i, k in enumerate(sizes)]
    coords, scales = [x for x, _ in found], [d for _, d in found]
    corners = _corners(coords, mode, sizes, padding, align)
    return corners, scales, (n, c, math.prod(spatial), coords[0].shape[1:])


def _values(input: Tensor, flat: Tensor, inside: Tensor, n: int, c: int) -> Tensor:
    """``(N, C, P)``: the input at the flat positions, 0 where out of bounds."""
    index = flat.unsqueeze(1).expand(n, c, flat.shape[1])
    picked = input.reshape(n, c, -1).gather(2, index)
    return picked.masked_fill(~inside.reshape(n, 1, -1), 0.0)


def sampled(input: Tensor, grid: Tensor, mode: str, padding: str, align: bool) -> Tensor:
    """The samples ``(N, C, *grid.shape[1:-1])``, in retrograd's ops (differentiable in
    ``input``)."""
    corners, _, (n, c, _, out) = _layout(input, grid, mode, padding, align)
    total = None
    for flat, inside, weight, _ in corners:
        term = _values(input, flat, inside, n, c) * weight.reshape(n, 1, -1)
        total = term if total is None else total + term
    return total.reshape(n, c, *out)


def _input_grad(grad: Tensor, input: Tensor, grid: Tensor, mode, padding, align) -> Tensor:
    corners, _, (n, c, size, _) = _layout(input, grid, mode, padding, align)
    g = grad.reshape(n, c, -1)
    total = zeros_on(grad, (n, c, size))
    for flat, inside, weight, _ in corners:
        share = g * weight.masked_fill(~inside, 0.0).reshape(n, 1, -1)
        total = total.scatter_add(2, flat.unsqueeze(1).expand(n, c, flat.shape[1]), share)
    return total.reshape(input.shape)


def _grid_grad(grad: Tensor, input: Tensor, grid: Tensor, mode, padding, align) -> Tensor:
    if mode == "nearest":  # piecewise constant in the grid
        return grad.new_zeros(tuple(grid.shape))
    corners, scales, (n, c, _, out) = _layout(input, grid, mode, padding, align)
    g = grad.reshape(n, c, -1)
    sums: list = [None] * len(scales)
    for flat, inside, _, slopes in corners:
        along = (g * _values(input, flat, inside, n, c)).sum(1).reshape(n, *out)
        sums = [along * d if t is None else t + along * d for t, d in zip(sums, slopes)]
    return stack([t * s for t, s in zip(sums, scales)], -1)


def _record(name: str, grad_fn: str, doc: str) -> OpRecord:
    return OpRecord(
        name,
        SHAPE,
        grad_fn,
        "gather",
        inputs=("self", "grid"),
        save=("self", "grid", "mode", "padding_mode", "align_corners"),
        grads=(_input_grad, _grid_grad),
        public="grid_sampler",
        method=False,
        float_only=True,
        smooth=False,
        doc=doc,
    )


GRID_SAMPLER_2D = _record(
    "grid_sampler_2d",
    "GridSampler2DBackward0",
    "input sampled at a grid's normalized positions (bilinear, nearest or bicubic)",
)
GRID_SAMPLER_3D = _record(
    "grid_sampler_3d",
    "GridSampler3DBackward0",
    "a volume sampled at a grid's normalized positions (trilinear or nearest)",
)
RECORDS = (GRID_SAMPLER_2D, GRID_SAMPLER_3D)


def grid_sampler(input: Tensor, grid: Tensor, mode: str, padding: str, align: bool) -> Tensor:
    """ATen's ``grid_sampler_2d`` (4-d input) or ``grid_sampler_3d`` (5-d), arguments
    checked by the caller: one node."""
    with no_grad():
        out = sampled(input, grid, mode, padding, align).contiguous()
    params: dict[str, Any] = {"mode": mode, "padding_mode": padding, "align_corners": align}
    record = GRID_SAMPLER_2D if input.dim() == 4 else GRID_SAMPLER_3D
    array = out._storage.array
    return finish(record, array, input.dtype, input._backend, (input, grid), params)

"""Where each output position of a resampling reads its input, along one axis.

Interpolation (nearest, linear, cubic) and adaptive average pooling are separable: along
each spatial axis, output position ``j`` is a weighted sum of a few input positions.
An :class:`AxisMap` holds those positions and weights, computed on the host (they depend
only on sizes and options, never on values) with PyTorch's CPU arithmetic: its scales
and source coordinates are computed in ``float32`` for a ``float32`` input and in
``float64`` for a ``float64`` one (PyTorch's "opmath" type), and the nearest modes'
scale is always a ``float32``, so indices round exactly as PyTorch's do.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass

Round = Callable[[float], float]


def to_float32(x: float) -> float:
    """``x`` rounded to the nearest ``float32`` (one IEEE operation on two ``float32``
    operands, computed in ``float64`` and rounded once, equals the ``float32`` result)."""
    return struct.unpack("f", struct.pack("f", x))[0]


def _same(x: float) -> float:
    return x


def rounding_for(single: bool) -> Round:
    """The rounding of PyTorch's opmath type: ``float32`` arithmetic, or ``float64``."""
    return to_float32 if single else _same


@dataclass(frozen=True)
class AxisMap:
    """``out[j] = sum_k weights[k][j] * in[indices[k][j]]`` along one axis.

    ``taps`` is the number of terms ``k`` (1 for nearest, 2 linear, 4 cubic; the widest
    filter for antialiasing, whose shorter filters are padded with weight 0);
    ``exact`` is True where every weight is 1 (nearest: a gather, no products).
    ``valid``, where given (windows of varying widths), is the number of real taps of
    each output; the others pad the window with weight 0 and are left out (not
    multiplied by 0, so an ``inf`` elsewhere in the input does not become ``nan``)."""

    in_size: int
    out_size: int
    indices: tuple[tuple[int, ...], ...]
    weights: tuple[tuple[float, ...], ...]
    exact: bool = False
    valid: tuple[int, ...] = ()

    def matrix(self) -> list[list[float]]:
        """The ``(out_size, in_size)`` matrix of the map (repeated indices add up)."""
        rows = [[0.0] * self.in_size for _ in range(self.out_size)]
        for idx, wts in zip(self.indices, self.weights):
            for j, (i, w) in enumerate(zip(idx, wts)):
                rows[j][i] += w
        return rows


def scale_value(scale: float | None, in_size: int, out_size: int, r: Round) -> float:
    """PyTorch's ``compute_scales_value``: ``1 / scale`` where a positive scale factor
    is given, else ``in_size / out_size``."""
    if scale is not None and scale > 0:
        return r(1.0 / scale)
    return r(r(float(in_size)) / out_size)


def area_scale(in_size: int, out_size: int, align_corners: bool, scale: float | None, r: Round):
    """PyTorch's ``area_pixel_compute_scale``: with ``align_corners``, the corners' pixel
    centres meet (``(in - 1) / (out - 1)``, 0 for one output position)."""
    if align_corners:
        return r(float(in_size - 1) / (out_size - 1)) if out_size > 1 else 0.0
    return scale_value(scale, in_size, out_size, r)


def source_coordinate(scale: float, j: int, align_corners: bool, cubic: bool, r: Round):
    """PyTorch's ``area_pixel_compute_source_index``: the input coordinate output ``j``
    reads; pixel centres (``+ 0.5``) unless ``align_corners``; negative ones clamp to 0
    except for cubic interpolation, which reads beyond the edge (clamped indices)."""
    if align_corners:
        return r(scale * j)
    src = r(r(scale * r(j + 0.5)) - 0.5)
    return 0.0 if not cubic and src < 0 else src


def nearest(in_size: int, out_size: int, scale: float | None, exact: bool) -> AxisMap:
    """``nearest``: ``floor(j * s)``; ``nearest-exact``: ``floor((j + 0.5) * s)`` (pixel
    centres); ``s`` a ``float32``; clamped to the last input position. (With a scale
    factor, equal sizes need not mean a copy: ``s`` is ``1 / scale_factor``.)"""
    s = scale_value(scale, in_size, out_size, to_float32)
    last = in_size - 1
    if exact:
        idx = [min(math.floor(to_float32((j + 0.5) * s)), last) for j in range(out_size)]
    else:
        idx = [min(math.floor(to_float32(j * s)), last) for j in range(out_size)]
    return AxisMap(in_size, out_size, (tuple(idx),), ((1.0,) * out_size,), exact=True)


def linear(in_size: int, out_size: int, align_corners: bool, scale: float | None, r: Round):
    """Linear: ``x[i0] * (1 - l) + x[i1] * l`` with ``i0 = floor(src)`` and ``i1`` the
    next position (``i0`` at the last one); a copy where the sizes are equal."""
    s = area_scale(in_size, out_size, align_corners, scale, r)
    i0s, i1s, w0s, w1s = [], [], [], []
    for j in range(out_size):
        if in_size == out_size:
            i0, lam = j, 0.0
        else:
            src = source_coordinate(s, j, align_corners, False, r)
            i0 = min(math.floor(src), in_size - 1)
            lam = min(max(r(src - i0), 0.0), 1.0)
        i0s.append(i0)
        i1s.append(i0 + (1 if i0 < in_size - 1 else 0))
        w0s.append(r(1.0 - lam))
        w1s.append(lam)
    return AxisMap(in_size, out_size, (tuple(i0s), tuple(i1s)), (tuple(w0s), tuple(w1s)))


_A = -0.75  # PyTorch's (and OpenCV's) cubic convolution constant


def _cubic_near(x: float, r: Round) -> float:
    """The cubic convolution kernel for ``|x| <= 1``: ``((A + 2) x - (A + 3)) x x + 1``."""
    return r(r(r(r(r((_A + 2) * x) - (_A + 3)) * x) * x) + 1)


def _cubic_far(x: float, r: Round) -> float:
    """The kernel for ``1 < |x| < 2``: ``((A x - 5 A) x + 8 A) x - 4 A``."""
    return r(r(r(r(r(r(_A * x) - 5 * _A) * x) + 8 * _A) * x) - 4 * _A)


def cubic(in_size: int, out_size: int, align_corners: bool, scale: float | None, r: Round):
    """Cubic convolution over the four positions ``floor(src) - 1 .. floor(src) + 2``
    (indices clamped to the input, so edge values repeat)."""
    s = area_scale(in_size, out_size, align_corners, scale, r)
    indices: list[list[int]] = [[], [], [], []]
    weights: list[list[float]] = [[], [], [], []]
    for j in range(out_size):
        src = source_coordinate(s, j, align_corners, True, r)
        base = math.floor(to_float32(src))  # PyTorch floors with floorf, in every dtype
        t = r(src - base)
        near = r(1.0 - t)
        coeffs = (_cubic_far(r(t + 1), r), _cubic_near(t, r), _cubic_near(near, r))
        coeffs += (_cubic_far(r(near + 1), r),)
        for k in range(4):
            indices[k].append(max(min(base - 1 + k, in_size - 1), 0))
            weights[k].append(coeffs[k])
    return AxisMap(in_size, out_size, tuple(map(tuple, indices)), tuple(map(tuple, weights)))


def _triangle(x: float) -> float:
    return max(0.0, 1.0 - abs(x))


def _keys_half(x: float) -> float:
    """Keys' cubic kernel with ``A = -0.5`` (PIL's, which antialiasing follows)."""
    a, x = -0.5, abs(x)
    if x < 1:
        return ((a + 2) * x - (a + 3)) * x * x + 1
    return (((x - 5) * x + 8) * x - 4) * a if x < 2 else 0.0


def antialiased(in_size: int, out_size: int, align_corners: bool, scale, cubic: bool, r):
    """Antialiased linear or cubic resampling (PyTorch's, after PIL): when shrinking by
    ``s``, the filter is stretched by ``s``, so each output averages ``2 s`` (linear) or
    ``4 s`` (cubic) inputs around its centre ``s (j + 0.5)``; weights sum to 1."""
    s = area_scale(in_size, out_size, align_corners, scale, r)
    kernel = _keys_half if cubic else _triangle
    stretch = s if s >= 1.0 else 1.0
    support = (2.0 if cubic else 1.0) * stretch
    rows = []
    for j in range(out_size):
        centre = s * (j + 0.5)
        low = max(int(centre - support + 0.5), 0)
        width = min(int(centre + support + 0.5), in_size) - low
        weights = [kernel((k + low - centre + 0.5) / stretch) for k in range(width)]
        total = sum(weights)
        rows.append((low, [w / total for w in weights] if total else weights))
    taps = max(len(w) for _, w in rows)
    indices = [tuple(low + min(k, len(w) - 1) for low, w in rows) for k in range(taps)]
    weights = [tuple(w[k] if k < len(w) else 0.0 for _, w in rows) for k in range(taps)]
    valid = tuple(len(w) for _, w in rows)
    return AxisMap(in_size, out_size, tuple(indices), tuple(weights), valid=valid)

"""Conformance entries of the resampling ops (retrograd/ops/upsample.py): how each is
sampled, called (through ``F.interpolate``) and computed by a NumPy reference.

The reference builds each spatial axis's ``(out, in)`` interpolation matrix from
PyTorch's documented formulas, in float64 (the nearest modes' scale is a float32, as
PyTorch's), and applies the matrices one axis at a time.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import retrograd
from retrograd.ops.record import OpRecord

from .entries import Entry
from .samples import Sample, values_for

# record name -> (F.interpolate mode, spatial dims)
MODES = {
    "upsample_nearest1d": ("nearest", 1),
    "upsample_nearest2d": ("nearest", 2),
    "upsample_nearest3d": ("nearest", 3),
    "upsample_nearest_exact1d": ("nearest-exact", 1),
    "upsample_nearest_exact2d": ("nearest-exact", 2),
    "upsample_nearest_exact3d": ("nearest-exact", 3),
    "upsample_linear1d": ("linear", 1),
    "upsample_bilinear2d": ("bilinear", 2),
    "upsample_trilinear3d": ("trilinear", 3),
    "upsample_bicubic2d": ("bicubic", 2),
    "upsample_bilinear2d_aa": ("bilinear-aa", 2),
    "upsample_bicubic2d_aa": ("bicubic-aa", 2),
}
_INTERPOLATING = ("linear", "bilinear", "trilinear", "bicubic", "bilinear-aa", "bicubic-aa")


def _sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``(N, C, *spatial)`` with sides 2 to 4, resized to a drawn size (up or down) or by
    a drawn scale factor; ``align_corners`` both ways for the interpolating modes."""
    mode, dims = MODES[record.name]
    spatial = tuple(draw.integer(2, 4) for _ in range(dims))
    shape = (draw.integer(1, 2), draw.integer(1, 2), *spatial)
    params: dict[str, Any] = {"size": None, "scale_factor": None, "align_corners": None}
    if draw.choice((True, False)):
        params["size"] = tuple(draw.integer(1, 5) for _ in range(dims))
    else:
        params["scale_factor"] = draw.choice((1.5, 2.0, 2.5, 0.75))
    if mode in _INTERPOLATING:
        params["align_corners"] = draw.choice((False, True))
    return Sample((values_for(record, draw, shape, dtype),), params)


def _call(mode: str):
    def call(a: Any, size: Any, scale_factor: Any, align_corners: Any) -> Any:
        return retrograd.nn.functional.interpolate(
            a, size, scale_factor, mode.removesuffix("-aa"), align_corners,
            antialias=mode.endswith("-aa"),
        )  # fmt: skip

    return call


def _nearest_rows(n: int, m: int, scale: Any, exact: bool) -> list[int]:
    s = np.float32(1.0 / scale) if scale else np.float32(n) / np.float32(m)
    shift = np.float32(0.5) if exact else np.float32(0.0)
    return [min(math.floor(np.float32(np.float32(j) + shift) * s), n - 1) for j in range(m)]


def _source(n: int, m: int, scale: Any, align: bool, j: int) -> float:
    if align:
        return j * (n - 1) / (m - 1) if m > 1 else 0.0
    s = 1.0 / scale if scale else n / m
    return s * (j + 0.5) - 0.5


def _keys(d: float) -> float:
    """Keys' cubic convolution kernel with ``A = -0.75``, at distance ``|d|``."""
    a, d = -0.75, abs(d)
    if d <= 1:
        return (a + 2) * d**3 - (a + 3) * d**2 + 1
    return a * d**3 - 5 * a * d**2 + 8 * a * d - 4 * a if d < 2 else 0.0


def _matrix(mode: str, n: int, m: int, scale: Any, align: bool) -> np.ndarray:
    """The ``(m, n)`` matrix taking an axis of ``n`` positions to ``m``."""
    w = np.zeros((m, n))
    if mode.endswith("-aa"):
        return _antialiased_matrix(mode, n, m, scale, align)
    for j in range(m):
        if mode in ("nearest", "nearest-exact"):
            w[j, _nearest_rows(n, m, scale, mode == "nearest-exact")[j]] = 1.0
        elif mode == "bicubic":
            src = _source(n, m, scale, align, j)
            base = math.floor(src)
            for k in range(base - 1, base + 3):
                w[j, min(max(k, 0), n - 1)] += _keys(src - k)
        elif n == m:
            w[j, j] = 1.0
        else:
            src = max(_source(n, m, scale, align, j), 0.0)
            i0 = min(math.floor(src), n - 1)
            lam = src - i0
            w[j, i0] += 1 - lam
            w[j, min(i0 + 1, n - 1)] += lam
    return w


def _antialias_scale(n: int, m: int, scale: Any, align: bool) -> float:
    if align:
        return (n - 1) / (m - 1) if m > 1 else 0.0
    return 1.0 / scale if scale else n / m


def _antialiased_matrix(mode: str, n: int, m: int, scale: Any, align: bool) -> np.ndarray:
    """PIL's filters, stretched by the shrink factor ``s`` and normalized: triangle
    (bilinear) or Keys' cubic with ``A = -0.5`` (bicubic)."""
    s = _antialias_scale(n, m, scale, align)
    stretch = max(s, 1.0)
    reach = (2.0 if mode == "bicubic-aa" else 1.0) * stretch
    w = np.zeros((m, n))
    for j in range(m):
        centre = s * (j + 0.5)
        lo, hi = max(int(centre - reach + 0.5), 0), min(int(centre + reach + 0.5), n)
        d = np.abs((np.arange(lo, hi) - centre + 0.5) / stretch)
        if mode == "bicubic-aa":
            k = np.where(d < 1, 1.5 * d**3 - 2.5 * d**2 + 1, -0.5 * d**3 + 2.5 * d**2 - 4 * d + 2)
            k = np.where(d < 2, k, 0.0)
        else:
            k = np.maximum(1 - d, 0.0)
        w[j, lo:hi] = k / k.sum() if k.sum() else k
    return w


def _reference(mode: str):
    def ref(xp: Any, a: Any, size: Any, scale_factor: Any, align_corners: Any) -> Any:
        spatial = a.shape[2:]
        sizes = size or [math.floor(n * scale_factor) for n in spatial]
        scale = None if size else scale_factor
        for d, (n, m) in enumerate(zip(spatial, sizes)):
            axis = 2 + d
            perm = [i for i in range(a.ndim) if i != axis] + [axis]
            back = list(np.argsort(perm))
            w = xp.asarray(_matrix(mode, n, m, scale, bool(align_corners)).T, dtype=a.dtype)
            a = xp.permute_dims(xp.matmul(xp.permute_dims(a, perm), w), back)
        return a

    return ref


RESAMPLING = {
    name: Entry(_sample, _call(mode), _reference(mode)) for name, (mode, _) in MODES.items()
}


# -- sampling grids (retrograd/ops/affine_grid.py, retrograd/ops/grid_sampler.py) ---------


def _affine_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``theta`` ``(N, 2, 3)`` or ``(N, 3, 4)`` and an output size of sides 1 to 3."""
    k = draw.choice((2, 3))
    theta = values_for(record, draw, (draw.integer(1, 2), k, k + 1), dtype)
    align = draw.choice((False, True))  # (unit sides with align_corners: PyTorch warns)
    size = (1, 1, *(draw.integer(1 + align, 3) for _ in range(k)))
    return Sample((theta,), {"size": size, "align_corners": align})


def _affine_ref(xp: Any, theta: Any, size: Any, align_corners: bool) -> Any:
    spatial = size[2:]
    axes = []
    for n in spatial:
        steps = np.linspace(-1.0, 1.0, n) if n > 1 else np.zeros(n)
        axes.append(steps if align_corners or n <= 1 else steps * (n - 1) / n)
    mesh = np.meshgrid(*axes, indexing="ij")  # one per spatial dim, x last
    base = np.stack([*reversed(mesh), np.ones(tuple(spatial))], -1).reshape(-1, len(spatial) + 1)
    grid = xp.matmul(xp.asarray(base, dtype=theta.dtype), xp.permute_dims(theta, (0, 2, 1)))
    return xp.reshape(grid, (theta.shape[0], *spatial, len(spatial)))


def _grid_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``(N, C, H, W)`` and a grid ``(N, Ho, Wo, 2)`` (or a volume and ``(N, Do, Ho, Wo,
    3)``) reaching a little outside ``[-1, 1]``; every mode, padding and alignment."""
    k = 2 if record.name == "grid_sampler_2d" else 3
    n = draw.integer(1, 2)
    shape = (n, draw.integer(1, 2), *(draw.integer(2, 3 + (k == 2)) for _ in range(k)))
    x = values_for(record, draw, shape, dtype)
    grid = draw.values((n, *(draw.integer(1, 3) for _ in range(k)), k), (-1.2, 1.2))
    modes = ("bilinear", "nearest", "bicubic") if k == 2 else ("bilinear", "nearest")
    params = {"mode": draw.choice(modes),
              "padding_mode": draw.choice(("zeros", "border", "reflection")),
              "align_corners": draw.choice((False, True))}  # fmt: skip
    return Sample((x, grid.astype(x.dtype)), params)


def _reflect(xp: Any, x: Any, lo: float, hi: float) -> Any:
    if lo == hi:
        return x * 0
    span, d = hi - lo, xp.abs(x - lo)
    extra = xp.fmod(d, span)
    return xp.where(xp.floor(d / span) % 2 == 0, extra + lo, span - extra + lo)


def _coordinate(xp: Any, g: Any, n: int, padding: str, align: bool) -> Any:
    x = (g + 1) / 2 * (n - 1) if align else ((g + 1) * n - 1) / 2
    if padding == "reflection":
        x = _reflect(xp, x, 0, n - 1) if align else _reflect(xp, x, -0.5, n - 0.5)
    return xp.clip(x, 0, n - 1) if padding != "zeros" else x


def _grid_ref(xp: Any, a: Any, grid: Any, mode: str, padding_mode: str, align_corners: bool):
    if mode == "bicubic":
        return _bicubic_ref(xp, a, grid, padding_mode, align_corners)
    n, c, *spatial = a.shape
    sizes = spatial[::-1]  # x (the last dim) first, as the grid lists coordinates
    coords = [
        xp.reshape(_coordinate(xp, grid[..., i], k, padding_mode, align_corners), (n, 1, -1))
        for i, k in enumerate(sizes)
    ]
    if mode == "nearest":
        taps = [([xp.round(x) for x in coords], 1.0)]
    else:
        taps = []
        for offsets in itertools.product((0, 1), repeat=len(coords)):
            corner = [xp.floor(x) + o for x, o in zip(coords, offsets)]
            weight = math.prod(1 - xp.abs(x - p) for x, p in zip(coords, corner))
            taps.append((corner, weight))
    flat, total = xp.reshape(a, (n, c, math.prod(spatial))), 0
    for corner, weight in taps:
        inside, index = True, 0
        for p, k in reversed(list(zip(corner, sizes))):
            inside = inside & (p >= 0) & (p <= k - 1)
            index = index * k + xp.clip(p, 0, k - 1)
        index = xp.broadcast_to(xp.astype(index, xp.int64), (n, c, index.shape[-1]))
        picked = xp.take_along_axis(flat, index, axis=2)
        total = total + xp.where(inside, picked * weight, 0.0)
    return xp.reshape(total, (n, c, *grid.shape[1:-1]))


def _bicubic_ref(xp: Any, a: Any, grid: Any, padding: str, align: bool) -> Any:
    """Keys' kernel over 4 x 4 taps; each tap (not the sample) moved in by the padding."""
    n, c, h, w = a.shape
    x = xp.reshape(_coordinate(xp, grid[..., 0], w, "zeros", align), (n, 1, -1))
    y = xp.reshape(_coordinate(xp, grid[..., 1], h, "zeros", align), (n, 1, -1))
    x0, y0 = xp.floor(x), xp.floor(y)
    flat, total = xp.reshape(a, (n, c, h * w)), 0
    for dy in (-1, 0, 1, 2):
        for dx in (-1, 0, 1, 2):
            weight = _keys_of(xp, x - x0 - dx) * _keys_of(xp, y - y0 - dy)
            xs, ys = _tap(xp, x0 + dx, w, padding, align), _tap(xp, y0 + dy, h, padding, align)
            inside = (ys >= 0) & (ys <= h - 1) & (xs >= 0) & (xs <= w - 1)
            index = xp.clip(ys, 0, h - 1) * w + xp.clip(xs, 0, w - 1)
            index = xp.broadcast_to(xp.astype(index, xp.int64), (n, c, index.shape[-1]))
            picked = xp.take_along_axis(flat, index, axis=2)
            total = total + xp.where(inside, picked * weight, 0.0)
    return xp.reshape(total, (n, c, *grid.shape[1:3]))


def _keys_of(xp: Any, d: Any) -> Any:
    """:func:`_keys` on an array of distances."""
    a, d = -0.75, xp.abs(d)
    near = (a + 2) * d**3 - (a + 3) * d**2 + 1
    far = a * d**3 - 5 * a * d**2 + 8 * a * d - 4 * a
    return xp.where(d <= 1, near, xp.where(d < 2, far, 0.0))


def _tap(xp: Any, x: Any, n: int, padding: str, align: bool) -> Any:
    if padding == "reflection":
        x = _reflect(xp, x, 0, n - 1) if align else _reflect(xp, x, -0.5, n - 0.5)
    return xp.clip(x, 0, n - 1) if padding != "zeros" else x


def _grid_call(a: Any, grid: Any, mode: str, padding_mode: str, align_corners: bool) -> Any:
    return retrograd.nn.functional.grid_sample(a, grid, mode, padding_mode, align_corners)


RESAMPLING["affine_grid_generator"] = Entry(
    _affine_sample,
    lambda theta, size, align_corners: retrograd.nn.functional.affine_grid(
        theta, size, align_corners
    ),
    _affine_ref,
)
RESAMPLING["grid_sampler_2d"] = Entry(_grid_sample, _grid_call, _grid_ref)
RESAMPLING["grid_sampler_3d"] = Entry(_grid_sample, _grid_call, _grid_ref)

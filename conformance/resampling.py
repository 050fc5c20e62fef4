"""Conformance entries of the resampling ops (retrograd/ops/upsample.py): how each is
sampled, called (through ``F.interpolate``) and computed by a NumPy reference.

The reference builds each spatial axis's ``(out, in)`` interpolation matrix from
PyTorch's documented formulas, in float64 (the nearest modes' scale is a float32, as
PyTorch's), and applies the matrices one axis at a time.
"""

from __future__ import annotations

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
    "adaptive_avg_pool2d": ("area", 2),
    "adaptive_avg_pool3d": ("area", 3),
}
_INTERPOLATING = ("linear", "bilinear", "trilinear", "bicubic")


def _sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``(N, C, *spatial)`` with sides 2 to 4, resized to a drawn size (up or down) or by
    a drawn scale factor; ``align_corners`` both ways for the interpolating modes."""
    mode, dims = MODES[record.name]
    spatial = tuple(draw.integer(2, 4) for _ in range(dims))
    shape = (draw.integer(1, 2), draw.integer(1, 2), *spatial)
    params: dict[str, Any] = {"size": None, "scale_factor": None, "align_corners": None}
    if mode == "area":  # (all ones would be a mean, not the pooling's node)
        params["size"] = tuple(draw.integer(2, 5) for _ in range(dims))
    elif draw.choice((True, False)):
        params["size"] = tuple(draw.integer(1, 5) for _ in range(dims))
    else:
        params["scale_factor"] = draw.choice((1.5, 2.0, 2.5, 0.75))
    if mode in _INTERPOLATING:
        params["align_corners"] = draw.choice((False, True))
    return Sample((values_for(record, draw, shape, dtype),), params)


def _call(mode: str):
    def call(a: Any, size: Any, scale_factor: Any, align_corners: Any) -> Any:
        return retrograd.nn.functional.interpolate(
            a, size, scale_factor, mode=mode, align_corners=align_corners
        )

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
    for j in range(m):
        if mode in ("nearest", "nearest-exact"):
            w[j, _nearest_rows(n, m, scale, mode == "nearest-exact")[j]] = 1.0
        elif mode == "area":
            lo, hi = (j * n) // m, -(-(j + 1) * n // m)
            w[j, lo:hi] = 1.0 / (hi - lo)
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


def _reference(mode: str):
    def ref(xp: Any, a: Any, size: Any, scale_factor: Any, align_corners: Any) -> Any:
        spatial = a.shape[2:]
        sizes = size or [math.floor(n * scale_factor) for n in spatial]
        scale = None if size or mode == "area" else scale_factor
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

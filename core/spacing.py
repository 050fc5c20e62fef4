"""The values of ``linspace`` and ``logspace``, to the last bit of PyTorch's.

PyTorch's CPU kernel does not compute ``start + i * (end - start) / (steps - 1)`` as
NumPy's ``linspace`` does. It rounds ``start``, ``end`` and the step to the dtype, counts
the first half of the points up from ``start`` and the second half down from ``end`` (so
both ends come out exact), and rounds each point in a way that depends on the dtype:

- float32 and float64: each point is one fused multiply-add, ``start + step * i`` (or
  ``end - step * (steps - 1 - i)``) rounded once;
- float16: in Half arithmetic, the index converted to Half and the product and the sum
  each rounded to Half (``start`` and ``end`` reach Half through float32);
- integer dtypes: ``start`` and ``end`` truncated to integers, the step and each point a
  float64 fused multiply-add, truncated toward zero.

NumPy's values differ from these in the last place for about half of all ``(start, end,
steps)``, and a value on a histogram's edge then lands in the neighbouring bin.

``logspace`` raises ``base`` to exponents spaced the same way, but computed in float64
with no fused multiply-add: the step is the ends' difference, rounded to the dtype,
divided in float64; each value is float64's ``pow`` rounded to the dtype (truncated for
an integer dtype). A single step is ``base ** start`` with ``start`` unrounded.

The values are computed here on the host, with NumPy, and become a tensor through the
backend's transfer, as ``arange``'s do, so they are the same on every backend.
"""

from __future__ import annotations

import numpy as np

from . import dtypes, simd_math
from .constants import HOST_BACKEND
from .plugins import get_backend

_INTEGERS = {
    dtypes.int8: np.int8,
    dtypes.int16: np.int16,
    dtypes.int32: np.int32,
    dtypes.int64: np.int64,
    dtypes.uint8: np.uint8,
}
_FLOATS = {dtypes.float16: np.float16, dtypes.float32: np.float32, dtypes.float64: np.float64}


def linspace_values(start: float, end: float, steps: int, dtype: dtypes.dtype) -> np.ndarray:
    """``steps`` values from ``start`` to ``end`` inclusive in ``dtype``, rounded as
    PyTorch's CPU ``linspace`` rounds them, as a NumPy array of that dtype."""
    if steps == 0:
        return np.empty(0, dtype=_host_dtype(dtype))
    for value in (start, end)[:steps]:  # the values PyTorch converts (start alone for one)
        _check_converts(value, dtype)
    with np.errstate(all="ignore"):  # infinities and NaN compute silently, as in PyTorch
        return _values(start, end, steps, dtype)


def _values(start: float, end: float, steps: int, dtype: dtypes.dtype) -> np.ndarray:
    if dtype in _INTEGERS:
        # Scalar-to-integer conversion truncates toward zero, as C++'s does.
        low, high = float(int(start)), float(int(end))
        points = _points(np.float64(low), np.float64(high), steps, simd_math.fma64)
        return np.trunc(points).astype(np.int64).astype(_INTEGERS[dtype])
    if dtype is dtypes.bool:  # one point is start (a fill); more need a kernel PyTorch lacks
        if steps > 1:
            raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
        return np.full(steps, bool(start))
    host = _FLOATS[dtype]
    if host is np.float16:
        return _half_points(start, end, steps)
    low, high = host(start), host(end)
    return _points(low, high, steps, simd_math.fma64 if host is np.float64 else simd_math.fma)


def logspace_values(
    start: float, end: float, steps: int, base: float, dtype: dtypes.dtype
) -> np.ndarray:
    """``steps`` values ``base ** e``, ``e`` from ``start`` to ``end`` inclusive, in
    ``dtype`` as PyTorch's CPU ``logspace`` computes them, as a NumPy array."""
    if steps == 0:
        return np.empty(0, dtype=_host_dtype(dtype))
    if steps == 1 and dtype is not dtypes.float16:
        # PyTorch fills with base ** start, converted as a fill value is (a Half fill
        # overflows to infinity unchecked)
        with np.errstate(all="ignore"):
            fill = float(np.power(np.float64(base), np.float64(start)))
        _check_converts(fill, dtype)
    for value in (start, end) if steps >= 2 else ():
        _check_converts(value, dtype)
    if dtype is dtypes.bool and steps > 1:
        raise NotImplementedError("\"logspace_cpu\" not implemented for 'Bool'")
    with np.errstate(all="ignore"):
        if steps == 1:
            exponents = np.array([float(start)])
        else:
            rounded = _rounding(dtype)
            low, high = rounded(start), rounded(end)
            step = float(rounded(high - low)) / (steps - 1)
            i = np.arange(steps, dtype=np.float64)
            exponents = np.where(
                i < steps // 2, float(low) + step * i, float(high) - step * (steps - 1 - i)
            )
        values = np.power(np.float64(base), exponents)
        if dtype is dtypes.bool:
            return values.astype(np.bool_)
        if dtype in _INTEGERS:
            # C++'s cast: to int64 or, for narrower types, to int32 and then wrapped (NaN
            # and the infinities become the type's lowest value, as on x86).
            wide = np.int64 if dtype is dtypes.int64 else np.int32
            return values.astype(wide).astype(_INTEGERS[dtype])
        return _to_float(values, _FLOATS[dtype])


def _host_dtype(dtype: dtypes.dtype) -> type:
    """The NumPy type holding ``dtype``'s values."""
    return np.bool_ if dtype is dtypes.bool else {**_INTEGERS, **_FLOATS}[dtype]


def _rounding(dtype: dtypes.dtype):
    """A Python number to ``dtype`` as PyTorch's scalar conversion rounds it: integers
    truncated, Half through float32."""
    if dtype in _INTEGERS:
        return int
    host = _FLOATS.get(dtype, np.float64)
    return lambda v: _to_float(np.float64(v), host)


def _to_float(values, host):
    """float64 values rounded to ``host`` (Half through float32, as C++'s casts go)."""
    if host is np.float16:
        return np.asarray(values, dtype=np.float64).astype(np.float32).astype(np.float16)
    return np.asarray(values, dtype=np.float64).astype(host)


# PyTorch's names of the C++ types its scalar conversions overflow (float64 cannot).
_CPP_TYPES = {
    dtypes.int8: "int8_t",
    dtypes.int16: "int16_t",
    dtypes.int32: "int",
    dtypes.int64: "int64_t",
    dtypes.uint8: "uint8_t",
    dtypes.float16: "c10::Half",
    dtypes.float32: "float",
}


def _check_converts(value: float, dtype: dtypes.dtype) -> None:
    """PyTorch's RuntimeError where a float does not fit ``dtype``: an integer dtype takes
    finite values within its range, a float dtype anything up to its largest finite value
    (infinities and NaN included)."""
    if dtype in _INTEGERS:
        info = np.iinfo(_INTEGERS[dtype])
        fits = np.isfinite(value) and info.min <= value <= info.max
    elif dtype in _CPP_TYPES:
        fits = not np.isfinite(value) or abs(value) <= np.finfo(_FLOATS[dtype]).max
    else:
        return
    if not fits:
        cpp = _CPP_TYPES[dtype]
        raise RuntimeError(f"value cannot be converted to type {cpp} without overflow")


def _points(low: np.floating, high: np.floating, steps: int, fma) -> np.ndarray:
    """Both halves, each point ``fma(step, count, from)`` in ``low``'s dtype (``fma``
    rounds once: :mod:`retrograd.simd_math`'s, in the host namespace)."""
    kind = type(low)
    if steps <= 1:
        return np.full(steps, low, dtype=kind)
    step = kind((high - low) / kind(steps - 1))
    i = np.arange(steps, dtype=np.float64)
    first = i < steps // 2
    scale = np.where(first, step, -step).astype(kind)
    count = np.where(first, i, steps - 1 - i)
    origin = np.where(first, low, high).astype(kind)
    return fma(get_backend(HOST_BACKEND).namespace, scale, count, origin).astype(kind)


def _half_points(start: float, end: float, steps: int) -> np.ndarray:
    """float16 in Half arithmetic: each operation computed in float32 and rounded to Half,
    the index converted to Half first (as PyTorch's Half operators with an integer do)."""
    f32, half = np.float32, np.float16
    low, high = half(f32(start)), half(f32(end))
    if steps <= 1:
        return np.full(steps, low, dtype=half)
    step = half(f32(half(high - low)) / f32(half(steps - 1)))
    i = np.arange(steps)
    first = i < steps // 2
    count = np.where(first, i, steps - 1 - i).astype(half).astype(f32)
    product = (f32(step) * count).astype(half).astype(f32)
    return np.where(first, f32(low) + product, f32(high) - product).astype(half)

"""The values of ``linspace``, to the last bit of PyTorch's.

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
steps)``, and a value on a histogram's edge then lands in the neighbouring bin. The
values are computed here on the host, with NumPy, and become a tensor through the
backend's transfer, as ``arange``'s do, so they are the same on every backend.
"""

from __future__ import annotations

import numpy as np

from . import dtypes

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
    for value in (start, end)[: min(steps, 2)]:  # the values PyTorch converts: one a point
        _check_converts(value, dtype)
    with np.errstate(all="ignore"):  # infinities and NaN compute silently, as in PyTorch
        return _values(start, end, steps, dtype)


def _values(start: float, end: float, steps: int, dtype: dtypes.dtype) -> np.ndarray:
    if dtype in _INTEGERS:
        # Scalar-to-integer conversion truncates toward zero, as C++'s does.
        low, high = float(int(start)), float(int(end))
        points = _points(np.float64(low), np.float64(high), steps, _fma64)
        return np.trunc(points).astype(np.int64).astype(_INTEGERS[dtype])
    if dtype is dtypes.bool:  # one point is start (a fill); more need a kernel PyTorch lacks
        if steps > 1:
            raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
        return np.full(steps, bool(start))
    host = _FLOATS[dtype]
    if host is np.float16:
        return _half_points(start, end, steps)
    low, high = host(start), host(end)
    return _points(low, high, steps, _fma64 if host is np.float64 else _fma32)


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
    """PyTorch's RuntimeError where ``start`` or ``end`` does not fit ``dtype``: an integer
    dtype takes finite values within its range, a float dtype anything up to its largest
    finite value (infinities and NaN included)."""
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
    """Both halves, each point ``fma(step, count, from)`` in ``low``'s dtype."""
    kind = type(low)
    if steps <= 1:
        return np.full(steps, low, dtype=kind)
    step = kind((high - low) / kind(steps - 1))
    i = np.arange(steps, dtype=np.float64)
    first = i < steps // 2
    scale = np.where(first, step, -step).astype(kind)
    count = np.where(first, i, steps - 1 - i)
    origin = np.where(first, low, high).astype(kind)
    return fma(scale, count, origin)


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


def _fma64(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a * b + c`` for float64 arrays with one rounding, up to the last place: Dekker's
    exact product and Knuth's exact sum, their errors added back (a faithful rounding)."""
    product = a * b
    (a_high, a_low), (b_high, b_low) = _halves(a), _halves(b)
    product_error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    total = product + c
    back = total - product
    sum_error = (product - (total - back)) + (c - back)
    return total + (product_error + sum_error)


def _halves(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Veltkamp's split of float64 ``a`` into two halves of 26 bits each."""
    t = a * 134217729.0
    high = t - (t - a)
    return high, a - high


def _fma32(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a * b + c`` for float32 ``a`` and ``c`` (``b`` an integer count) rounded once to
    float32. The product is exact in float64; the float64 sum is rounded to odd (its last
    bit set when the sum was inexact), after which rounding to float32 is exact rounding:
    no double-rounding tie."""
    product = a.astype(np.float64) * b
    wide = c.astype(np.float64)
    total = product + wide
    back = total - product
    error = (product - (total - back)) + (wide - back)
    even = (total.view(np.int64) & 1) == 0
    nudge = (error != 0) & even & np.isfinite(total)
    total = np.where(nudge, np.nextafter(total, np.where(error > 0, np.inf, -np.inf)), total)
    return total.astype(np.float32)

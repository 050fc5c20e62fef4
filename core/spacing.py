"""The values of ``arange``, ``linspace`` and ``logspace``, to the last bit of PyTorch's.

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

``arange`` computes ``start + step * i`` in a wider type (float64 for float32 and
float64, float32 for float16, int64 for the integers), and its rounding depends on where
an element falls in PyTorch's AVX2 loop: the loop fills two vectors of 32 bytes per
step, each vector from its first element ``start + step * idx`` rounded to the dtype and
then ``first + lane * step``; the elements after the last whole pair of vectors are
``start + step * i``, each a fused multiply-add. An integer dtype truncates ``start``
and ``step`` first (and int64 its length too).

The values are computed here on the host, with NumPy, and become a tensor through the
backend's transfer, so they are the same on every backend.
"""

from __future__ import annotations

import math
from typing import Any

from . import dtypes, simd_math
from .constants import HOST_BACKEND
from .plugins import get_backend

_INTEGERS = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8)
_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


def _numpy() -> Any:
    """NumPy, as the host backend's namespace: importing retrograd must not import it."""
    return get_backend(HOST_BACKEND).namespace


def _host(dtype: dtypes.dtype) -> Any:
    """The NumPy type of ``dtype``'s values."""
    return getattr(_numpy(), dtype.name)


def linspace_values(start: float, end: float, steps: int, dtype: dtypes.dtype) -> Any:
    """``steps`` values from ``start`` to ``end`` inclusive in ``dtype``, rounded as
    PyTorch's CPU ``linspace`` rounds them, as a NumPy array of that dtype."""
    np = _numpy()
    if steps == 0:
        return np.empty(0, dtype=_host(dtype))
    for value in (start, end)[:steps]:  # the values PyTorch converts (start alone for one)
        _check_converts(value, dtype)
    with np.errstate(all="ignore"):  # infinities and NaN compute silently, as in PyTorch
        return _values(start, end, steps, dtype)


def _values(start: float, end: float, steps: int, dtype: dtypes.dtype) -> Any:
    """linspace's points once the ends are known to fit ``dtype``."""
    np = _numpy()
    if dtype in _INTEGERS:
        # Scalar-to-integer conversion truncates toward zero, as C++'s does.
        low, high = float(int(start)), float(int(end))
        points = _points(np.float64(low), np.float64(high), steps, simd_math.fma64)
        return np.trunc(points).astype(np.int64).astype(_host(dtype))
    if dtype is dtypes.bool:  # one point is start (a fill); more need a kernel PyTorch lacks
        if steps > 1:
            raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
        return np.full(steps, bool(start))
    host = _host(dtype)
    if host is np.float16:
        return _half_points(start, end, steps)
    low, high = host(start), host(end)
    return _points(low, high, steps, simd_math.fma64 if host is np.float64 else simd_math.fma)


def logspace_values(start: float, end: float, steps: int, base: float, dtype: dtypes.dtype) -> Any:
    """``steps`` values ``base ** e``, ``e`` from ``start`` to ``end`` inclusive, in
    ``dtype`` as PyTorch's CPU ``logspace`` computes them, as a NumPy array."""
    np = _numpy()
    if steps == 0:
        return np.empty(0, dtype=_host(dtype))
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
            return values.astype(_host(dtype))
        if dtype in _INTEGERS:
            # C++'s cast: to int64 or, for narrower types, to int32 and then wrapped (NaN
            # and the infinities become the type's lowest value, as on x86).
            wide = np.int64 if dtype is dtypes.int64 else np.int32
            return values.astype(wide).astype(_host(dtype))
        return _to_float(values, _host(dtype))


def _rounding(dtype: dtypes.dtype) -> Any:
    """A Python number to ``dtype`` as PyTorch's scalar conversion rounds it: integers
    truncated, Half through float32."""
    np = _numpy()
    if dtype in _INTEGERS:
        return int
    host = _host(dtype) if dtype in _FLOATS else np.float64
    return lambda v: _to_float(np.float64(v), host)


def _to_float(values: Any, host: Any) -> Any:
    """float64 values rounded to ``host`` (Half through float32, as C++'s casts go)."""
    np = _numpy()
    if host is np.float16:
        return np.asarray(values, dtype=np.float64).astype(np.float32).astype(np.float16)
    return np.asarray(values, dtype=np.float64).astype(host)


def arange_values(start: float, end: float, step: float, dtype: dtypes.dtype) -> Any:
    """``start``, ``start + step``, ... up to, not including, ``end``, in ``dtype`` as
    PyTorch's CPU ``arange`` computes them, after its checks (in its order)."""
    np = _numpy()
    if dtype is dtypes.bool:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not all(math.isfinite(v) for v in (start, end)):
        # C++'s stream prints the ends as %g does (0, not 0.0)
        raise RuntimeError(f"unsupported range: {float(start):g} -> {float(end):g}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype in _INTEGERS:
        return _integer_range(start, end, step, dtype)
    count = max(0, math.ceil((float(end) - float(start)) / float(step)))
    i = np.arange(count, dtype=np.float64)
    host = _host(dtype)
    if _exact(start, step, count, host):  # every operation exact: no rounding to follow
        return (start + step * i).astype(host)
    width = _AVX2_BYTES // np.dtype(host).itemsize
    in_vectors = i < count // (2 * width) * (2 * width)
    first = np.floor(i / width) * width  # the index of each element's vector's first
    lane = i - first
    if dtype is dtypes.float16:  # float32 arithmetic, each vector's first rounded to Half
        f32 = np.float32
        begin, stride = np.full(count, f32(start)), np.full(count, f32(step))
        firsts = simd_math.fma(np, stride, first.astype(f32), begin).astype(np.float16)
        vector = simd_math.fma(np, lane.astype(f32), stride, firsts.astype(f32))
        scalar = simd_math.fma(np, stride, i.astype(f32), begin)
        return np.where(in_vectors, vector, scalar).astype(np.float16)
    begin, stride = np.float64(start), np.float64(step)
    firsts = simd_math.fma64(np, stride, first, begin).astype(host)
    vector = simd_math.fma64(np, lane, stride, firsts.astype(np.float64))
    scalar = simd_math.fma64(np, stride, i, begin)
    return np.where(in_vectors, vector, scalar).astype(host)


_AVX2_BYTES = 32  # one AVX2 vector (PyTorch runs its AVX2 kernels on AVX-512 machines too)


def _exact(start: float, step: float, count: int, host: type) -> bool:
    """Whether every value and intermediate is an integer the dtype holds exactly (the
    common ``arange(n)``): each rounding above is then no rounding at all."""
    np = _numpy()
    if not (float(start).is_integer() and float(step).is_integer()):
        return False
    exact_below = 2.0 ** (np.finfo(host).nmant + 1)
    return abs(start) + abs(step) * count <= exact_below


def _integer_range(start: float, end: float, step: float, dtype: dtypes.dtype) -> Any:
    """Integers from ``int(start)`` by ``int(step)``: int64 counts them from the truncated
    ends (refusing a step that truncates to zero), the narrower types from the exact ones
    (a step truncated to zero then repeats ``start``), each value wrapped to the dtype."""
    np = _numpy()
    low, stride = int(start), int(step)
    if dtype is dtypes.int64:
        if stride == 0:
            raise ValueError("step must be nonzero")
        span = int(end) - low + stride - (1 if stride > 0 else -1)
        count = abs(span) // abs(stride) * (1 if (span >= 0) == (stride > 0) else -1)
    else:
        count = math.ceil((float(end) - float(start)) / float(step))
    values = low + stride * np.arange(max(count, 0), dtype=np.int64)
    return values.astype(_host(dtype))


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
    np = _numpy()
    if dtype in _INTEGERS:
        info = np.iinfo(_host(dtype))
        fits = np.isfinite(value) and info.min <= value <= info.max
    elif dtype in _CPP_TYPES:
        fits = not np.isfinite(value) or abs(value) <= np.finfo(_host(dtype)).max
    else:
        return
    if not fits:
        cpp = _CPP_TYPES[dtype]
        raise RuntimeError(f"value cannot be converted to type {cpp} without overflow")


def _points(low: Any, high: Any, steps: int, fma) -> Any:
    """Both halves, each point ``fma(step, count, from)`` in ``low``'s dtype (``fma``
    rounds once: :mod:`retrograd.simd_math`'s, in the host namespace)."""
    np = _numpy()
    kind = type(low)
    if steps <= 1:
        return np.full(steps, low, dtype=kind)
    step = kind((high - low) / kind(steps - 1))
    i = np.arange(steps, dtype=np.float64)
    first = i < steps // 2
    scale = np.where(first, step, -step).astype(kind)
    count = np.where(first, i, steps - 1 - i)
    origin = np.where(first, low, high).astype(kind)
    return fma(np, scale, count, origin).astype(kind)


def _half_points(start: float, end: float, steps: int) -> Any:
    """float16 in Half arithmetic: each operation computed in float32 and rounded to Half,
    the index converted to Half first (as PyTorch's Half operators with an integer do)."""
    np = _numpy()
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

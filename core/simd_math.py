"""``log`` and ``sincos`` in float32 exactly as PyTorch's vectorized CPU ``normal_`` computes them.

PyTorch's ``normal_`` on a contiguous float32 tensor of 16 or more elements runs its AVX2
kernel (also on AVX-512 machines, which fall back to it), whose logarithm, sine and cosine
are the Cephes single-precision polynomials, evaluated with fused multiply-adds where the
compiler contracts a product into the next sum. Correctly rounded functions differ from
them in the last bit now and then, so a bit-exact ``randn`` needs the same polynomials in
the same order. Each step below is one float32 operation of that kernel; ``fma`` is a
single-rounding ``a * b + c``. ``xp`` is the host backend's namespace (NumPy).

Machines without AVX2 run a scalar kernel with the C library's ``logf``/``cosf``/``sinf``
instead; retrograd reproduces the AVX2 kernel (see docs/random.md).
"""

from __future__ import annotations

import math
from typing import Any

# Cephes' coefficients (single precision) for log(1 + x) and for sin/cos on [-pi/4, pi/4].
LOG_POLY = (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
)  # fmt: skip
LOG_Q1, LOG_Q2 = -2.12194440e-4, 0.693359375  # log(2) split in two parts
SQRT_HALF = 0.707106781186547524
FOUR_OVER_PI = 1.27323954473516
PI_PARTS = (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)  # -pi/4, split
COS_POLY = (2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002)
SIN_POLY = (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)


def fma(xp: Any, a: Any, b: Any, c: Any) -> Any:
    """``a * b + c`` rounded once to float32 (the hardware's fused multiply-add).

    The float32 product is exact in float64, the float64 sum is rounded once, and rounding
    it again to float32 can go the wrong way only where the float64 sum lies exactly
    halfway between two float32 values (its low 29 mantissa bits are ``1 << 28``); there,
    and only there (rare), the sum is nudged one float64 step towards its lost remainder
    first (Knuth's TwoSum gives the remainder)."""
    f64 = xp.float64
    p = xp.astype(a, f64) * xp.astype(b, f64)
    c = xp.astype(xp.asarray(c), f64)
    s = p + c
    low = s.view(xp.uint64) & xp.uint64(0x1FFFFFFF)  # the host namespace is NumPy's
    tie = low == xp.uint64(0x10000000)
    if xp.any(tie):
        back = s - p
        lost = (p - (s - back)) + (c - back)
        toward = xp.where(lost > 0, math.inf, -math.inf)
        s = xp.where(tie & (lost != 0), xp.nextafter(s, toward), s)
    return xp.astype(s, xp.float32)


def fma64(xp: Any, a: Any, b: Any, c: Any) -> Any:
    """``a * b + c`` in float64 with (almost always) one rounding: the product's exact
    error from Dekker's splitting, the sum's from Knuth's TwoSum, added back last."""
    a, b, c = (xp.astype(xp.asarray(v), xp.float64) for v in (a, b, c))
    p = a * b
    a_hi, a_lo = _split(xp, a)
    b_hi, b_lo = _split(xp, b)
    product_error = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    s = p + c
    back = s - p
    sum_error = (p - (s - back)) + (c - back)
    return s + (sum_error + product_error)


def _split(xp: Any, a: Any) -> tuple[Any, Any]:
    """``a`` as a high part of 26 bits and the rest (Veltkamp's splitting)."""
    scaled = a * xp.float64(134217729.0)  # 2**27 + 1
    high = scaled - (scaled - a)
    return high, a - high


def log(xp: Any, x: Any) -> Any:
    """Natural logarithm of positive, normal float32 ``x`` (Cephes ``logf``)."""
    f32 = xp.float32
    mantissa, exponent = xp.frexp(x)  # x = mantissa * 2**exponent, mantissa in [0.5, 1)
    e = xp.astype(exponent, f32)
    small = mantissa < f32(SQRT_HALF)
    e = xp.where(small, e - f32(1), e)
    x = xp.where(small, (mantissa - f32(1)) + mantissa, mantissa - f32(1))
    z = x * x
    y = xp.full(x.shape, LOG_POLY[0], dtype=f32)
    for coefficient in LOG_POLY[1:]:
        y = fma(xp, y, x, f32(coefficient))
    y = fma(xp, y * x, z, e * f32(LOG_Q1))
    y = fma(xp, z, f32(-0.5), y)
    return fma(xp, e, f32(LOG_Q2), x + y)


def sincos(xp: Any, x: Any) -> tuple[Any, Any]:
    """``(sin(x), cos(x))`` of non-negative float32 ``x`` (Cephes ``sinf``/``cosf``)."""
    f32 = xp.float32
    octant = xp.astype(x * f32(FOUR_OVER_PI), xp.int32)  # truncation, as cvttps does
    octant = (octant + 1) & ~1
    y = xp.astype(octant, f32)
    for part in PI_PARTS:  # x - y * pi/4 in extended precision
        x = fma(xp, y, f32(part), x)
    z = x * x
    c = xp.full(x.shape, COS_POLY[0], dtype=f32)
    for coefficient in COS_POLY[1:]:
        c = fma(xp, c, z, f32(coefficient))
    c = fma(xp, c * z, z, -(z * f32(0.5))) + f32(1)
    s = xp.full(x.shape, SIN_POLY[0], dtype=f32)
    for coefficient in SIN_POLY[1:]:
        s = fma(xp, s, z, f32(coefficient))
    s = fma(xp, s * z, x, x)
    first = (octant & 2) == 0  # which polynomial is the sine in this octant
    sin, cos = xp.where(first, s, c), xp.where(first, c, s)
    sin = xp.where((octant & 4) != 0, -sin, sin)
    cos = xp.where(((octant - 2) & 4) == 0, -cos, cos)
    return sin, cos


def box_muller_16(xp: Any, u: Any, mean: float, std: float) -> Any:
    """PyTorch's AVX2 ``normal_fill_16`` on each row of 16 uniforms ``u`` (shape (k, 16)):
    the first 8 give the radii, the last 8 the angles; returns the (k, 16) normals.

    Speed: rows go in chunks that stay in the CPU cache through the ~25 array passes."""
    rows = u.shape[0]
    chunks = [_box_muller_rows(xp, u[i : i + CHUNK_ROWS], mean, std)
              for i in range(0, rows, CHUNK_ROWS)]  # fmt: skip
    return chunks[0] if len(chunks) == 1 else xp.concat(chunks, axis=0)


CHUNK_ROWS = 4096  # 64K values: about 1 MB of float64 temporaries per pass


def _box_muller_rows(xp: Any, u: Any, mean: float, std: float) -> Any:
    f32 = xp.float32
    radius = xp.sqrt(f32(-2) * log(xp, f32(1) - u[:, :8]))
    sin, cos = sincos(xp, f32(2.0 * math.pi) * u[:, 8:])
    mean32, std32 = f32(mean), f32(std)
    return xp.concat(
        [fma(xp, radius * cos, std32, mean32), fma(xp, radius * sin, std32, mean32)], axis=1
    )

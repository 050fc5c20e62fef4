"""Kernels of ``retrograd/ops/special_functions.py``, the gamma family: ``lgamma``,
``digamma``, ``trigamma``, ``polygamma`` and the Hurwitz ``zeta``.

Same contract as :mod:`retrograd_backends.op_kernels` (whose ``GROUPS`` merges this one
into every backend's table): written once against an array namespace ``xp``, from the
mathematics (series, asymptotic expansions, recurrences and reflection formulas), so a
library without these functions (NumPy without SciPy, a third party's) computes them where
its arrays live, JAX's and CuPy's included: their ``scipy.special`` functions are less
accurate (JAX's float32 lgamma of a subnormal is inf) or disagree with PyTorch (JAX's
Hurwitz zeta is wrong for q < 0, which polygamma of a negative x needs). Dask maps the
NumPy kernels over its chunks. Accuracy: a few
float64 ulps (relative) away from zeros of the function (lgamma near its negative roots,
digamma near its root are only accurate in absolute terms, as in PyTorch).

Values at poles, infinities, nan and -0.0 are PyTorch's (its CPU kernels are the
specification): ``digamma(0) = -inf`` but ``digamma(-0.0) = inf``, nan at negative
integers; ``lgamma`` is inf at every pole; ``trigamma`` reflects with ``sin(pi x)``
computed in floating point, as PyTorch does, so it is large but finite at negative
integers; ``zeta(x, q)`` is inf for ``x = 1`` or ``q`` a non-positive integer and nan for
``x < 1``, or ``q < 0`` with ``x`` not an integer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

LOG_PI = math.log(math.pi)
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
EULER_GAMMA = 0.5772156649015329


def _bernoulli(count: int) -> list[float]:
    """B_2, B_4, ..., B_2count (exact rationals, from the recurrence sum C(m+1, j) B_j = 0)."""
    b = [Fraction(1)]
    for m in range(1, 2 * count + 1):
        b.append(-sum(math.comb(m + 1, j) * b[j] for j in range(m)) / (m + 1))
    return [float(b[2 * k]) for k in range(1, count + 1)]


BERNOULLI = _bernoulli(12)


def _zeta_integers(count: int) -> list[float]:
    """zeta(k) for k = 2 .. count + 1: the sum to 10^3 plus its Euler-Maclaurin tail."""
    n = 1000
    out = []
    for k in range(2, count + 2):
        head = math.fsum(j**-k for j in range(1, n))
        tail = n ** (1 - k) / (k - 1) + 0.5 * n**-k + k * n ** (-k - 1) / 12
        out.append(head + tail)
    return out


# lgamma(1 + e) = -gamma e + sum_{k >= 2} (-1)^k zeta(k) / k e^k, |e| <= 1/2: 1e-17 by k = 55.
_LGAMMA1_COEFFS = [(-1) ** k * z / k for k, z in enumerate(_zeta_integers(56), start=2)]
# lgamma's Stirling series: sum_k B_2k / (2k (2k - 1) x^(2k - 1)); 1e-19 at x >= 13.
_STIRLING = [b / (2 * k * (2 * k - 1)) for k, b in enumerate(BERNOULLI[:8], start=1)]
_STIRLING_FROM = 13.0


def _zeros(xp: Any, a: Any) -> Any:
    return xp.zeros_like(a)


def _sinpi(xp: Any, x: Any) -> Any:
    """sin(pi x) with the argument reduced exactly first (x - 2 round(x / 2)): 0 at every
    integer and accurate for large |x|, where pi * x would round."""
    r = x - 2 * xp.round(x / 2)
    return xp.sin(math.pi * r)


def _cospi(xp: Any, x: Any) -> Any:
    r = x - 2 * xp.round(x / 2)
    return xp.cos(math.pi * r)


def _lgamma1(xp: Any, e: Any) -> Any:
    """lgamma(1 + e) for |e| <= 1/2 by its Taylor series (relative accuracy at e = 0)."""
    total = _zeros(xp, e)
    for c in reversed(_LGAMMA1_COEFFS):
        total = (total + c) * e
    return (total - EULER_GAMMA) * e


def _lgamma_positive(xp: Any, x: Any) -> Any:
    """lgamma for x > 0 (garbage elsewhere, masked by the caller)."""
    small = x < 0.5
    near1 = xp.logical_and(x >= 0.5, x < 1.5)
    # [1.5, 13): recur down to [1.5, 2.5): lgamma(x) = log((x-1)...(x-m)) + lgamma(x - m).
    mid = xp.logical_and(x >= 1.5, x < _STIRLING_FROM)
    y = xp.where(mid, x, xp.full_like(x, 2.0))
    product = xp.ones_like(x)
    for _ in range(11):
        down = y >= 2.5
        y = xp.where(down, y - 1, y)
        product = xp.where(down, product * y, product)
    e2 = y - 2  # lgamma(2 + e) = log1p(e) + lgamma(1 + e)
    mid_value = xp.log(product) + xp.log1p(e2) + _lgamma1(xp, e2)
    e1 = xp.where(near1, x - 1, _zeros(xp, x))
    near1_value = _lgamma1(xp, e1)
    # (0, 0.5): lgamma(x) = lgamma(1 + x) - log(x).
    es = xp.where(small, x, _zeros(xp, x))
    small_value = _lgamma1(xp, es) - xp.log(xp.where(small, x, xp.ones_like(x)))
    big = xp.where(x >= _STIRLING_FROM, x, xp.full_like(x, _STIRLING_FROM))
    inverse, series = 1 / big, _zeros(xp, x)
    square = inverse * inverse
    for c in reversed(_STIRLING):
        series = series * square + c
    big_value = (big - 0.5) * xp.log(big) - big + HALF_LOG_2PI + series * inverse
    out = xp.where(mid, mid_value, big_value)
    return xp.where(small, small_value, xp.where(near1, near1_value, out))


def _lgamma(xp: Any) -> Callable[..., Any]:
    def lgamma(a: Any) -> Any:
        """log|Gamma(a)|: inf at 0, -0.0, the negative integers and +-inf; negative a by
        reflection, lgamma(a) = log(pi / |sin(pi a)|) - lgamma(1 - a)."""
        negative = a < 0
        positive_part = _lgamma_positive(xp, xp.where(negative, 1 - a, a))
        s = xp.abs(_sinpi(xp, xp.where(negative, a, xp.full_like(a, 0.5))))
        reflected = LOG_PI - xp.log(s) - positive_part
        out = xp.where(negative, reflected, positive_part)
        pole = xp.logical_or(xp.isinf(a), xp.logical_and(a <= 0, a == xp.floor(a)))
        out = xp.where(xp.isnan(a), a, out + 0.0)  # + 0.0: lgamma(1) is 0.0, never -0.0
        return xp.where(pole, xp.full_like(a, math.inf), out)

    return lgamma


# digamma's asymptotic series: log x - 1/(2x) - sum B_2k / (2k x^2k), at x >= 10.
_DIGAMMA_FROM = 10.0
_DIGAMMA_SERIES = [b / (2 * k) for k, b in enumerate(BERNOULLI[:8], start=1)]


def _digamma_positive(xp: Any, x: Any) -> Any:
    """digamma for x > 0: recur up past 10 (digamma(x) = digamma(x + 1) - 1 / x)."""
    shift = _zeros(xp, x)
    for _ in range(int(_DIGAMMA_FROM)):
        low = x < _DIGAMMA_FROM
        shift = xp.where(low, shift + 1 / x, shift)
        x = xp.where(low, x + 1, x)
    square = 1 / (x * x)
    series = _zeros(xp, x)
    for c in reversed(_DIGAMMA_SERIES):
        series = (series + c) * square
    return xp.log(x) - 0.5 / x - series - shift


def _digamma(xp: Any) -> Callable[..., Any]:
    def digamma(a: Any) -> Any:
        """The logarithmic derivative of Gamma: -inf at 0, inf at -0.0 (PyTorch's signs),
        nan at negative integers and -inf; negative a by reflection,
        digamma(a) = digamma(1 - a) - pi cos(pi a) / sin(pi a)."""
        negative = a < 0
        value = _digamma_positive(xp, xp.where(negative, 1 - a, xp.where(a == 0, 1.0, a)))
        r = xp.where(negative, a, xp.full_like(a, 0.5))
        reflected = value - math.pi * _cospi(xp, r) / _sinpi(xp, r)
        out = xp.where(negative, reflected, value)
        nan_at = xp.logical_and(negative, a == xp.floor(a))  # -inf included
        out = xp.where(nan_at, xp.full_like(a, math.nan), out)
        zero_value = xp.where(xp.signbit(a), xp.full_like(a, math.inf), -math.inf)
        return xp.where(a == 0, zero_value, out)

    return digamma


_TRIGAMMA_SERIES = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def _trigamma(xp: Any) -> Callable[..., Any]:
    def trigamma(a: Any) -> Any:
        """polygamma(1, a): for a < 1/2 by reflection, pi^2 / sin(pi a)^2 - trigamma(1 - a),
        with sin(pi a) rounded as PyTorch rounds it (large, finite at negative integers)."""
        reflect = a < 0.5
        x = xp.where(reflect, 1 - a, a)
        total = _zeros(xp, a)
        for _ in range(int(_DIGAMMA_FROM)):
            low = x < _DIGAMMA_FROM
            total = xp.where(low, total + 1 / (x * x), total)
            x = xp.where(low, x + 1, x)
        square, series = 1 / (x * x), _zeros(xp, a)
        for c in reversed(_TRIGAMMA_SERIES):  # B_2k / x^(2k+1)
            series = (series + c) * square
        total = total + (1 + 0.5 / x + series) / x
        s = xp.sin(math.pi * xp.where(reflect, a, xp.full_like(a, 0.5)))
        return xp.where(reflect, math.pi**2 / (s * s) - total, total)

    return trigamma


_ZETA_DIRECT = 10  # direct terms at least, and until q + k >= 10


def _zeta_shift(xp: Any, x: Any, q: Any) -> int:
    """How many terms to sum directly: enough that every finite q moves past 10 (a read of
    the operands' values; lazy libraries map the NumPy kernel over chunks instead)."""
    lowest = xp.where(xp.isfinite(q), q, xp.zeros_like(q))
    if lowest.size == 0:
        return _ZETA_DIRECT
    return _ZETA_DIRECT + max(0, math.ceil(-float(xp.min(lowest))))


def _zeta(xp: Any) -> Callable[..., Any]:
    def zeta(x: Any, q: Any) -> Any:
        """The Hurwitz zeta sum_k (q + k)^-x: sum the first terms, then Euler-Maclaurin's
        tail a^(1-x)/(x-1) + a^-x/2 + sum B_2j/(2j)! x(x+1)...(x+2j-2) a^(-x-2j+1)."""
        x, q = xp.broadcast_arrays(*operand_arrays(xp, x, q))
        total, a = _zeros(xp, q), q
        for _ in range(_zeta_shift(xp, x, q)):
            total = total + xp.pow(a, -x)
            a = a + 1
        direct = total
        # a^(1-x) computed directly: a * a^-x would pass through a subnormal for huge a,
        # which XLA (JAX on the CPU) flushes to zero.
        b = xp.pow(a, -x)
        total = total + xp.pow(a, 1 - x) / (x - 1) + 0.5 * b
        rising, factorial = xp.ones_like(q), 1.0
        for j, bern in enumerate(BERNOULLI, start=1):
            factorial *= (2 * j - 1) * (2 * j)
            rising = (
                rising * (x + 2 * j - 2) if j == 1 else rising * (x + 2 * j - 3) * (x + 2 * j - 2)
            )
            b = b / a if j == 1 else b / (a * a)
            total = total + bern / factorial * rising * b
        # An infinite direct sum (x = inf, a term |q + k| < 1) is the value, as PyTorch's.
        total = xp.where(xp.isinf(direct), direct, total)
        return _zeta_special_values(xp, x, q, total)

    return zeta


def operand_arrays(xp: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """Two operands as arrays, a Python number in the other operand's dtype."""
    if not hasattr(a, "dtype"):
        a = xp.asarray(a, dtype=b.dtype)
    if not hasattr(b, "dtype"):
        b = xp.asarray(b, dtype=a.dtype)
    return a, b


def _zeta_special_values(xp: Any, x: Any, q: Any, value: Any) -> Any:
    """PyTorch's values, in its order of precedence: inf at x = 1, nan for x < 1, inf at
    q a non-positive integer, nan for q < 0 with x not an integer; and nan at q = inf,
    1 at (x, q) = (inf, 1)."""
    value = xp.where(xp.logical_and(xp.isinf(x), q == 1), xp.ones_like(value), value)
    value = xp.where(q == math.inf, math.nan, value)
    value = xp.where(xp.logical_and(q < 0, x != xp.floor(x)), math.nan, value)
    pole = xp.logical_and(q <= 0, q == xp.floor(q))
    value = xp.where(pole, xp.full_like(value, math.inf), value)
    value = xp.where(x < 1, math.nan, value)
    return xp.where(x == 1, xp.full_like(value, math.inf), value)


def polygamma_from(digamma: Any, trigamma: Any, zeta: Any) -> Callable[..., Any]:
    """``polygamma(n, a)`` from a library's digamma, trigamma and Hurwitz zeta, as PyTorch
    computes it: digamma for n = 0, trigamma for n = 1, else
    (-1)^(n+1) n! zeta(n + 1, a)."""

    def polygamma(n: int, a: Any) -> Any:
        if n == 0:
            return digamma(a)
        if n == 1:
            return trigamma(a)
        return ((-1) ** (n + 1) * math.factorial(n)) * zeta(a * 0 + (n + 1), a)

    return polygamma


# for retrograd_backends.igamma_kernels
lgamma1, lgamma_positive = _lgamma1, _lgamma_positive


def gamma_family(xp: Any) -> dict[str, Callable[..., Any]]:
    kernels = {
        "lgamma": _lgamma(xp), "digamma": _digamma(xp), "trigamma": _trigamma(xp),
        "zeta": _zeta(xp),
    }  # fmt: skip
    kernels["polygamma"] = polygamma_from(kernels["digamma"], kernels["trigamma"], kernels["zeta"])
    return kernels

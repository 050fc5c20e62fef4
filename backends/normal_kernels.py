"""Kernels of ``retrograd/ops/special_functions.py`` around the normal distribution:
``erfinv``, ``ndtri`` (the inverse of its CDF), ``log_ndtr`` (the log of its CDF) and ``erfcx``
(the scaled complementary error function ``exp(x^2) erfc(x)``).

Same contract as :mod:`retrograd_backends.special_kernels` (which merges them into its
group): written once against ``xp`` from the mathematics, accurate in the far tails
where the naive formulas underflow (``log_ndtr(-1e10)`` is ``-5e19``, ``ndtri(1e-300)``
is ``-37.05``). Values at the ends are PyTorch's: ``ndtri(0) = -inf``, ``ndtri(1) = inf``,
nan outside [0, 1]; ``log_ndtr(inf) = -0.0``; ``erfcx(-inf) = inf``, ``erfcx(inf) = 0``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .misc_kernels import _erf_series, _erfc

SQRT_HALF = math.sqrt(0.5)
SQRT2 = math.sqrt(2.0)
TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
# erfcx's continued fraction above this x (deep enough for float64 there); below it,
# exp(x^2) erfc(x), which only overflows where erfcx itself does (x < -26.6).
_ERFCX_SPLIT, _ERFCX_DEPTH = 1.5, 160
# Winitzki's closed form for the inverse of erfc (relative error below 2e-3), refined by
# Halley's method (cubic: 2e-3, 1e-8, below float64's precision).
_WINITZKI_A = 0.147
_HALLEY_STEPS = 4


def _erfcx(xp: Any) -> Callable[..., Any]:
    erfc = _erfc(xp)

    def erfcx(a: Any) -> Any:
        """exp(a^2) erfc(a): 1 / (sqrt(pi) (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))))
        above 1.5, without the exp(-z^2) that would underflow."""
        large = a >= _ERFCX_SPLIT
        z = xp.where(large, a, xp.full_like(a, _ERFCX_SPLIT))
        f = z
        for k in range(_ERFCX_DEPTH, 0, -1):
            f = z + (k / 2) / f
        tail = 1 / (f * math.sqrt(math.pi))
        near = xp.where(large, xp.zeros_like(a), a)
        return xp.where(large, tail, xp.exp(near * near) * erfc(near))

    return erfcx


def winitzki_start(xp: Any, log_term: Any) -> Any:
    """Winitzki's closed form for |erfinv(y)|, from log_term = log(1 - y^2)."""
    first = 2 / (math.pi * _WINITZKI_A) + log_term / 2
    return xp.sqrt(xp.sqrt(first * first - log_term / _WINITZKI_A) - first)


def inverse_erfc(xp: Any, c: Any, steps: int = _HALLEY_STEPS) -> Any:
    """x >= 0 with erfc(x) = c, for c in (0, 1]: Winitzki's start from
    log(1 - (1 - c)^2) = log(c) + log1p(1 - c) (no cancellation for tiny c), then
    Halley's steps on the residual erfc(x) - c (relative to c in the tail)."""
    erfc = _erfc(xp)
    x = winitzki_start(xp, xp.log(c) + xp.log1p(1 - c))
    for _ in range(steps):
        t = (c - erfc(x)) / (TWO_OVER_SQRT_PI * xp.exp(-x * x))
        x = x - t / (1 + t * x)
    return x


def _erfinv(xp: Any) -> Callable[..., Any]:
    def erfinv(a: Any) -> Any:
        """The inverse of erf on [-1, 1] (+-inf at +-1, nan outside): Halley's method on
        erf(x) = |a| for |a| < 1/2; above, the inverse of erfc at 1 - |a| (exact), where
        erf's residual would lose the digits of the tail."""
        z = xp.abs(a)
        small = z < 0.5
        zs = xp.where(small, z, xp.zeros_like(z))
        x = winitzki_start(xp, xp.log1p(-zs * zs))
        for _ in range(_HALLEY_STEPS - 1):
            t = (_erf_series(xp, x) - zs) / (TWO_OVER_SQRT_PI * xp.exp(-x * x))
            x = x - t / (1 + t * x)
        tail = xp.logical_and(z >= 0.5, z < 1)
        out = xp.where(small, x, inverse_erfc(xp, xp.where(tail, 1 - z, 0.5)))
        out = xp.where(z == 1, xp.full_like(a, math.inf), out)
        out = xp.where(xp.logical_or(z > 1, xp.isnan(a)), xp.full_like(a, math.nan), out)
        return xp.where(xp.signbit(a), -out, out)

    return erfinv


def _ndtri(xp: Any) -> Callable[..., Any]:
    erfinv = _erfinv(xp)

    def ndtri(a: Any) -> Any:
        """The inverse of the standard normal CDF: sqrt(2) erfinv(2p - 1) for p in
        [1/4, 3/4] (2p - 1 exact, and relative accuracy near p = 1/2); outside it
        -sqrt(2) erfcinv(2p) below and sqrt(2) erfcinv(2 (1 - p)) above (1 - p exact)."""
        middle = xp.abs(a - 0.5) < 0.25
        centre = SQRT2 * erfinv(xp.where(middle, 2 * a - 1, xp.zeros_like(a)))
        upper = a >= 0.5
        c = xp.where(upper, 2 * (1 - a), 2 * a)
        inside = xp.logical_and(c > 0, c <= 1)
        x = SQRT2 * inverse_erfc(xp, xp.where(inside, c, xp.ones_like(a)))
        out = xp.where(middle, centre, xp.where(upper, x, -x))
        out = xp.where(a == 0, xp.full_like(a, -math.inf), out)
        out = xp.where(a == 1, xp.full_like(a, math.inf), out)
        bad = xp.logical_or(xp.logical_or(a < 0, a > 1), xp.isnan(a))
        return xp.where(bad, xp.full_like(a, math.nan), out)

    return ndtri


def _log_ndtr(xp: Any) -> Callable[..., Any]:
    erfc, erfcx = _erfc(xp), _erfcx(xp)

    def log_ndtr(a: Any) -> Any:
        """log(ndtr(a)): log(erfcx(-a/sqrt 2) / 2) - a^2 / 2 below -1 (no underflow),
        log(erfc(-a/sqrt 2) / 2) up to 0, log1p(-erfc(a/sqrt 2) / 2) above."""
        far = a < -1
        z = xp.where(far, -a * SQRT_HALF, xp.ones_like(a))
        far_value = xp.log(erfcx(z) / 2) - z * z
        u = xp.where(far, xp.zeros_like(a), a * SQRT_HALF)
        middle = xp.log(erfc(-u) / 2)
        upper = xp.log1p(-erfc(u) / 2)
        return xp.where(far, far_value, xp.where(a < 0, middle, upper))

    return log_ndtr


def normal(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "erfinv": _erfinv(xp), "ndtri": _ndtri(xp), "log_ndtr": _log_ndtr(xp),
        "erfcx": _erfcx(xp),
    }  # fmt: skip

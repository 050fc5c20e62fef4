"""Kernels of ``retrograd.special.gammainc``/``gammaincc`` (``torch.igamma``/``igammac``):
the regularized lower and upper incomplete gamma functions P(a, x) and Q(a, x) = 1 - P.

Written once against an array namespace ``xp``, the way PyTorch's CPU kernel (Cephes')
picks its method: the power series of P for x below a (or x <= 1), Legendre's continued
fraction of Q for x above a (and 1.1), and the series of Q itself for small a and x <= 1.1
(where Q is far below 1 and 1 - P would lose it). PyTorch switches to Temme's uniform
expansion for large a near x; here the series and the fraction run longer there instead,
and the prefactor x^a e^-x / Gamma(a) is taken from Stirling's series so that it keeps its
relative accuracy for large a. The sums run until every element has converged (a read of
the values, as ``zeta``'s does; lazy libraries map the NumPy kernel over chunks).

Values at the edges are PyTorch's: nan for a < 0 or x < 0; at a = 0, P is 1 and Q 0 for
x > 0 (nan at x = 0); at x = 0, P is 0 and Q 1; at a = inf, P is 0 and Q 1 (nan where x
is inf too); at x = inf, P is 1 and Q 0; nan operands elsewhere give nan.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import gamma_kernels

EPS = 2.0**-53
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_BLOCK, _MAX_TERMS = 16, 100_000
# Stirling's series lgamma(a) - ((a - 1/2) log a - a + log(2 pi) / 2), for a >= 10.
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360)


def _converged(xp: Any, term: Any, total: Any, tolerance: float = EPS) -> bool:
    return bool(xp.all(xp.abs(term) <= tolerance * xp.abs(total)))


def _log_prefactor(xp: Any, a: Any, x: Any) -> Any:
    """log(x^a e^-x / Gamma(a)), with Stirling's series for a >= 10 so that the large
    terms a log x and lgamma(a) cancel exactly (a log(x / a) + a - x by log1p)."""
    big = a >= 10
    ab = xp.where(big, a, xp.full_like(a, 10.0))
    inv2, correction = 1 / (ab * ab), xp.zeros_like(a)
    for c in reversed(_STIRLING):
        correction = correction * inv2 + c
    correction = correction / ab
    near = xp.abs(x - ab) < 0.5 * ab  # log1p keeps x/a - 1 exact there, log keeps x/a below
    ratio = xp.where(near, xp.log1p((x - ab) / ab), xp.log(x / ab))
    stirling = ab * ratio + (ab - x) + 0.5 * xp.log(ab) - HALF_LOG_2PI
    direct = a * xp.log(x) - x - gamma_kernels.lgamma_positive(xp, xp.where(big, 1.0, a))
    return xp.where(big, stirling - correction, direct)


def _lower_series(xp: Any, a: Any, x: Any) -> Any:
    """P(a, x) = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n))."""
    term, total, n = xp.ones_like(a), xp.ones_like(a), 0
    while n < _MAX_TERMS:
        for _ in range(_BLOCK):
            n += 1
            term = term * x / (a + n)
            total = total + term
        if _converged(xp, term, total):
            break
    return xp.exp(_log_prefactor(xp, a, x)) * total / a


def _upper_fraction(xp: Any, a: Any, x: Any) -> Any:
    """Q(a, x) by Legendre's continued fraction (modified Lentz), x > a."""
    tiny = 1e-300
    b = x + 1 - a
    c, d = xp.full_like(a, 1 / tiny), 1 / b
    h, i = d, 0
    while i < _MAX_TERMS:
        for _ in range(_BLOCK):
            i += 1
            an = -i * (i - a)
            b = b + 2
            d = an * d + b
            d = xp.where(xp.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = xp.where(xp.abs(c) < tiny, tiny, c)
            d = 1 / d
            delta = d * c
            h = h * delta
        if _converged(xp, delta - 1, xp.ones_like(delta), 8 * EPS):  # steps round by ulps
            break
    return xp.exp(_log_prefactor(xp, a, x)) * h


def _upper_series(xp: Any, a: Any, x: Any) -> Any:
    """Q(a, x) for small a and x <= 1.1: -expm1(a log x - lgamma(1 + a)) minus
    x^a / Gamma(a) sum_n (-x)^n / (n! (a + n)) (Cephes' igamc_series)."""
    fac, total, n = xp.ones_like(a), xp.zeros_like(a), 0
    while n < _MAX_TERMS:
        for _ in range(_BLOCK):
            n += 1
            fac = fac * -x / n
            term = fac / (a + n)
            total = total + term
        if _converged(xp, term, total):
            break
    logx = xp.log(x)
    lgamma1p = _lgamma1p(xp, a)
    first = -xp.expm1(a * logx - lgamma1p)
    return first - xp.exp(a * logx - lgamma1p) * a * total


def _lgamma1p(xp: Any, a: Any) -> Any:
    """lgamma(1 + a), by its Taylor series for |a| <= 1/2 (relative accuracy near 0)."""
    small = xp.abs(a) <= 0.5
    series = gamma_kernels.lgamma1(xp, xp.where(small, a, xp.zeros_like(a)))
    return xp.where(small, series, gamma_kernels.lgamma_positive(xp, xp.where(small, 1.0, 1 + a)))


def _methods(xp: Any, a: Any, x: Any) -> tuple[Any, Any]:
    """Where PyTorch takes Q's continued fraction (``fraction``) and Q's own series
    (``upper``); elsewhere P's series."""
    fraction = xp.logical_and(x > 1.1, x >= a)
    logx = xp.log(xp.where(x > 0, x, xp.ones_like(x)))
    small_x = xp.logical_and(x <= 0.5, -0.4 / xp.where(logx == 0, -1.0, logx) >= a)
    mid_x = xp.logical_and(xp.logical_and(x > 0.5, x <= 1.1), x * 1.1 >= a)
    return fraction, xp.logical_or(small_x, mid_x)


def _regularized(xp: Any, a: Any, x: Any) -> tuple[Any, Any]:
    """(P, Q) on finite a > 0, x > 0, each by the method PyTorch would use for it."""
    fraction, upper = _methods(xp, a, x)
    series_at = xp.logical_not(xp.logical_or(fraction, upper))
    one = xp.ones_like(a)
    p = _lower_series(xp, xp.where(series_at, a, one), xp.where(series_at, x, 0.5 * one))
    q_frac = _upper_fraction(xp, xp.where(fraction, a, one), xp.where(fraction, x, 2 * one))
    q_ser = _upper_series(xp, xp.where(upper, a, 0.5 * one), xp.where(upper, x, 0.5 * one))
    q = xp.where(fraction, q_frac, xp.where(upper, q_ser, 1 - p))
    # P: 1 - Q above x = max(1, a), its series below (PyTorch's igamma).
    lower_from_q = xp.logical_and(x > 1, x > a)
    series_p = _lower_series(
        xp, xp.where(lower_from_q, one, a), xp.where(lower_from_q, 0.5 * one, x)
    )
    return xp.where(lower_from_q, 1 - q, series_p), q


def _edges(xp: Any, a: Any, x: Any, value: Any, upper: bool) -> Any:
    """PyTorch's values outside the domain, at a = 0, x = 0 and the infinities, in its
    order of precedence (later wins here): a nan operand gives nan only where no rule
    before the sum applies (P(nan, 0) is 0, P(inf, nan) 0, P(nan, inf) 1)."""
    nan, one, zero = xp.full_like(value, math.nan), xp.ones_like(value), xp.zeros_like(value)
    at_inf_x, at_zero_x = (zero, one) if upper else (one, zero)
    value = xp.where(xp.logical_or(xp.isnan(a), xp.isnan(x)), nan, value)
    value = xp.where(xp.isinf(x), at_inf_x, value)
    value = xp.where(xp.isinf(a), xp.where(xp.isinf(x), nan, at_zero_x), value)
    value = xp.where(x == 0, at_zero_x, value)
    value = xp.where(a == 0, xp.where(x > 0, at_inf_x, nan), value)
    return xp.where(xp.logical_or(a < 0, x < 0), nan, value)


def _incomplete(xp: Any, upper: bool) -> Callable[..., Any]:
    def kernel(a: Any, x: Any) -> Any:
        """Q(a, x) if ``upper`` else P(a, x), elementwise over broadcast a and x."""
        a, x = xp.broadcast_arrays(*gamma_kernels.operand_arrays(xp, a, x))
        inside = xp.logical_and(
            xp.logical_and(a > 0, x > 0), xp.logical_and(xp.isfinite(a), xp.isfinite(x))
        )
        one = xp.ones_like(a)
        p, q = _regularized(xp, xp.where(inside, a, one), xp.where(inside, x, one))
        return _edges(xp, a, x, q if upper else p, upper)

    return kernel


def incomplete_gamma(xp: Any) -> dict[str, Callable[..., Any]]:
    return {"igamma": _incomplete(xp, False), "igammac": _incomplete(xp, True)}

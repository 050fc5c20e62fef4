"""Kernels of ``retrograd/ops/pointwise_misc.py``: the inverse hyperbolic functions,
``deg2rad``/``rad2deg``, ``fmod``, ``fmax``/``fmin``, ``logaddexp2``, ``erfc`` and the
``diagonal`` view.

Same contract as :mod:`retrograd_backends.op_kernels` (whose ``GROUPS`` merges this one
into every backend's table): written once against an array namespace ``xp``. ``fmod``,
``fmax`` and ``fmin`` are not in the array API, but NumPy, CuPy, JAX and Dask all name
them: they are looked up when called, so a namespace without them still builds its
table and fails only on use.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

LOG2_E = 1.0 / math.log(2.0)


def _logaddexp2(xp: Any) -> Callable[..., Any]:
    def logaddexp2(a: Any, b: Any) -> Any:
        """log2(2**a + 2**b) as PyTorch computes it: the larger operand plus
        log1p(2**-|a - b|) / ln 2; two equal infinities give themselves (no inf - inf)."""
        same_infinity = xp.logical_and(a == b, xp.isinf(a))
        gap = xp.where(same_infinity, xp.zeros_like(a), a - b)
        out = xp.maximum(a, b) + xp.log1p(xp.exp2(-xp.abs(gap))) * LOG2_E
        return xp.where(same_infinity, a, out)

    return logaddexp2


def _diagonal(xp: Any) -> Callable[..., Any]:
    def diagonal(a: Any, offset: int, axis1: int, axis2: int) -> Any:
        """The diagonal view (NumPy's ``diagonal``: the two axes removed, the diagonal
        last). NumPy marks it read-only; it is made writable where ``a`` is, so that
        writes through it reach ``a`` as through PyTorch's view."""
        view = xp.diagonal(a, offset, axis1, axis2)
        flags = getattr(view, "flags", None)
        if not getattr(flags, "writeable", True) and getattr(a.flags, "writeable", False):
            view.flags.writeable = True
        return view

    return diagonal


# erfc: 1 - erf below this magnitude (erfc >= 0.03 there, so no precision is lost), the
# continued fraction of erfc above it, deep enough for float64 at the split; the series
# of erf inside converges to float64 in that many terms.
_ERFC_SPLIT, _ERFC_DEPTH, _ERF_TERMS = 1.5, 160, 40


def _erf_series(xp: Any, x: Any) -> Any:
    """erf(x) = 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (2n+1)!! (positive terms only)."""
    term, total = x, x
    for n in range(_ERF_TERMS):
        term = term * (2 * x * x / (2 * n + 3))
        total = total + term
    return total * xp.exp(-x * x) * (2 / math.sqrt(math.pi))


def _erfc(xp: Any) -> Callable[..., Any]:
    def erfc(a: Any) -> Any:
        """``1 - erf(a)`` to float64's relative precision in the tails too: the continued
        fraction ``exp(-z^2) / sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))``
        for ``|a| >= 1.5`` (``2 -`` it for negative ``a``), ``1 - erf(a)`` inside."""
        small = xp.abs(a) < _ERFC_SPLIT
        inner = 1 - _erf_series(xp, xp.where(small, a, xp.zeros_like(a)))
        z = xp.where(small, xp.full_like(a, _ERFC_SPLIT), xp.abs(a))
        f = z
        for k in range(_ERFC_DEPTH, 0, -1):
            f = z + (k / 2) / f
        tail = xp.exp(-z * z) / (f * math.sqrt(math.pi))
        return xp.where(small, inner, xp.where(a < 0, 2 - tail, tail))  # nan stays nan

    return erfc


def _shift(xp: Any, left: bool) -> Callable[..., Any]:
    def shift(a: Any, b: Any) -> Any:
        """PyTorch's shifts of integers: a shift by the bit width or more, or by a
        negative amount, gives 0 to the left and the sign fill to the right, where C
        (and so NumPy) leaves it undefined."""
        if not hasattr(a, "dtype"):  # a Python number shifted by a tensor
            a = xp.asarray(a, dtype=b.dtype)
        bits = 8 * a.dtype.itemsize
        b = xp.asarray(b, dtype=a.dtype) if not hasattr(b, "dtype") else xp.astype(b, a.dtype)
        amount = xp.clip(b, 0, bits - 1)
        if left:
            past = (b < 0) | (b >= bits)
            return xp.where(past, xp.zeros_like(a), xp.bitwise_left_shift(a, amount))
        past = xp.full_like(amount, bits - 1)
        return xp.bitwise_right_shift(a, xp.where(b < 0, past, amount))

    return shift


def _frexp(xp: Any) -> Callable[..., Any]:
    def frexp(a: Any) -> tuple:
        """(mantissa in [0.5, 1) with a's sign, int32 exponent); 0, inf and nan keep
        their value with exponent 0."""
        mantissa, exponent = xp.frexp(a)
        return mantissa, xp.astype(exponent, xp.int32)

    return frexp


def misc(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "diagonal": _diagonal(xp),
        "erfc": _erfc(xp),
        "acosh": xp.acosh,
        "asinh": xp.asinh,
        "atanh": xp.atanh,
        # PyTorch multiplies by the constant rounded to the operand's dtype.
        "deg2rad": lambda a: a * (math.pi / 180.0),
        "rad2deg": lambda a: a * (180.0 / math.pi),
        "fmod": lambda a, b: xp.fmod(a, b),
        "fmax": lambda a, b: xp.fmax(a, b),
        "fmin": lambda a, b: xp.fmin(a, b),
        "logaddexp2": _logaddexp2(xp),
        # integer and float bit functions: named by NumPy, CuPy, JAX and Dask (Dask's
        # gcd/lcm come from its backend's overrides)
        "bitwise_left_shift": _shift(xp, True),
        "bitwise_right_shift": _shift(xp, False),
        "gcd": lambda a, b: xp.gcd(a, b),
        "lcm": lambda a, b: xp.lcm(a, b),
        "nextafter": lambda a, b: xp.nextafter(a, b),
        "frexp": _frexp(xp),
    }

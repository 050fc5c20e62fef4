"""Kernels of ``retrograd/ops/pointwise_extra.py``: ``hypot``, ``copysign``, ``signbit``,
``xlogy``, ``logit``, ``sinc``, ``nan_to_num``, ``heaviside``, ``addcmul``, ``addcdiv``.

Same contract as :mod:`retrograd_backends.op_kernels` (whose ``GROUPS`` merges this one
into every backend's table): written once against an array-API namespace ``xp``. Each
computes PyTorch's formula, in its order of operations, so results round as PyTorch's;
values a ``where`` discards are computed from safe operands (no warning, no nan).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def _like(xp: Any, value: Any, a: Any) -> Any:
    """``value`` (a Python number or an array) as an array of ``a``'s dtype."""
    return value if hasattr(value, "dtype") else xp.asarray(value, dtype=a.dtype)


def _pair(xp: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """Two operands, either possibly a Python number, as arrays of one dtype."""
    if not hasattr(a, "dtype"):
        return _like(xp, a, b), b
    return a, _like(xp, b, a)


def _opmath(xp: Any, f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` computing float16 arrays in float32 and rounding once, as PyTorch's CPU
    kernels do (``pi * a`` rounded to half first would lose sinc's zeros)."""

    def kernel(a: Any, *rest: Any) -> Any:
        # By name: not every namespace names float16 (array-api-compat's Dask does not).
        dtype = getattr(a, "dtype", None)
        if dtype is not None and str(dtype) == "float16":
            wide = (xp.astype(v, xp.float32) if hasattr(v, "dtype") else v for v in rest)
            return xp.astype(f(xp.astype(a, xp.float32), *wide), dtype)
        return f(a, *rest)

    return kernel


def _xlogy(xp: Any) -> Callable[..., Any]:
    def xlogy(a: Any, b: Any) -> Any:
        """nan where b is nan; else 0 where a is 0; else a * log(b)."""
        a, b = _pair(xp, a, b)
        positive, zero = b > 0, a == 0
        log_b = xp.log(xp.where(positive, b, xp.ones_like(b)))  # no warning at b <= 0
        inf, nan = xp.asarray(math.inf, dtype=b.dtype), xp.asarray(math.nan, dtype=b.dtype)
        log_b = xp.where(positive, log_b, xp.where(b == 0, -inf, nan))
        product = a * xp.where(zero, xp.zeros_like(log_b), log_b)
        return xp.where(xp.isnan(b), b, xp.where(zero, xp.zeros_like(product), product))

    return xlogy


def _logit(xp: Any) -> Callable[..., Any]:
    def logit(a: Any, eps: float | None) -> Any:
        """log(a / (1 - a)), a clamped to [eps, 1 - eps] first unless eps is None."""
        if eps is not None:
            low, high = _like(xp, eps, a), _like(xp, 1 - eps, a)
            a = xp.where(a < low, low, xp.where(a > high, high, a))
        return _log_ratio(xp, a, 1 - a)

    return logit


def _log_ratio(xp: Any, a: Any, b: Any) -> Any:
    """log(a / b) for b >= 0 as IEEE computes it (+inf over 0, -inf at 0, nan below),
    without NumPy's divide and invalid-value warnings (PyTorch computes silently)."""
    zero = b == 0
    ratio = xp.where(zero, xp.asarray(math.inf, dtype=a.dtype), a / xp.where(zero, 1, b))
    positive = ratio > 0
    out = xp.log(xp.where(positive, ratio, xp.ones_like(ratio)))
    nan = xp.asarray(math.nan, dtype=a.dtype)
    return xp.where(positive, out, xp.where(ratio == 0, -xp.asarray(math.inf, dtype=a.dtype), nan))


def _sinc(xp: Any) -> Callable[..., Any]:
    def sinc(a: Any) -> Any:
        """sin(pi a) / (pi a), 1 where a is 0."""
        zero = a == 0
        product = xp.where(zero, xp.ones_like(a), a * math.pi)
        return xp.where(zero, xp.ones_like(a), xp.sin(product) / product)

    return sinc


def _nan_to_num(xp: Any) -> Callable[..., Any]:
    def nan_to_num(a: Any, nan: float, posinf: float, neginf: float) -> Any:
        """nan, +inf and -inf replaced by the given numbers (floating arrays)."""
        out = xp.where(a == math.inf, _like(xp, posinf, a), a)
        out = xp.where(a == -math.inf, _like(xp, neginf, a), out)
        return xp.where(xp.isnan(a), _like(xp, nan, a), out)

    return nan_to_num


def _signbit(xp: Any) -> Callable[..., Any]:
    def signbit(a: Any) -> Any:
        """Whether the sign bit is set (-0.0 and -nan included); integers: a < 0."""
        if xp.isdtype(a.dtype, "real floating"):
            return xp.signbit(a)
        return a < 0

    return signbit


def _heaviside(xp: Any) -> Callable[..., Any]:
    def heaviside(a: Any, b: Any) -> Any:
        """b where a is 0, else 1 where a > 0 and 0 elsewhere (nan included)."""
        return xp.where(a == 0, b, xp.astype(a > 0, a.dtype))

    return heaviside


def pointwise(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "hypot": xp.hypot,
        "copysign": lambda a, b: xp.copysign(a, _like(xp, b, a)),
        "signbit": _signbit(xp),
        "xlogy": _opmath(xp, _xlogy(xp)),
        "logit": _opmath(xp, _logit(xp)),
        "sinc": _opmath(xp, _sinc(xp)),
        "nan_to_num": _nan_to_num(xp),
        "heaviside": _heaviside(xp),
        "addcmul": lambda a, b, c, value: a + value * b * c,
        "addcdiv": lambda a, b, c, value: a + value * b / c,
    }

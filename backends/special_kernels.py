"""Kernels of ``retrograd/ops/special_functions.py``: the modified Bessel functions
``i0``/``i0e``/``i1``/``i1e``, ``xlog1py`` and ``entr`` here, and :func:`special`, the group
``op_kernels.GROUPS`` merges into every backend's table, which adds the gamma family
(:mod:`retrograd_backends.gamma_kernels`) and the normal distribution's functions
(:mod:`retrograd_backends.normal_kernels`: ``erfinv``, ``ndtri``, ``log_ndtr``, ``erfcx``).

Written once against an array namespace ``xp`` from the mathematics, so a library
without these functions computes them where its arrays live. JAX and CuPy take the
Bessel functions from their ``scipy.special``, as accurate and with PyTorch's values once
fixed at -0.0 and inf (:func:`library_kernels`); Dask maps the NumPy kernels over its
chunks (:func:`chunked_kernels`). Values at nan, infinities and -0.0 are PyTorch's:
``i0(+-inf)`` and ``i1(+-inf)`` are nan (PyTorch's ``exp(x) / sqrt(x)`` there) while
``i0e``/``i1e`` go to 0; ``i1(-0.0)`` is 0.0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import gamma_kernels, igamma_kernels, normal_kernels


def _zeros(xp: Any, a: Any) -> Any:
    return xp.zeros_like(a)


# Bessel I_nu: the power series below this |x| (positive terms; 1e-17 in that many terms at
# the split), the asymptotic series above it (its smallest term is ~1e-21 at the split).
_BESSEL_SPLIT, _SERIES_TERMS, _ASYMPTOTIC_TERMS = 30.0, 64, 36


def _bessel_series(xp: Any, x: Any, nu: int) -> Any:
    """I_nu(x) = (x/2)^nu sum (x^2/4)^k / (k! (k + nu)!) for nu = 0, 1."""
    quarter = x * x / 4
    term = xp.ones_like(x) / math.factorial(nu)
    total = term
    for k in range(1, _SERIES_TERMS):
        term = term * quarter / (k * (k + nu))
        total = total + term
    return total * (x / 2) ** nu


def _bessel_asymptotic_sum(xp: Any, x: Any, nu: int) -> Any:
    """sum_k (-1)^k a_k(nu) / x^k, where I_nu(x) ~ e^x / sqrt(2 pi x) times it (x > 0)."""
    term, total = xp.ones_like(x), xp.ones_like(x)
    for k in range(1, _ASYMPTOTIC_TERMS):
        term = term * ((2 * k - 1) ** 2 - 4 * nu * nu) / (8 * k * x)
        total = total + term
    return total


def _bessel(xp: Any, nu: int, scaled: bool) -> Callable[..., Any]:
    def bessel(a: Any) -> Any:
        """I_nu(a) (nu = 0: even, 1: odd), or exp(-|a|) I_nu(a) where ``scaled``."""
        z = xp.abs(a)
        large = z >= _BESSEL_SPLIT
        small_z = xp.where(large, _zeros(xp, z), z)
        series = _bessel_series(xp, small_z, nu)
        if scaled:
            series = series * xp.exp(-small_z)
        big_z = xp.where(large, z, xp.full_like(z, _BESSEL_SPLIT))
        asymptotic = _bessel_asymptotic_sum(xp, big_z, nu) / math.sqrt(2 * math.pi)
        growth = xp.ones_like(z) if scaled else xp.exp(big_z)
        asymptotic = growth * asymptotic / xp.sqrt(big_z)  # inf / inf = nan at inf, as PyTorch
        out = xp.where(large, asymptotic, series)
        out = xp.where(xp.isnan(a), a, out)
        return xp.where(a < 0, -out, out) if nu == 1 else out

    return bessel


def _xlog1py(xp: Any) -> Callable[..., Any]:
    def xlog1py(a: Any, b: Any) -> Any:
        """a * log1p(b), 0 where a is 0 unless b is nan; either may be a number."""
        a, b = gamma_kernels.operand_arrays(xp, a, b)
        out = a * xp.log1p(b)
        return xp.where(xp.logical_and(a == 0, xp.logical_not(xp.isnan(b))), 0.0, out)

    return xlog1py


def _entr(xp: Any) -> Callable[..., Any]:
    def entr(a: Any) -> Any:
        """-a log(a) for a > 0, 0 at 0, -inf for a < 0, nan at nan."""
        positive = a > 0
        safe = xp.where(positive, a, xp.ones_like(a))
        out = xp.where(positive, -a * xp.log(safe), xp.zeros_like(a))
        out = xp.where(a < 0, xp.full_like(a, -math.inf), out)
        return xp.where(xp.isnan(a), a, out)

    return entr


def _in_float64(xp: Any, f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` computed in float64 for narrower floating arrays, the result cast back: the
    series and reflections above lose several digits of a float32 (near the roots of
    lgamma and digamma, or for subnormal inputs) where float64 rounds correctly."""

    def kernel(*args: Any) -> Any:
        narrow = next((a.dtype for a in args if _is_narrow(xp, a)), None)
        if narrow is None:
            return f(*args)
        wide = tuple(xp.astype(a, xp.float64) if _is_narrow(xp, a) else a for a in args)
        return xp.astype(f(*wide), narrow)

    return kernel


def _is_narrow(xp: Any, a: Any) -> bool:
    dtype = getattr(a, "dtype", None)
    return dtype is not None and xp.isdtype(dtype, "real floating") and dtype != xp.float64


def special(xp: Any) -> dict[str, Callable[..., Any]]:
    kernels = {
        **gamma_kernels.gamma_family(xp),
        **normal_kernels.normal(xp),
        **igamma_kernels.incomplete_gamma(xp),
        "i0": _bessel(xp, 0, False),
        "i0e": _bessel(xp, 0, True),
        "i1": _bessel(xp, 1, False),
        "i1e": _bessel(xp, 1, True),
        "xlog1py": _xlog1py(xp),
        "entr": _entr(xp),
    }
    return {name: _in_float64(xp, f) for name, f in kernels.items()}


def library_kernels(xp: Any, lib: Any) -> dict[str, Callable[..., Any]]:
    """The Bessel kernels of :func:`special` from a library's ``scipy.special`` module
    (JAX's, CuPy's), with PyTorch's values where the library's differ: i1 and i1e are 0.0
    at -0.0 (not -0.0), i1 is nan at +-inf (PyTorch's exp(x) / sqrt(x)). The others stay
    the generic ones (see :mod:`retrograd_backends.gamma_kernels` for why)."""

    def same_dtype(f: Callable[..., Any]) -> Callable[..., Any]:
        return lambda a: xp.astype(f(a), a.dtype)

    def i1(a: Any) -> Any:
        out = xp.where(a == 0, xp.zeros_like(a), xp.astype(lib.i1(a), a.dtype))
        return xp.where(xp.isinf(a), xp.full_like(a, math.nan), out)

    def i1e(a: Any) -> Any:
        return xp.where(a == 0, xp.zeros_like(a), xp.astype(lib.i1e(a), a.dtype))

    return {
        "i0": same_dtype(lib.i0),
        "i0e": same_dtype(lib.i0e),
        "i1": i1,
        "i1e": i1e,
    }


def chunked_kernels(da: Any, numpy_kernels: dict[str, Callable[..., Any]]) -> dict[str, Any]:
    """The kernels of :func:`special` on a chunked library (Dask): the NumPy ones mapped
    over the chunks of the (broadcast) operands, one task per chunk (``zeta`` reads its
    operands' values to size its sum, which a chunk can do and a lazy graph cannot)."""

    def mapped(name: str) -> Callable[..., Any]:
        def kernel(*args: Any) -> Any:
            # Python numbers (polygamma's n, a number operand) are bound, not mapped.
            mapped_at = [hasattr(a, "chunks") for a in args]
            arrays = [a for a, is_array in zip(args, mapped_at) if is_array]

            def on_blocks(*blocks: Any) -> Any:
                block = iter(blocks)
                full = [next(block) if is_array else a for a, is_array in zip(args, mapped_at)]
                return numpy_kernels[name](*full)

            # Broadcast, then blockwise over common chunks (map_blocks aligns them).
            arrays = da.broadcast_arrays(*arrays) if len(arrays) > 1 else arrays
            return da.map_blocks(on_blocks, *arrays, dtype=arrays[0].dtype)

        return kernel

    return {name: mapped(name) for name in KERNEL_NAMES}


KERNEL_NAMES = (
    "lgamma", "digamma", "trigamma", "zeta", "polygamma", "erfinv", "i0", "i0e", "i1", "i1e",
    "xlog1py", "entr", "ndtri", "log_ndtr", "erfcx", "igamma", "igammac",
)  # fmt: skip

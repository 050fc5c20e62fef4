"""Kernels of the op surface beyond the core arithmetic: more math, reductions and
products, scans and selections, rearranging, advanced indexing and the neural-network
activations.

The rule that splits the generic layer: :mod:`retrograd_backends.kernels` holds the
kernels the core's machinery calls by name and those of ``retrograd/ops/elementwise.py``;
this module holds the kernels of every other op module (``pointwise_math``,
``pointwise_binary``, ``clamp``, ``predicates``, ``bitwise``, ``reductions``, ``scans``,
``extrema``, ``statistics``, ``linalg``, ``joining``, ``rearrange``, the indexing modules,
``activations``, ``losses``). A new op's kernel goes here.

Same contract as :mod:`retrograd_backends.kernels` (which merges these groups into every
backend's table): written once against an array-API namespace ``xp``; names follow the
array API where it has the function, the others say what they compute.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import (
    linalg_kernels,
    misc_kernels,
    pointwise_kernels,
    scan_kernels,
    sort_kernels,
    special_kernels,
)


def stable_sigmoid(xp: Any) -> Callable[..., Any]:
    def sigmoid(a: Any) -> Any:
        e = xp.exp(-xp.abs(a))
        return xp.where(a >= 0, 1 / (1 + e), e / (1 + e))

    return sigmoid


def _keeps_integers(xp: Any, f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` for floating arrays; a copy of an integer array (rounding it is a no-op)."""

    def kernel(a: Any) -> Any:
        if xp.isdtype(a.dtype, "real floating"):
            return f(a)
        return xp.asarray(a, copy=True)

    return kernel


# erf without a library function: the power series below this magnitude, the continued
# fraction of erfc above it; the term counts give float64's precision on either side.
_ERF_SPLIT, _ERF_TERMS, _ERF_DEPTH = 3.0, 48, 32


def device_erf(xp: Any) -> Callable[..., Any]:
    """``erf`` in array-API operations only, for a library that has none: it runs where
    the arrays live (never through the host). Accurate to a few float64 ulps; slower than
    a library's own erf, which a backend passes to :func:`erf_kernels` instead."""

    def erf(a: Any) -> Any:
        small = xp.abs(a) < _ERF_SPLIT
        # erf(x) = 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (2n+1)!!: positive terms only.
        x = xp.where(small, a, xp.zeros_like(a))
        term, total = x, x
        for n in range(_ERF_TERMS):
            term = term * (2 * x * x / (2 * n + 3))
            total = total + term
        series = total * xp.exp(-x * x) * (2 / math.sqrt(math.pi))
        # erfc(z) = exp(-z^2) / sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))).
        z = xp.where(small, xp.full_like(a, _ERF_SPLIT), xp.abs(a))
        f = z
        for k in range(_ERF_DEPTH, 0, -1):
            f = z + (k / 2) / f
        tail = 1 - xp.exp(-z * z) / (f * math.sqrt(math.pi))
        return xp.where(small, series, xp.where(a < 0, -tail, tail))  # nan: -tail is nan

    return erf


def _erf(xp: Any) -> Callable[..., Any]:
    """``erf``, which the array API lacks: the library's own where it has one, else
    :func:`device_erf`. A backend whose library keeps erf elsewhere (``scipy.special``,
    ``cupyx.scipy.special``, ``jax.scipy.special``) overrides it with :func:`erf_kernels`."""
    return getattr(xp, "erf", None) or device_erf(xp)


def erf_kernels(xp: Any, erf: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
    """The kernels that compute ``erf`` (``erf`` and exact ``gelu``) with a backend's own
    ``erf``: an override replaces both, so gelu never falls back to a slower one."""
    return {"erf": erf, "gelu": _gelu(xp, erf)}


def _round_decimals(xp: Any) -> Callable[..., Any]:
    def round_decimals(a: Any, decimals: int) -> Any:
        """PyTorch's: round half to even at ``decimals`` places, scaled in ``a``'s dtype."""
        if decimals >= 0:
            scale = 10.0**decimals
            return xp.round(a * scale) / scale
        scale = 10.0**-decimals
        return xp.round(a / scale) * scale

    return round_decimals


def _trunc_divide(xp: Any) -> Callable[..., Any]:
    def trunc_divide(a: Any, b: Any) -> Any:
        """``a / b`` rounded toward zero; exact for integers (C division)."""
        q = xp.floor_divide(a, b)
        if not xp.isdtype(q.dtype, "integral"):
            return xp.trunc(xp.divide(a, b))
        inexact = xp.logical_and(xp.remainder(a, b) != 0, (a < 0) != (b < 0))
        return xp.where(inexact, q + 1, q)

    return trunc_divide


def _isnan(xp: Any, value: Any) -> Any:
    """``isnan`` of a bound, False for an integer or bool one (no NaN to hold)."""
    dtype = getattr(value, "dtype", None)
    if dtype is not None and not xp.isdtype(dtype, "real floating"):
        return xp.zeros_like(value, dtype=xp.bool)
    return xp.isnan(value)


def _clamp(xp: Any) -> Callable[..., Any]:
    def clamp(a: Any, low: Any, high: Any) -> Any:
        """``min(max(a, low), high)`` as PyTorch's kernel writes it (``high`` wins where
        ``low > high``): ``a < low ? low : a``, then ``high < x ? high : x``, so where
        ``a`` equals a bound the result is ``a`` itself (``clamp(-0.0, min=0.0)`` is
        -0.0, which ``maximum`` would make +0.0); a NaN in ``a`` or in a bound gives NaN.
        A bound may be None, a scalar or an array."""
        # A NaN bound is taken (comparisons with NaN are false); no data-dependent
        # branch, so JAX can trace it and Dask stays lazy.
        if low is not None:
            a = xp.where(xp.logical_or(a < low, _isnan(xp, low)), low, a)
        if high is not None:
            a = xp.where(xp.logical_or(high < a, _isnan(xp, high)), high, a)
        return a

    return clamp


def _lerp(xp: Any) -> Callable[..., Any]:
    def lerp(a: Any, b: Any, w: Any) -> Any:
        """PyTorch's formula: from the nearer end, for exact endpoints."""
        diff = b - a
        if isinstance(w, (int, float)):
            return a + w * diff if abs(w) < 0.5 else b - diff * (1 - w)
        return xp.where(xp.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))

    return lerp


def _logical(xp: Any, f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` on the truth values of its operands (the array API takes bool arrays only)."""

    def truth(a: Any) -> Any:
        if not hasattr(a, "dtype"):
            return bool(a)
        return a if xp.isdtype(a.dtype, "bool") else a != 0

    return lambda *operands: f(*(truth(a) for a in operands))


def _math(xp: Any) -> dict[str, Callable[..., Any]]:
    named = lambda *names: next(getattr(xp, n) for n in names if hasattr(xp, n))
    return {
        "exp2": getattr(xp, "exp2", None) or (lambda a: xp.pow(2.0, a)),
        "expm1": xp.expm1,
        "log2": xp.log2,
        "log10": xp.log10,
        "log1p": xp.log1p,
        "rsqrt": lambda a: 1 / xp.sqrt(a),
        "tan": xp.tan,
        "asin": named("asin", "arcsin"),
        "acos": named("acos", "arccos"),
        "atan": named("atan", "arctan"),
        "atan2": named("atan2", "arctan2"),
        "sinh": xp.sinh,
        "cosh": xp.cosh,
        "erf": _erf(xp),
        "floor": _keeps_integers(xp, xp.floor),
        "ceil": _keeps_integers(xp, xp.ceil),
        "trunc": _keeps_integers(xp, xp.trunc),
        "round": _keeps_integers(xp, xp.round),  # half to even, as PyTorch
        "round_decimals": _round_decimals(xp),
        "frac": lambda a: a - xp.trunc(a),
        "floor_divide": xp.floor_divide,
        "trunc_divide": _trunc_divide(xp),
        "remainder": xp.remainder,
        "maximum": xp.maximum,
        "minimum": xp.minimum,
        "logaddexp": xp.logaddexp,
        "clamp": _clamp(xp),
        "lerp": _lerp(xp),
        "logical_or": _logical(xp, xp.logical_or),
        "logical_xor": _logical(xp, xp.logical_xor),
        "logical_not": _logical(xp, xp.logical_not),
        "isnan": xp.isnan,
        "isfinite": xp.isfinite,
        "isinf": xp.isinf,
        # Integer and bool arrays only (the core refuses floating ones).
        "bitwise_and": xp.bitwise_and,
        "bitwise_or": xp.bitwise_or,
        "bitwise_xor": xp.bitwise_xor,
        "bitwise_invert": named("bitwise_invert", "bitwise_not"),
    }


def _reductions_and_products(xp: Any) -> dict[str, Callable[..., Any]]:
    reduce = lambda f: lambda a, axis=None, keepdims=False: f(a, axis=axis, keepdims=keepdims)
    return {
        "sum": reduce(xp.sum),
        "mean": reduce(xp.mean),
        "max": reduce(xp.max),
        "vector_norm": lambda a, ord=2, axis=None, keepdims=False: xp.linalg.vector_norm(
            a, ord=ord, axis=axis, keepdims=keepdims
        ),
        "matmul": xp.matmul,
        "matrix_transpose": lambda a: xp.matrix_transpose(a),
        "concat": lambda arrays, axis=0: xp.concat(arrays, axis=axis),
    }


def _logsumexp(xp: Any) -> Callable[..., Any]:
    def logsumexp(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        """``log(sum(exp(a)))`` shifted by the maximum, so huge values do not overflow;
        an empty sum is 0, so its logsumexp is -inf (as PyTorch's)."""
        if 0 in a.shape:  # nothing to overflow, and max has no identity to shift by
            return xp.log(xp.sum(xp.exp(a), axis=axis, keepdims=keepdims))
        m = xp.max(a, axis=axis, keepdims=True)
        m = xp.where(xp.isinf(m), xp.zeros_like(m), m)
        out = xp.log(xp.sum(xp.exp(a - m), axis=axis, keepdims=True)) + m
        return out if keepdims else xp.squeeze(out, axis=axis)

    return logsumexp


def _scans_and_selection(xp: Any) -> dict[str, Callable[..., Any]]:
    cumsum = getattr(xp, "cumulative_sum", None) or xp.cumsum
    cumprod = getattr(xp, "cumulative_prod", None) or xp.cumprod
    reduce = lambda f: lambda a, axis=None, keepdims=False: f(a, axis=axis, keepdims=keepdims)
    return {
        "prod": reduce(xp.prod),
        "min": reduce(xp.min),
        "argmax": reduce(xp.argmax),
        "argmin": reduce(xp.argmin),
        "all": reduce(xp.all),
        "any": reduce(xp.any),
        "var": lambda a, axis, correction, keepdims: xp.var(
            a, axis=axis, correction=correction, keepdims=keepdims
        ),
        "std": lambda a, axis, correction, keepdims: xp.std(
            a, axis=axis, correction=correction, keepdims=keepdims
        ),
        "logsumexp": _logsumexp(xp),
        "cumulative_sum": lambda a, axis: cumsum(a, axis=axis),
        "cumulative_prod": lambda a, axis: cumprod(a, axis=axis),
    }


def _triangle(xp: Any, lower: bool) -> Callable[..., Any]:
    found = getattr(xp, "tril" if lower else "triu", None)
    if found is not None:
        return lambda a, k: found(a, k=k)

    def triangle(a: Any, k: int) -> Any:
        """Zero the elements above (``tril``) or below (``triu``) diagonal ``k``."""
        rows = xp.arange(a.shape[-2])[:, None]
        cols = xp.arange(a.shape[-1])[None, :]
        keep = cols - rows <= k if lower else cols - rows >= k
        return xp.where(keep, a, xp.zeros_like(a))

    return triangle


def _rearranging(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        # A copy, as PyTorch's flip (NumPy's is a view with negative strides).
        "flip": lambda a, axis: xp.asarray(xp.flip(a, axis=axis), copy=True),
        "roll": lambda a, shift, axis: xp.roll(a, shift, axis=axis),
        "tile": xp.tile,
        "stack": lambda arrays, axis=0: xp.stack(arrays, axis=axis),
        "tril": _triangle(xp, True),
        "triu": _triangle(xp, False),
    }


def _index_add(xp: Any) -> Callable[..., Any]:
    import numpy as np

    def index_add(target: Any, key: Any, values: Any) -> Any:
        """``target[key] += values`` where repeated positions accumulate (an in-place
        kernel: returns the written array). NumPy's ``add.at``; JAX's ``.at[].add``."""
        at = getattr(target, "at", None)
        if at is not None and not callable(at):
            return at[key].add(values)
        ufunc = getattr(getattr(xp, "add", None), "at", None) or np.add.at
        ufunc(target, key, values)
        return target

    return index_add


# The reducing writes: kernel name -> (ufunc name, JAX's ``.at[]`` method).
INDEX_REDUCTIONS = {
    "index_prod": ("multiply", "multiply"),
    "index_amax": ("maximum", "max"),
    "index_amin": ("minimum", "min"),
}


def _index_reduce(xp: Any, ufunc_name: str, at_method: str) -> Callable[..., Any]:
    import numpy as np

    def index_reduce(target: Any, key: Any, values: Any) -> Any:
        """``target[key] = op(target[key], values)`` where repeated positions all take
        part (an in-place kernel: returns the written array). NumPy's ``<ufunc>.at``;
        JAX's ``.at[]``; a library whose ufunc has no ``at`` for this op (CuPy's
        ``multiply``) computes on the host, the one way that keeps every repeat."""
        at = getattr(target, "at", None)
        if at is not None and not callable(at):
            return getattr(at[key], at_method)(values)
        ufunc = getattr(xp, ufunc_name, None)
        if ufunc is not None and hasattr(ufunc, "at") and xp is not np:
            try:
                ufunc.at(target, key, values)
                return target
            except (NotImplementedError, TypeError):
                pass
        if xp is np or isinstance(target, np.ndarray):
            getattr(np, ufunc_name).at(target, key, values)
            return target
        return _on_host(xp, getattr(np, ufunc_name), target, key, values)

    return index_reduce


def _on_host(xp: Any, ufunc: Any, target: Any, key: Any, values: Any) -> Any:
    import numpy as np

    host = lambda a: xp.asnumpy(a) if hasattr(xp, "asnumpy") else np.asarray(a)
    keys = tuple(host(k) if hasattr(k, "shape") else k for k in key)
    written = host(target).copy()
    ufunc.at(written, keys, host(values) if hasattr(values, "shape") else values)
    target[...] = xp.asarray(written)
    return target


def _indexing(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "index_add": _index_add(xp),
        **{name: _index_reduce(xp, *how) for name, how in INDEX_REDUCTIONS.items()},
        # (count, ndim) indices of the nonzero elements, in row-major order.
        "nonzero": lambda a: xp.stack(xp.nonzero(a), axis=-1),
    }


def _gelu(xp: Any, erf: Callable[..., Any]) -> Callable[..., Any]:
    def gelu(a: Any, approximate: str) -> Any:
        """PyTorch's GELU: exact (``x * Phi(x)``) or its tanh approximation."""
        if approximate == "tanh":
            inner = math.sqrt(2 / math.pi) * (a + 0.044715 * a * a * a)
            return 0.5 * a * (1 + xp.tanh(inner))
        return a * 0.5 * (1 + erf(a * (1 / math.sqrt(2))))

    return gelu


def _softplus(xp: Any) -> Callable[..., Any]:
    def softplus(a: Any, beta: Any, threshold: Any) -> Any:
        """``log(1 + exp(beta * a)) / beta``, linear above ``threshold``; never overflows."""
        z = a * beta
        soft = (xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(z, xp.zeros_like(z))) / beta
        return xp.where(z > threshold, a, soft)

    return softplus


def _softmaxes(xp: Any) -> dict[str, Callable[..., Any]]:
    def shifted(a: Any, axis: int) -> Any:
        m = xp.max(a, axis=axis, keepdims=True)
        return a - xp.where(xp.isinf(m), xp.zeros_like(m), m)  # exact for huge logits

    def softmax(a: Any, axis: int) -> Any:
        e = xp.exp(shifted(a, axis))
        return e / xp.sum(e, axis=axis, keepdims=True)

    def log_softmax(a: Any, axis: int) -> Any:
        s = shifted(a, axis)
        return s - xp.log(xp.sum(xp.exp(s), axis=axis, keepdims=True))

    return {"softmax": softmax, "log_softmax": log_softmax}


def _activations(xp: Any) -> dict[str, Callable[..., Any]]:
    sigmoid = stable_sigmoid(xp)
    return {
        "leaky_relu": lambda a, slope: xp.where(a > 0, a, a * slope),
        "gelu": _gelu(xp, _erf(xp)),
        "silu": lambda a: a * sigmoid(a),
        "softplus": _softplus(xp),
        "elu": lambda a, alpha, scale, input_scale: xp.where(
            a > 0, a * scale, xp.expm1(a * input_scale) * (alpha * scale)
        ),
        **_softmaxes(xp),
    }


# The groups, in the order generic_kernels merges them.
GROUPS = (
    _math, _reductions_and_products, _scans_and_selection, _rearranging, _indexing, _activations,
    pointwise_kernels.pointwise,
    scan_kernels.scans,
    linalg_kernels.linalg,
    sort_kernels.sorting,
    misc_kernels.misc,
    special_kernels.special,
)  # fmt: skip

"""Kernels of ``retrograd/ops/pointwise_misc.py``: the inverse hyperbolic functions,
``deg2rad``/``rad2deg``, ``fmod``, ``fmax``/``fmin`` and ``logaddexp2``.

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


def misc(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "diagonal": _diagonal(xp),
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
    }

"""Kernels of ``retrograd/ops/scans_more.py``: ``cummax``, ``cummin``, ``logcumsumexp``.

Same contract as :mod:`retrograd_backends.op_kernels` (whose ``GROUPS`` merges this one
into every backend's table): written once against an array-API namespace ``xp``. The array
API has no running maximum or running log-sum-exp, so each walks the scanned axis one
slice at a time (``n`` elementwise steps over the other axes): exact, warning-free, and
lazy where ``xp`` is (Dask builds the steps as one graph).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _slices(xp: Any, a: Any, axis: int) -> list:
    """The slices of ``a`` along ``axis`` (each without that axis)."""
    lead = (slice(None),) * axis
    return [a[(*lead, i)] for i in range(a.shape[axis])]


def _running_extremum(xp: Any, greater: bool) -> Callable[..., Any]:
    def scan(a: Any, axis: int) -> tuple[Any, Any]:
        """(values, int64 indices) of the running max (``greater``) or min along ``axis``.

        PyTorch's choices: a tie takes the later index; a nan is taken when it comes and
        kept until the next nan (whose index is then taken)."""
        steps = _slices(xp, a, axis)
        floating = xp.isdtype(a.dtype, "real floating")
        best, index = steps[0], xp.zeros(steps[0].shape, dtype=xp.int64)
        values, indices = [best], [index]
        for i, x in enumerate(steps[1:], 1):
            better = x >= best if greater else x <= best
            if floating:  # nan in x: taken; nan in best: kept
                better = xp.logical_or(xp.isnan(x), xp.logical_and(better, ~xp.isnan(best)))
            best = xp.where(better, x, best)
            index = xp.where(better, xp.asarray(i, dtype=xp.int64), index)
            values.append(best)
            indices.append(index)
        return xp.stack(values, axis=axis), xp.stack(indices, axis=axis)

    return scan


def _logcumsumexp(xp: Any) -> Callable[..., Any]:
    def logcumsumexp(a: Any, axis: int) -> Any:
        """log(cumsum(exp(a))) along ``axis``, one logaddexp per step (no overflow, no
        underflow of a shared shift)."""
        steps = _slices(xp, a, axis)
        total, out = steps[0], [steps[0]]
        for x in steps[1:]:
            total = _logaddexp(xp, total, x)
            out.append(total)
        return xp.stack(out, axis=axis)

    return logcumsumexp


def _logaddexp(xp: Any, a: Any, b: Any) -> Any:
    """log(exp(a) + exp(b)) with -inf + -inf = -inf and inf + inf = inf (no nan from
    inf - inf, no warning)."""
    high, low = xp.maximum(a, b), xp.minimum(a, b)
    same = high == low  # both infinite of one sign, or equal
    gap = xp.where(same, xp.zeros_like(high), low - high)
    out = high + xp.log1p(xp.exp(gap))
    return xp.where(xp.logical_and(same, xp.isinf(high)), high, out)


def scans(xp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "cummax": _running_extremum(xp, True),
        "cummin": _running_extremum(xp, False),
        "logcumsumexp": _logcumsumexp(xp),
    }

"""Distances, Vandermonde matrices and the trapezoidal rule: ``cdist``, ``vander``,
``trapezoid``/``trapz`` and ``cumulative_trapezoid``.

``cdist`` is two records, as PyTorch differentiates it two ways: the direct ``p``-norm of
every pair of rows (``CdistBackward0``), and, for ``p == 2`` when ``compute_mode`` asks
for it (or, by default, when either operand has more than 25 rows), ATen's
``_euclidean_dist``, which computes through a matrix product (``|a|^2 - 2 a.b + |b|^2``,
then a square root) and is recorded as ``EuclideanDistBackward0`` under a ``view``.
``vander`` and the trapezoidal rules are composed as PyTorch composes them, so its nodes
come out (``CopySlices``/``FlipBackward0``; ``MulBackward1``, ``DivBackward1``,
``CumsumBackward0``).
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..tensor import Tensor, _wrap_dim
from .aten_overloads import mul_scalar
from .dispatch import broadcast_shapes, finish
from .elementwise import where
from .helpers import check_tensor, zeros_on
from .joining import cat
from .record import LINALG, OpRecord, composite
from .targets import div_scalar

# -- cdist -------------------------------------------------------------------------------


def _pair_terms(g: Tensor, x1: Tensor, x2: Tensor, p: float, result: Tensor) -> Tensor:
    """d dist_ij / d x1_ik times ``g_ij``, for every (i, j, k): PyTorch's cases by ``p``
    (0 where the distance is 0; with ``p < 1`` a zero difference gives NaN, as in
    PyTorch: sign 0 times an infinite power)."""
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    dist, grad = result.unsqueeze(-1), g.unsqueeze(-1)
    if p == 0:
        return diff * 0.0
    if p == 1:
        return grad * diff.sign()
    if p == math.inf:
        return grad * diff.sign() * (diff.abs() == dist)
    if p == 2:
        term = grad * diff / dist
    elif p < 2:
        term = diff.sign() * diff.abs().pow(p - 1) * grad / dist.pow(p - 1)
    else:
        term = diff * diff.abs().pow(p - 2) * grad / dist.pow(p - 1)
    return where(dist == 0, 0.0, term)


CDIST = OpRecord(
    "cdist", LINALG, "CdistBackward0", "vector_norm", inputs=("x1", "x2"),
    save=("x1", "x2", "p", "result"),
    grads=(
        lambda g, x1, x2, p, result: _pair_terms(g, x1, x2, p, result).sum(-2),
        lambda g, x1, x2, p, result: -_pair_terms(g, x1, x2, p, result).sum(-3),
    ),
    method=False, doc="d/d x1 = sum over x2's rows of the p-norm's gradient (0 at distance 0)",
)  # fmt: skip


def _euclidean_ratio(g: Tensor, result: Tensor) -> Tensor:
    return where(result == 0, 0.0, g / result)


EUCLIDEAN_DIST = OpRecord(
    "euclidean_dist", LINALG, "EuclideanDistBackward0", "matmul", inputs=("x1", "x2"),
    save=("x1", "x2", "result"),
    grads=(
        # sum_j r_ij (x1_i - x2_j) with r = g / dist (0 where dist is 0)
        lambda g, x1, x2, result: (
            x1 * _euclidean_ratio(g, result).sum(-1, True)
            - _euclidean_ratio(g, result).matmul(x2)
        ),
        lambda g, x1, x2, result: (
            x2 * _euclidean_ratio(g, result).sum(-2).unsqueeze(-1)
            - _euclidean_ratio(g, result).mT.matmul(x1)
        ),
    ),
    public="cdist", method=False,
    doc="ATen's _euclidean_dist (cdist's matrix-product path for p = 2)",
)  # fmt: skip
RECORDS = (CDIST, EUCLIDEAN_DIST)

_MODES = {
    "use_mm_for_euclid_dist_if_necessary": 0,
    "use_mm_for_euclid_dist": 1,
    "donot_use_mm_for_euclid_dist": 2,
}


def _cdist_values(x1: Tensor, x2: Tensor, p: float) -> Tensor:
    """The ``p``-distance of every row of ``x1`` to every row of ``x2`` (no history)."""
    diff = (x1.unsqueeze(-2) - x2.unsqueeze(-3)).abs()
    if diff.shape[-1] == 0:
        return diff.sum(-1)
    if p == 0:
        return (diff != 0).to(x1.dtype).sum(-1)
    if p == 1:
        return diff.sum(-1)
    if p == 2:
        return diff.square().sum(-1).sqrt()
    if p == math.inf:
        return diff.amax(-1)
    return diff.pow(p).sum(-1).pow(1.0 / p)


def euclidean_dist(x1: Tensor, x2: Tensor) -> Tensor:
    """ATen's ``_euclidean_dist`` of two operands of one batch shape: the Euclidean
    distances through a matrix product, clamped at 0 before the square root, recorded as
    ``EuclideanDistBackward0``."""
    with no_grad():
        a, b = x1.detach(), x2.detach()
        a_norm, b_norm = a.pow(2).sum(-1, True), b.pow(2).sum(-1, True)
        left = cat([a * -2, a_norm, a_norm * 0 + 1], -1)
        right = cat([b, b_norm * 0 + 1, b_norm], -1)
        out = left.matmul(right.mT).clamp_min(0).sqrt()
    return finish(EUCLIDEAN_DIST, out._storage.array, x1.dtype, x1._backend, (x1, x2))


def _cdist_checks(x1: Tensor, x2: Tensor, p: float) -> None:
    for name, t in (("X1", x1), ("X2", x2)):
        if t.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.dim()}D")
    for name, t in (("X1", x1), ("X2", x2)):
        if not t.dtype.is_floating_point:
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: "
                f"{dtypes.kind_name(t.dtype)}"
            )
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if x1.dtype is not x2.dtype:
        raise RuntimeError(
            f"expected scalar type {dtypes.kind_name(x1.dtype)} but found "
            f"{dtypes.kind_name(x2.dtype)}"
        )
    if not p >= 0:
        raise RuntimeError("cdist only supports non-negative p values")


@composite(method=False)  # torch.Tensor has no cdist
def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """The ``p``-norm distance between each row of ``x1`` (``(*, P, M)``) and each row of
    ``x2`` (``(*, R, M)``), batch dims broadcast: ``(*, P, R)``. ``p == 2`` goes through
    a matrix product (faster, less exact) where ``compute_mode`` says: always
    (``"use_mm_for_euclid_dist"``), never (``"donot_use_mm_for_euclid_dist"``), or past
    25 rows (the default), as in PyTorch, with its nodes."""
    check_tensor("cdist", x1, "x1")
    check_tensor("cdist", x2, "x2")
    if compute_mode is None:
        mode = 0
    elif compute_mode in _MODES:
        mode = _MODES[compute_mode]
    else:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    _cdist_checks(x1, x2, p)
    batch = broadcast_shapes("cdist", tuple(x1.shape[:-2]), tuple(x2.shape[:-2]))
    r1, r2 = x1.shape[-2], x2.shape[-2]
    empty = x1.numel() == 0 or x2.numel() == 0
    if p == 2 and not empty and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        a, b = x1, x2
        if batch:  # PyTorch expands both to the batch and flattens it
            n = math.prod(batch)
            a = x1.expand(*batch, r1, x1.shape[-1]).reshape(n, r1, x1.shape[-1])
            b = x2.expand(*batch, r2, x2.shape[-1]).reshape(n, r2, x2.shape[-1])
        return euclidean_dist(a, b).view(*batch, r1, r2)
    with no_grad():
        out = _cdist_values(x1.detach(), x2.detach(), float(p))
    return finish(CDIST, out._storage.array, x1.dtype, x1._backend, (x1, x2), {"p": float(p)})


# -- vander ------------------------------------------------------------------------------


@composite(method=False)  # torch.Tensor has no vander
def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of the 1-d ``x``: column ``j`` is ``x ** j`` (``N``
    columns, default ``len(x)``), the powers decreasing left to right unless
    ``increasing``. Integers and bools give int64."""
    check_tensor("vander", x, "x")
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = dtypes.promote_types(x.dtype, dtypes.int64)
    # ones without history (PyTorch's ``at::ones``) made from x (x ** 0 is 1 for every
    # value, nan and inf too), so that under vmap they are batched as x is and the
    # writes below are per sample (a factory's ones are one tensor for all samples)
    result = x.detach().to(dtype).unsqueeze(1).expand(x.shape[0], n).pow(0)
    if n > 1:
        # As PyTorch: x copied into columns 1.., then their running product copied over
        # them (two CopySlices; the second overwrites what cumprod saved, so PyTorch's
        # backward, and this one, raise its "modified by an inplace operation" error).
        result[:, 1:] = x.unsqueeze(1)
        result[:, 1:] = result[:, 1:].cumprod(1)
    return result if increasing else result.flip(1)


# -- the trapezoidal rule ----------------------------------------------------------------


def _zeros_except(y: Tensor, dim: int) -> Tensor:
    shape = tuple(s for i, s in enumerate(y.shape) if i != dim)
    return zeros_on(y, shape)


def _spacing(name: str, y: Tensor, x: Tensor, dim: int) -> Tensor:
    """The differences of ``x`` along ``dim``, shaped to broadcast with ``y``'s pairs."""
    if x.dim() == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * y.dim()
        shape[dim] = x.shape[0]
        x = x.view(*shape)
    elif x.dim() < y.dim():  # left-padded with ones to y's rank
        x = x.view(*([1] * (y.dim() - x.dim()) + list(x.shape)))
    return _cut(x, dim, 1, None) - _cut(x, dim, 0, -1)


def _cut(t: Tensor, dim: int, start: int, stop: int | None) -> Tensor:
    """``t[..., start:stop]`` at ``dim`` (``SliceBackward0``; empty when ``t`` is)."""
    return t[(slice(None),) * dim + (slice(start, stop),)]


def _pairs(y: Tensor, dim: int) -> Tensor:
    return _cut(y, dim, 1, None) + _cut(y, dim, 0, -1)


def _check_trapezoid(name: str, y: Tensor, x: Any, dx: Any) -> None:
    check_tensor(name, y, "y")
    # PyTorch's two signatures: (y, x: Tensor, *, dim) and (y, *, dx: number, dim)
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got (Tensor, "
            f"{type(x).__name__}), but expected one of:"
        )
    if x is not None and dx is not None:
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got (Tensor, Tensor, "
            f"dx={type(dx).__name__}), but expected one of:"
        )


def _half(t: Tensor) -> Tensor:
    """``t / 2.`` as ATen's div.Scalar (``DivBackward1``); integers divide to floats."""
    if not t.dtype.is_floating_point:
        t = t.to(dtypes.get_default_dtype())
    return div_scalar(t, 2.0)


@composite(method=False)  # torch.Tensor has no trapezoid
def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim``: the integral of ``y`` sampled at ``x`` (a
    tensor: 1-d of ``y.shape[dim]`` points, or broadcasting with ``y``) or at spacing
    ``dx`` (default 1); no samples integrate to 0."""
    _check_trapezoid("trapezoid", y, x, dx)
    if y.dim() == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    dim = _wrap_dim(dim, y.dim(), "trapezoid")
    if y.shape[dim] == 0:
        return _zeros_except(y, dim)
    if y.dtype is dtypes.bool or (isinstance(x, Tensor) and x.dtype is dtypes.bool):
        raise RuntimeError("trapezoid: received a bool input for `y`, but bool is not supported")
    if isinstance(x, Tensor):
        spacing = _spacing("trapezoid", y, x, dim)
        return _half((_pairs(y, dim) * spacing).sum(dim))
    step = 1 if dx is None else dx
    ends = y.select(dim, 0) + y.select(dim, -1)
    return mul_scalar(y.sum(dim) - mul_scalar(ends, 0.5), step)


@composite(method=False)  # torch.Tensor has no trapz
def trapz(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """:func:`trapezoid` (NumPy's older name)."""
    return trapezoid(y, x, dx=dx, dim=dim)


@composite(method=False)  # torch.Tensor has no cumulative_trapezoid
def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running trapezoidal rule along ``dim``: one fewer value than ``y`` has there,
    the ``k``-th the integral over the first ``k + 1`` intervals."""
    _check_trapezoid("cumulative_trapezoid", y, x, dx)
    if y.dim() == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    dim = _wrap_dim(dim, y.dim(), "cumulative_trapezoid")
    if y.dtype is dtypes.bool or (isinstance(x, Tensor) and x.dtype is dtypes.bool):
        raise RuntimeError(
            "cumulative_trapezoid: received a bool input for `y`, but bool is not supported"
        )
    if isinstance(x, Tensor):
        spacing = _spacing("cumulative_trapezoid", y, x, dim)
        return _half((_pairs(y, dim) * spacing).cumsum(dim))
    step = 1 if dx is None else dx
    return mul_scalar(_pairs(y, dim), step / 2.0).cumsum(dim)


FUNCTIONS = {
    "cdist": cdist,
    "vander": vander,
    "trapezoid": trapezoid,
    "trapz": trapz,
    "cumulative_trapezoid": cumulative_trapezoid,
}

"""More statistics: ``std_mean`` and ``var_mean`` (one node, two outputs: PyTorch's
``StdMeanBackward0``/``VarMeanBackward0``), ``dist`` (``DistBackward0``), and ``cov`` and
``corrcoef``, composed as PyTorch composes them (their nodes are ``mean``, ``sub``,
``mm``, ``div``, ``diagonal``, ``sqrt``, ``clamp``...); and ``bincount``.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .dispatch import backend_of, broadcast_shapes, finish, promote
from .helpers import check_keepdim, check_tensor, reduction_dims
from .nodes import MultiOutputRecord, finish_outputs
from .record import REDUCTION, OpRecord, composite
from .reductions import count, expand_back
from .statistics import _correction, _norm_grad, _std_grad, _var_grad, _warn_no_freedom


def _mean_grad(g: Tensor, a: Tensor, dims: Any, keepdim: bool) -> Tensor:
    return expand_back(g, a.shape, dims, keepdim) / count(a.shape, dims)


def _std_of(g: Tensor, a: Tensor, dims: Any, correction: Any, keepdim: bool) -> Tensor:
    # The std recomputed from ``a`` (not saved): in a second order it depends on ``a``.
    spread = a.std(dim=dims, correction=correction, keepdim=keepdim)
    return _std_grad(g, a, spread, dims, correction, keepdim)


def _spread_mean_grad(spread_grad: Any) -> Any:
    """The rule of ``std_mean``/``var_mean``: the spread's gradient plus the mean's."""

    def rule(grads: tuple, a: Tensor, dims: Any, correction: Any, keepdim: bool) -> tuple:
        g_spread, g_mean = (tuple(grads) + (None, None))[:2]
        total = None
        if g_spread is not None:
            total = spread_grad(g_spread, a, dims, correction, keepdim)
        if g_mean is not None:
            part = _mean_grad(g_mean, a, dims, keepdim)
            total = part if total is None else total + part
        return (total,)

    return rule


STD_MEAN = MultiOutputRecord(
    "std_mean", REDUCTION, "StdMeanBackward0", "std",
    save=("self", "dims", "correction", "keepdim"),
    grads=(_spread_mean_grad(_std_of),), method=False,
    doc="(std, mean) under one node; a zero std has gradient 0",
)  # fmt: skip
VAR_MEAN = MultiOutputRecord(
    "var_mean", REDUCTION, "VarMeanBackward0", "var",
    save=("self", "dims", "correction", "keepdim"),
    grads=(_spread_mean_grad(_var_grad),),
    method=False, doc="(var, mean) under one node",
)  # fmt: skip


def _dist_grad(g: Tensor, a: Tensor, b: Tensor, result: Tensor, p: Any) -> Tensor:
    return _norm_grad(g, a - b, result, p, None, False)


DIST = OpRecord(
    "dist", REDUCTION, "DistBackward0", "vector_norm", inputs=("self", "other"),
    save=("self", "other", "result", "p"),
    grads=(_dist_grad, lambda g, a, b, r, p: -_dist_grad(g, a, b, r, p)),
    smooth=False, doc="the p-norm of self - other (broadcast); gradients as norm's",
)  # fmt: skip
RECORDS = (STD_MEAN, VAR_MEAN, DIST)


def _spread_and_mean(
    record: MultiOutputRecord, input: Tensor, dim: Any, unbiased: Any, keepdim: bool,
    correction: Any,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    op = record.name
    check_tensor(op, input)
    check_keepdim(op, keepdim)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{op} only support floating point and complex dtypes")
    dim, correction = _correction(dim, unbiased, correction)
    dims = reduction_dims(op, input, dim)
    _warn_no_freedom(op, input, dims, correction)
    backend, array = input._backend, input._storage.array
    k = backend.kernels
    spread = Tensor._make(k[record.kernel](array, dims, correction, keepdim), input.dtype, backend)
    mean = Tensor._make(k["mean"](array, dims, keepdim), input.dtype, backend)
    params = {"dims": dims, "correction": correction, "keepdim": keepdim}
    return finish_outputs(record, [spread, mean], (input,), params)


def std_mean(
    input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    """``(std, mean)`` over ``dim``, as :func:`~retrograd.std` and ``mean`` give them."""
    return _spread_and_mean(STD_MEAN, input, dim, unbiased, keepdim, correction)


def var_mean(
    input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    """``(var, mean)`` over ``dim``, as :func:`~retrograd.var` and ``mean`` give them."""
    return _spread_and_mean(VAR_MEAN, input, dim, unbiased, keepdim, correction)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The ``p``-norm of ``input - other`` (broadcast; promoted to a common dtype)."""
    check_tensor("dist", input)
    check_tensor("dist", other, "other")
    dtype = promote((input, other))
    if not dtype.is_floating_point:
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. Got "
            f"{dtypes.kind_name(dtype)} instead."
        )
    broadcast_shapes("dist", tuple(input.shape), tuple(other.shape))
    backend = backend_of("dist", input, other)
    a, b = input.detach().to(dtype), other.detach().to(dtype)
    out = backend.kernels["vector_norm"]((a - b)._storage.array, p, None, False)
    return finish(DIST, out, dtype, backend, (input, other), {"p": p})


@composite()
def cov(input: Tensor, *, correction: int = 1, fweights: Any = None, aweights: Any = None):
    """The covariance matrix of the variables in ``input``'s rows (observations in its
    columns), dividing by ``N - correction``; frequency and observation weights are not
    supported here."""
    check_tensor("cov", input)
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov(): fweights and aweights are not supported by retrograd")
    if input.dim() > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input.dim()} dimensions"
        )
    x = input if input.dim() == 2 else input.view(1, -1)
    if not x.dtype.is_floating_point:
        x = x.to(dtypes.get_default_dtype())
    n = x.shape[1]
    factor = n - correction
    if factor <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)  # fmt: skip
        factor = 0  # PyTorch's: the division then gives inf (or nan)
    centered = x - x.mean(1, keepdim=True)
    return (centered.mm(centered.t()) / factor).squeeze()


@composite()
def corrcoef(input: Tensor) -> Tensor:
    """Pearson's correlation coefficients of the rows of ``input``, clamped to [-1, 1]."""
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal().sqrt()
    c = c / d.unsqueeze(1)
    c = c / d.unsqueeze(0)
    return c.clamp(-1, 1)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0..max occurs in the non-negative integer vector ``input``
    (at least ``minlength`` bins), or the sum of ``weights`` falling in each bin (in
    ``weights``' dtype if float32, else float64). PyTorch records a node without a
    derivative for the weights; retrograd records none (the result never requires grad)."""
    check_tensor("bincount", input)
    if input.dtype.category >= dtypes.FLOATING or input.dtype is dtypes.bool:
        raise NotImplementedError(
            f"\"bincount_cpu\" not implemented for '{dtypes.kind_name(input.dtype)}'"
        )
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if input.dim() != 1 or (input.numel() and input.min().item() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights.dim() != 1 or weights.shape[0] != input.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    size = max(minlength, int(input.max().item()) + 1 if input.numel() else 0)
    if weights is None:
        dtype, values = dtypes.int64, input.new_ones(input.shape, dtype=dtypes.int64)
    else:
        dtype = dtypes.float32 if weights.dtype is dtypes.float32 else dtypes.float64
        values = weights.detach().to(dtype)
    backend = input._backend
    k = backend.kernels
    bins = k["zeros"]((size,), backend.native_dtype(dtype))
    counted = k["index_add"](bins, (input._storage.array,), values._storage.array)
    return Tensor._make(counted, dtype, backend)


FUNCTIONS = {
    "bincount": bincount,
    "std_mean": std_mean,
    "var_mean": var_mean,
    "dist": dist,
    "cov": cov,
    "corrcoef": corrcoef,
}

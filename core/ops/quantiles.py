"""``quantile`` and ``nanquantile``: composites, as in PyTorch (no node of their own).

PyTorch's computation, step by step, so values and gradients are its: sort the values
along the reduced dim (``SortBackward0``), turn each ``q`` into a fractional rank
``q * (n - 1)`` (``nanquantile``: ``n`` counts the values that are not NaN; ``quantile``
of a row holding NaN takes the last rank, a NaN), round the rank as ``interpolation``
says (``nearest`` rounds half to even), ``gather`` the values at the ranks below and
above, and ``lerp`` between them (``midpoint``: weight 0.5). A ``q`` tensor that
requires grad gets its gradient through the linear weights, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .helpers import check_keepdim, check_tensor, full_on, one_dim
from .pointwise_binary import lerp
from .record import composite

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _q_tensor(input: Tensor, q: Any) -> Tensor:
    """``q`` as a tensor of ``input``'s dtype, with PyTorch's checks in its order."""
    if not isinstance(q, Tensor):
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        return full_on(input, (), float(q))
    return q


def _check(input: Tensor, q: Tensor, interpolation: Any) -> None:
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if q.dim() > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if input.dtype not in (dtypes.float32, dtypes.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if q.dtype is not input.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            "quantile() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    if not bool(((q >= 0) & (q <= 1)).all()):  # PyTorch reads the values too (on the CPU)
        raise RuntimeError("quantile() q values must be in the range [0, 1]")


def _ranks(sorted_values: Tensor, q: Tensor, ignore_nan: bool) -> Tensor:
    """Fractional ranks, shaped ``(*rows, len(q))`` (``(*rows, 1)`` for a scalar ``q``)."""
    n = sorted_values.shape[-1]
    q = q.reshape(-1)
    nans = sorted_values.isnan()
    if ignore_nan:  # all NaN: rank 0, a NaN
        return (q * (n - nans.sum(-1, keepdim=True) - 1)).clamp(min=0)
    ranks = (q * (n - 1)).expand(*sorted_values.shape[:-1], q.shape[0])
    return ranks.masked_fill(nans.any(-1, keepdim=True), n - 1)


def _interpolated(sorted_values: Tensor, ranks: Tensor, interpolation: str) -> Tensor:
    rounding = {"lower": "floor", "higher": "ceil", "nearest": "round"}.get(interpolation)
    if rounding is not None:
        ranks = getattr(ranks, rounding)()
    below = sorted_values.gather(-1, ranks.long())
    if interpolation not in ("linear", "midpoint"):
        return below
    weights = (
        ranks - ranks.long() if interpolation == "linear" else full_on(ranks, ranks.shape, 0.5)
    )
    above = sorted_values.gather(-1, ranks.ceil().long())
    return lerp(below, above, weights)


def _quantile(input: Tensor, q: Any, dim: Any, keepdim: bool, interpolation: str, ignore_nan: bool):
    check_tensor("quantile", input)
    check_keepdim("quantile", keepdim)
    q_tensor = _q_tensor(input, q)
    _check(input, q_tensor, interpolation)
    if dim is None:
        rows = input.reshape(1, -1)
        out_shape = (1,) * input.dim() if keepdim else ()
    else:
        dim = one_dim("quantile", input, dim)
        rows = input.reshape(1) if input.dim() == 0 else input.movedim(dim, -1)
        kept = (1,) if keepdim and input.dim() else ()
        out_shape = (*input.shape[:dim], *kept, *input.shape[dim + 1 :])
    sorted_values = rows.sort(-1).values
    result = _interpolated(
        sorted_values, _ranks(sorted_values, q_tensor, ignore_nan), interpolation
    )
    if q_tensor.dim() == 0:
        return result.reshape(out_shape)
    return result.movedim(-1, 0).reshape(q_tensor.shape[0], *out_shape)


@composite()
def quantile(
    input: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """The ``q``-th quantiles (``q`` a number or a 0-d/1-d tensor in [0, 1]) of ``input``
    along ``dim`` (all elements by default); a row holding NaN gives NaN. A 1-d ``q``
    adds a leading dim of its length."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


@composite()
def nanquantile(
    input: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """:func:`quantile` of the values that are not NaN (NaN where a row has none)."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


FUNCTIONS = {"quantile": quantile, "nanquantile": nanquantile}

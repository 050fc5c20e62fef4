"""Robust-regression and distribution losses: ``huber_loss`` and ``smooth_l1_loss`` (one
record each, PyTorch's ``HuberLossBackward0``/``SmoothL1LossBackward0``), and the ones
PyTorch composes from other ops, ``kl_div`` and ``cosine_similarity`` (composed here the
same way, so the ``grad_fn`` printed is PyTorch's).

As in PyTorch, ``huber_loss``/``smooth_l1_loss`` broadcast input and target first (with
its warning when their sizes differ), so their records see two tensors of one shape.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import array_of, broadcast_shapes, finish, promote
from .elementwise import where
from .helpers import check_tensor
from .kernel_names import refusal
from .losses import _pair, _reduce_array, _reduced_grad, apply_reduction, l1_loss
from .pointwise_extra import xlogy
from .record import OpRecord
from .targets import LOSS


def _huber_grad(g: Tensor, a: Tensor, t: Tensor, reduction: str, delta: Any) -> Tensor:
    # PyTorch's: -delta below -delta, delta above delta, the difference between (NaN too).
    d, spread = a - t, _reduced_grad(g, tuple(a.shape), reduction)
    return where(d < -delta, spread * -delta, where(d > delta, spread * delta, d * spread))


def _smooth_l1_grad(g: Tensor, a: Tensor, t: Tensor, reduction: str, beta: Any) -> Tensor:
    d, spread = a - t, _reduced_grad(g, tuple(a.shape), reduction)
    return where(d < -beta, -spread, where(d > beta, spread, d * spread / beta))


HUBER_LOSS = OpRecord(
    "huber_loss",
    LOSS,
    "HuberLossBackward0",
    "abs",
    inputs=("self", "target"),
    save=("self", "target", "reduction", "delta"),
    grads=(_huber_grad, lambda g, a, t, r, delta: -_huber_grad(g, a, t, r, delta)),
    smooth=False,
    method=False,
    doc="quadratic within delta, linear beyond",
)
SMOOTH_L1_LOSS = OpRecord(
    "smooth_l1_loss",
    LOSS,
    "SmoothL1LossBackward0",
    "abs",
    inputs=("self", "target"),
    save=("self", "target", "reduction", "beta"),
    grads=(_smooth_l1_grad, lambda g, a, t, r, beta: -_smooth_l1_grad(g, a, t, r, beta)),
    smooth=False,
    method=False,
    doc="quadratic (divided by beta) within beta, linear beyond",
)
RECORDS = (HUBER_LOSS, SMOOTH_L1_LOSS)


def _expanded(op: str, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor, Any]:
    """PyTorch's ``broadcast_tensors(input, target)`` (after its size warning); a tensor
    already of the common shape is used as is, as PyTorch's expand leaves it."""
    backend = _pair(op, input, target)
    shape = broadcast_shapes(op, tuple(input.shape), tuple(target.shape))
    pair = tuple(t if tuple(t.shape) == shape else t.expand(shape) for t in (input, target))
    return pair[0], pair[1], backend


def _elementwise_loss(record: OpRecord, input: Tensor, target: Tensor, reduction: str,
                      width: Any, kernel: str) -> Tensor:  # fmt: skip
    """Huber (``scale`` = ``width``) or smooth L1 (``scale`` = 1) of two same-shaped
    tensors: ``0.5 z^2 / s`` where ``z = |x - t| < width``, else ``width * (z - width/2) /
    s'``, as PyTorch's kernels compute them."""
    backend, dtype = input._backend, promote((input, target))
    if not dtype.is_floating_point:
        raise refusal(kernel, backend, dtype)
    k = backend.kernels
    z = k["abs"](k["subtract"](array_of(input, dtype, backend), array_of(target, dtype, backend)))
    square = k["multiply"](k["multiply"](z, 0.5), z)
    linear = k["subtract"](z, 0.5 * width)
    if record is HUBER_LOSS:
        inside, outside = square, k["multiply"](linear, width)
    else:
        inside, outside = k["divide"](square, width), linear
    out = _reduce_array(k, k["where"](k["less"](z, width), inside, outside), reduction)
    name = "delta" if record is HUBER_LOSS else "beta"
    params = {"reduction": reduction, name: width}
    return finish(record, out, dtype, backend, (input, target), params)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """``0.5 (x - t)^2`` where ``|x - t| < delta``, else ``delta (|x - t| - delta / 2)``;
    with ``weight`` (input's size), the elementwise loss times it, then reduced."""
    check_tensor("huber_loss", input)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    x, t, _ = _expanded("huber_loss", input, target)
    if weight is None:
        return _elementwise_loss(HUBER_LOSS, x, t, reduction, delta, "huber")
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    weighted = _elementwise_loss(HUBER_LOSS, x, t, "none", delta, "huber") * weight
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(
            f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'."
        )
    return apply_reduction(weighted, reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """``0.5 (x - t)^2 / beta`` where ``|x - t| < beta``, else ``|x - t| - beta / 2``;
    ``beta=0`` is ``l1_loss``, as in PyTorch."""
    check_tensor("smooth_l1_loss", input)
    x, t, _ = _expanded("smooth_l1_loss", input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(x, t, reduction=reduction)
    return _elementwise_loss(SMOOTH_L1_LOSS, x, t, reduction, beta, "smooth_l1")


_KL_MEAN = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release."
)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """The pointwise KL divergence ``t (log t - x)`` of log-probabilities ``x`` from
    ``t`` (``log_target``: ``t`` given as logs), reduced; ``'batchmean'`` divides the sum
    by the batch size; ``'mean'`` (by the element count) warns as PyTorch warns."""
    check_tensor("kl_div", input)
    check_tensor("kl_div", target, "target")
    if reduction == "mean":
        warnings.warn(_KL_MEAN, UserWarning, stacklevel=2)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    # PyTorch's two compositions (so its grad_fn names).
    loss = target.exp() * (target - input) if log_target else xlogy(target, target) - target * input
    if reduction != "batchmean":
        return apply_reduction(loss, reduction)
    total = loss.sum()
    return total / input.shape[0] if input.dim() else total


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``<x1, x2> / (max(|x1|, eps) max(|x2|, eps))`` along ``dim`` (broadcast first),
    composed as PyTorch composes it: each input divided by its norm, the norms clamped
    at ``eps`` outside the graph (so the norm's own gradient is the unclamped one)."""
    check_tensor("cosine_similarity", x1, "x1")
    check_tensor("cosine_similarity", x2, "x2")
    common = promote((x1, x2))
    if not common.is_floating_point:
        raise RuntimeError(
            "expected common dtype to be floating point, yet common dtype is "
            f"{dtypes.kind_name(common)}"
        )
    x1, x2 = (x if x.dtype.is_floating_point else x.to(common) for x in (x1, x2))
    shape = broadcast_shapes("cosine_similarity", tuple(x1.shape), tuple(x2.shape))
    x1, x2 = (x if tuple(x.shape) == shape else x.expand(shape) for x in (x1, x2))
    n1 = x1.norm(2, dim, keepdim=True).clone()
    n2 = x2.norm(2, dim, keepdim=True).clone()
    with no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)

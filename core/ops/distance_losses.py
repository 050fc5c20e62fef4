"""Distances and the losses built on them, composed as PyTorch composes them (so the
graph printed is PyTorch's): ``pairwise_distance`` (``NormBackward1`` over
``AddBackward1`` over ``SubBackward0``), ``triplet_margin_loss``,
``cosine_embedding_loss``, and the likelihood losses ``poisson_nll_loss`` and
``gaussian_nll_loss``.
"""

from __future__ import annotations

import math
from typing import Any

from ..creation import full as filled
from ..creation import zeros_like
from ..grad_mode import no_grad
from ..tensor import Tensor
from .aten_overloads import add_scalar, mul_scalar, norm_scalaropt_dim, sub_scalar
from .elementwise import sub, where
from .helpers import check_tensor
from .losses import apply_reduction
from .margin_losses import _check_reduction

EPSILON = 1e-12  # PyTorch's addend to cosine_embedding_loss's squared magnitudes


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """``norm(x1 - x2 + eps, p)`` over the last dim of the broadcast pair (a 0-d pair:
    over dim -1 of a 0-d tensor, its absolute value), as PyTorch computes it."""
    check_tensor("pairwise_distance", x1, "x1")
    check_tensor("pairwise_distance", x2, "x2")
    innermost = max(x1.dim(), x2.dim()) - 1
    return norm_scalaropt_dim(add_scalar(x1 - x2, eps), p, innermost, keepdim)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the pairwise distance (``swap``:
    ``d(a, n)`` replaced by ``min(d(a, n), d(p, n))``), reduced."""
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return triplet_margin(anchor, positive, negative, margin, p, eps, swap, reduction)


def triplet_margin(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float,
    p: float,
    eps: float,
    swap: bool,
    reduction: str,
) -> Tensor:
    """:func:`triplet_margin_loss` after ``nn.functional``'s own checks (PyTorch's C++
    function, ``torch.triplet_margin_loss``, takes any margin)."""
    dims = [t.dim() for t in (anchor, positive, negative)]
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs"
        )
    positive_distance = pairwise_distance(anchor, positive, p, eps)
    negative_distance = pairwise_distance(anchor, negative, p, eps)
    if swap:
        swapped = pairwise_distance(positive, negative, p, eps)
        negative_distance = negative_distance.minimum(swapped)
    loss = (add_scalar(positive_distance, margin) - negative_distance).clamp_min(0)
    return apply_reduction(loss, reduction)


def _check_embedding_dims(input1: Tensor, input2: Tensor, target: Tensor) -> None:
    if target.dim() not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if target.dim() == 1 else 1
    if input1.dim() != want or input2.dim() != want:
        raise RuntimeError(
            f"{target.dim()}D target tensor expects {want}D input tensors, but found inputs "
            f"with sizes {list(input1.shape)} and {list(input2.shape)}."
        )


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where ``target`` is 1, ``max(0, cos(x1, x2) - margin)`` where
    it is -1 (cos along dim 1, or 0 for 1-d inputs), reduced."""
    _check_reduction(reduction)
    for name, t in (("input1", input1), ("input2", input2), ("target", target)):
        check_tensor("cosine_embedding_loss", t, name)
    _check_embedding_dims(input1, input2, target)
    dim = target.dim()
    products = (input1 * input2).sum(dim)
    squares1 = add_scalar((input1 * input1).sum(dim), EPSILON)
    squares2 = add_scalar((input2 * input2).sum(dim), EPSILON)
    cos = products / (squares1 * squares2).sqrt_()
    zeros = zeros_like(cos)
    # ``1 - cos`` in C++ wraps the 1 as a tensor: SubBackward0, not Rsub.
    positive = sub(filled((), 1, dtype=cos.dtype, backend=cos._backend), cos)
    negative = sub_scalar(cos, margin).clamp_min_(0)
    loss = where(target == 1, positive, zeros) + where(target == -1, negative, zeros)
    return apply_reduction(loss, reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: Any = None,
    eps: float = 1e-8,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``exp(x) - t x`` (``log_input``) or ``x - t log(x + eps)``, plus Stirling's
    ``t log t - t + log(2 pi t) / 2`` where ``t > 1`` when ``full``, reduced."""
    _check_reduction(reduction)
    check_tensor("poisson_nll_loss", input)
    check_tensor("poisson_nll_loss", target, "target")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * add_scalar(input, eps).log()
    if full:
        # C++ arithmetic with numbers: mul.Scalar (MulBackward1), not Python's MulBackward0.
        halved_log = mul_scalar(mul_scalar(target, 2 * math.pi).log(), 0.5)
        stirling = target * target.log() - target + halved_log
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return apply_reduction(loss, reduction)


def _gaussian_variance(input: Tensor, var: Any) -> Tensor:
    """``var`` as a tensor broadcasting against ``input``, after PyTorch's checks."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        return filled(tuple(input.shape), var, dtype=input.dtype, backend=input._backend)
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) == tuple(input.shape):
        return var
    if tuple(input.shape[:-1]) == tuple(var.shape):
        return var.unsqueeze(-1)
    sizes = zip(input.shape, var.shape)
    if input.dim() == var.dim() and sum(v for i, v in sizes if i != v) == 1:
        return var
    raise ValueError("var is of incorrect size")


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """``(log(max(var, eps)) + (x - t)^2 / max(var, eps)) / 2`` (plus ``log(2 pi) / 2``
    when ``full``), reduced; the clamp at ``eps`` is outside the graph, as PyTorch's."""
    var = _gaussian_variance(input, var)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    return apply_reduction(loss, reduction)

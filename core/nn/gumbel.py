"""``F.gumbel_softmax``: a sample of the Gumbel-softmax (concrete) distribution over
``dim``, soft or (``hard``) one-hot with the soft sample's gradient, composed as PyTorch
composes it (``SoftmaxBackward0``; hard: ``AddBackward0`` over it)."""

from __future__ import annotations

import warnings

from ..creation import empty_like, zeros_like
from ..tensor import Tensor


def gumbel_softmax(
    logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """``softmax((logits + g) / tau, dim)`` with ``g`` i.i.d. standard Gumbel noise
    (``-log`` of Exp(1) draws). With ``hard``, the one-hot vector of each softmax's first
    maximum, made ``y_hard - y_soft.detach() + y_soft`` so that its value is the one-hot
    and its gradient the soft sample's (the straight-through estimator). ``eps`` is
    deprecated and unused, as in PyTorch (which warns when it is given another value)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    noise = -empty_like(logits).exponential_().log()
    soft = ((logits + noise) / tau).softmax(dim)
    if not hard:
        return soft
    picked = soft.max(dim, keepdim=True)[1]
    one_hot = zeros_like(logits).scatter_(dim, picked, 1.0)
    return one_hot - soft.detach() + soft

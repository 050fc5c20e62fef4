"""``F.triplet_margin_with_distance_loss``: the triplet margin loss under any distance
(by default the pairwise Euclidean one), composed as PyTorch composes it, so its graph is
PyTorch's: ``max(margin + d(a, p) - d(a, n), 0)`` (``ClampMinBackward0``), with
``d(a, n)`` replaced by ``min(d(a, n), d(p, n))`` when ``swap``, then reduced."""

from __future__ import annotations

from collections.abc import Callable

from ..ops.distance_losses import pairwise_distance
from ..tensor import Tensor

Distance = Callable[[Tensor, Tensor], Tensor]


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Distance | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """The triplet loss of ``anchor`` against ``positive`` and ``negative`` (the same
    number of dims) under ``distance_function`` (a callable of two tensors giving one
    distance per sample; default :func:`pairwise_distance`); ``margin`` must be positive."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs"
        )
    distance = pairwise_distance if distance_function is None else distance_function
    to_positive = distance(anchor, positive)
    to_negative = distance(anchor, negative)
    if swap:  # the positive may be nearer the negative than the anchor is
        to_negative = to_negative.minimum(distance(positive, negative))
    loss = (margin + to_positive - to_negative).clamp_min(0)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss

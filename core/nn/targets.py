"""``retrograd.nn.targets``: the names of :mod:`retrograd.ops.targets`, where these ops live
(op records are the ops layer, below ``retrograd.nn``)."""

from ..ops.targets import (
    DIV_SCALAR,
    LOSS,
    NLL_LOSS,
    NLL_LOSS_2D,
    cross_entropy,
    div_scalar,
    nll_grad,
    nll_loss,
)

__all__ = [
    "DIV_SCALAR",
    "LOSS",
    "NLL_LOSS",
    "NLL_LOSS_2D",
    "cross_entropy",
    "div_scalar",
    "nll_grad",
    "nll_loss",
]

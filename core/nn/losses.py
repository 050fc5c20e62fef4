"""``retrograd.nn.losses``: the names of :mod:`retrograd.ops.losses`, where these ops live
(op records are the ops layer, below ``retrograd.nn``)."""

from ..ops.losses import (
    BCE_WITH_LOGITS,
    BINARY_CROSS_ENTROPY,
    EPSILON,
    MSE_LOSS,
    RECORDS,
    apply_reduction,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    l1_loss,
    mse_loss,
)
from ..ops.targets import DIV_SCALAR, LOSS, NLL_LOSS, NLL_LOSS_2D, div_scalar

__all__ = [
    "BCE_WITH_LOGITS",
    "BINARY_CROSS_ENTROPY",
    "DIV_SCALAR",
    "EPSILON",
    "LOSS",
    "MSE_LOSS",
    "NLL_LOSS",
    "NLL_LOSS_2D",
    "RECORDS",
    "apply_reduction",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "div_scalar",
    "l1_loss",
    "mse_loss",
]

"""``retrograd.nn.functional``: PyTorch's functional neural-network API (``import
retrograd.nn.functional as F``), with PyTorch's gradients and ``grad_fn`` names."""

from __future__ import annotations

from typing import Any

from ..ops.activations import elu, gelu, leaky_relu, log_softmax, silu, softmax, softplus
from ..ops.distance_losses import (
    cosine_embedding_loss,
    gaussian_nll_loss,
    pairwise_distance,
    poisson_nll_loss,
    triplet_margin_loss,
)
from ..ops.einsum import einsum
from ..ops.elementwise import UNARY_FUNCTIONS as _UNARY
from ..ops.linalg import addmm
from ..ops.losses import binary_cross_entropy, binary_cross_entropy_with_logits, l1_loss, mse_loss
from ..ops.margin_losses import (
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
)
from ..ops.norm_layers import group_norm
from ..ops.piecewise_activations import (
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_in_place,
    relu6,
    softshrink,
    threshold,
)
from ..ops.pixel_ops import channel_shuffle, pixel_shuffle, pixel_unshuffle
from ..ops.regression_losses import cosine_similarity, huber_loss, kl_div, smooth_l1_loss
from ..ops.result_activations import celu_, elu_
from ..ops.result_activations import leaky_relu_ as _leaky_relu_
from ..ops.smooth_activations import (
    celu,
    glu,
    logsigmoid,
    mish,
    selu,
    softmin,
    softsign,
    tanhshrink,
)
from ..ops.targets import cross_entropy, nll_loss
from ..ops.torch_nn import selu_, threshold_
from ..random import draw_target, rrelu_
from ..random import rrelu as _rrelu
from ..tensor import Tensor
from .adaptive_pooling import (  # pooling and padding as PyTorch's nodes (feat-pool)
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
)
from .convolution import conv1d, conv2d, conv3d
from .lp_pooling import lp_pool1d, lp_pool2d, lp_pool3d
from .normalization import batch_norm, instance_norm, layer_norm, normalize
from .padding import pad
from .pooling import (
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from .sparse import embedding, one_hot
from .unpooling import max_unpool1d, max_unpool2d, max_unpool3d

__all__ = [
    # pooling and padding as PyTorch's nodes (feat-pool)
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "avg_pool3d",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "bilinear",
    "conv1d",
    "conv2d",
    "conv3d",
    "embedding",
    "layer_norm",
    "max_pool1d",
    "max_pool2d",
    "normalize",
    "one_hot",
    "pad",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "elu",
    "gelu",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "tanh",
    # further activations
    "celu",
    "glu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "logsigmoid",
    "mish",
    "relu6",
    "selu",
    "softmin",
    "softshrink",
    "softsign",
    "tanhshrink",
    "threshold",
    # further losses and distances
    "cosine_similarity",
    "huber_loss",
    "kl_div",
    "smooth_l1_loss",
    # margin and distance losses
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_soft_margin_loss",
    "pairwise_distance",
    "poisson_nll_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    # normalization and attention layers
    "group_norm",
    "instance_norm",
    "channel_shuffle",
    "pixel_shuffle",
    "pixel_unshuffle",
    # in-place forms and rrelu
    "celu_",
    "elu_",
    "hardtanh_",
    "leaky_relu_",
    "relu_",
    "rrelu",
    "rrelu_",
    "selu_",
    "threshold_",
]


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``; its gradient at 0 is 0, as PyTorch's."""
    return input.relu_() if inplace else _UNARY["relu"](input)


def sigmoid(input: Tensor) -> Tensor:
    return _UNARY["sigmoid"](input)


def tanh(input: Tensor) -> Tensor:
    return _UNARY["tanh"](input)


def linear(input: Tensor, weight: Tensor, bias: Any = None) -> Tensor:
    """``input @ weight.T + bias``, recorded as PyTorch records it (``AddmmBackward0``
    over ``TBackward0``; batched inputs are viewed as one matrix first)."""
    if input.dim() == 0 or input.shape[-1] != weight.shape[-1]:
        rows = input.numel() // input.shape[-1] if input.dim() and input.shape[-1] else 1
        last = input.shape[-1] if input.dim() else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{last} and "
            f"{weight.shape[-1]}x{weight.shape[0]})"
        )
    if bias is None:
        return input.matmul(weight.t())
    if input.dim() == 2:
        return addmm(bias, input, weight.t())
    rows = input.reshape(-1, input.shape[-1])
    return addmm(bias, rows, weight.t()).view(*input.shape[:-1], weight.shape[0])


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``
    (identity when not ``training``). The mask is ``bernoulli_(1 - p)`` of a zero tensor
    like ``input``, drawn from the default generator, as PyTorch draws it."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    # PyTorch's CPU dropout: a Bernoulli(1 - p) mask, divided by 1 - p, then one multiply.
    # Inside vmap(..., randomness="different") the mask starts batched: one per sample.
    mask = draw_target(tuple(input.shape), input._dtype, input._backend)
    mask = mask.bernoulli_(1 - p).div_(1 - p)
    return input.mul_(mask) if inplace else input * mask


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Any = None) -> Tensor:
    """``y[..., o] = input1 @ weight[o] @ input2 + bias[o]``."""
    for i, (x, dim) in enumerate(((input1, 1), (input2, 2)), 1):
        if x.dim() == 0 or x.shape[-1] != weight.shape[dim]:
            got = x.shape[-1] if x.dim() else 0
            raise RuntimeError(
                f"bilinear(): input{i} size does not match weight size: got {got} but "
                f"expected {weight.shape[dim]}"
            )
    out = einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias


# -- in-place forms (PyTorch's F.relu_ ... are its torch-level C functions) and rrelu -----


def relu_(input: Tensor) -> Tensor:
    """``relu`` written into ``input`` (``ReluBackward0``)."""
    return input.relu_()


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``hardtanh`` written into ``input`` (``HardtanhBackward0``, from the old value).
    Unlike ``F.hardtanh``, PyTorch's C function takes ``min_val > max_val`` (every
    element becomes ``max_val``)."""
    return hardtanh_in_place(input, min_val, max_val)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``leaky_relu`` written into ``input`` (``LeakyReluBackward1``: a backward through
    it with a negative slope raises PyTorch's error)."""
    if not isinstance(negative_slope, (int, float)) and type(negative_slope).__module__ != "numpy":
        raise TypeError(
            "leaky_relu_(): argument 'negative_slope' (position 2) must be Number, not "
            f"{type(negative_slope).__name__}"
        )
    return _leaky_relu_(input, negative_slope)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomized leaky ReLU (``torch.rrelu``; in place, ``torch.rrelu_``): slopes drawn
    from ``U(lower, upper)`` in training, their mean otherwise."""
    if inplace:
        return rrelu_(input, lower, upper, training)
    return _rrelu(input, lower, upper, training)

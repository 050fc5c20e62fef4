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
from ..ops.losses import binary_cross_entropy, binary_cross_entropy_with_logits, l1_loss, mse_loss
from ..ops.margin_losses import (
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
)

# nn functions PyTorch users still missed: pooling with indices, deprecated upsampling,
# bags of embeddings, multi-label and triplet losses, Gumbel-softmax
from ..ops.multilabel_margin import multilabel_margin_loss
from ..ops.norm_layers import group_norm
from ..ops.pdist import pdist
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
from ..ops.prelu import prelu
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
from ..random import rrelu as _rrelu
from ..random import rrelu_
from ..tensor import Tensor
from .adaptive_pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
)
from .attention import scaled_dot_product_attention
from .convolution import (
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from .ctc import ctc_loss
from .deprecated_upsampling import upsample, upsample_bilinear, upsample_nearest
from .dropout import (
    alpha_dropout,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from .embedding_bag import embedding_bag
from .folding import fold, unfold
from .fractional_pooling import (
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)
from .gumbel import gumbel_softmax
from .interpolation import interpolate
from .linear import linear
from .lp_pooling import lp_pool1d, lp_pool2d, lp_pool3d
from .multi_head import multi_head_attention_forward
from .normalization import (
    batch_norm,
    instance_norm,
    layer_norm,
    local_response_norm,
    normalize,
    rms_norm,
)
from .padding import pad
from .pooling import (
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from .pooling_with_indices import (
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d_with_indices,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
)
from .sampling_grids import affine_grid, grid_sample
from .sparse import embedding, one_hot
from .triplet_distance_loss import triplet_margin_with_distance_loss
from .unpooling import max_unpool1d, max_unpool2d, max_unpool3d

__all__ = [
    # pooling and padding as PyTorch's nodes
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
    # attention, transformer layers and small layers
    "alpha_dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "feature_alpha_dropout",
    "local_response_norm",
    "multi_head_attention_forward",
    "pdist",
    "prelu",
    "rms_norm",
    "scaled_dot_product_attention",
    # transposed convolution and sliding blocks
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "fold",
    "unfold",
    # interpolation, upsampling and sampling grids
    "interpolate",
    "affine_grid",
    "grid_sample",
    # nn functions PyTorch users still missed
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
    "ctc_loss",
    "embedding_bag",
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
    "gumbel_softmax",
    "multilabel_margin_loss",
    "triplet_margin_with_distance_loss",
]


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``; its gradient at 0 is 0, as PyTorch's."""
    return input.relu_() if inplace else _UNARY["relu"](input)


def sigmoid(input: Tensor) -> Tensor:
    return _UNARY["sigmoid"](input)


def tanh(input: Tensor) -> Tensor:
    return _UNARY["tanh"](input)


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

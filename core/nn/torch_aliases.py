"""The torch-level names PyTorch has for ``nn.functional``'s layers: ``torch.conv1d`` ...
``torch.conv_transpose3d``, the poolings (``torch.max_pool1d/2d/3d``,
``max_pool1d_with_indices``, ``avg_pool1d``, ``adaptive_avg_pool1d``,
``adaptive_max_pool1d``), the normalizations (``batch_norm``, ``layer_norm``,
``instance_norm``, ``rms_norm``, ``native_layer_norm``, ``native_batch_norm``),
``embedding``/``embedding_bag``, the dropouts and their in-place forms, ``bilinear``,
``ctc_loss`` and ``grid_sampler``. (Those built on ops alone, ``torch.prelu``,
``torch.group_norm``, the shuffles..., are :mod:`retrograd.ops.torch_nn_aliases`.)

Each is the functional form under the signature of PyTorch's C function (``help(torch.X)``),
which differs from ``nn.functional``'s for some: ``torch.batch_norm`` takes its
arguments positionally in ATen's order (``weight, bias, running_mean, running_var,
training, momentum, eps, cudnn_enabled``), ``torch.embedding`` takes the weight first and
``padding_idx=-1`` for none, ``torch.ctc_loss`` takes ``reduction`` as ATen's enum (an
int whose default PyTorch's parser reads as 0, no reduction), ``grid_sampler`` its modes
as enums, and ``adaptive_max_pool1d``/``max_pool1d_with_indices``/``native_*``/
``embedding_bag`` return tuples.
"""

from __future__ import annotations

from typing import Any

from ..creation import empty
from ..grad_mode import no_grad
from ..ops.record import composite
from ..ops.torch_nn_aliases import REDUCTION_NAMES
from ..tensor import Tensor
from . import adaptive_pooling, convolution, normalization, pooling, sampling_grids
from .ctc import ctc_loss as ctc_loss_form
from .dropout import dropout_like
from .embedding_bag import embedding_bag_results
from .functional import bilinear as bilinear_form
from .sparse import embedding as embedding_form

GRID_MODES = ("bilinear", "nearest", "bicubic")  # ATen's GridSamplerInterpolation
GRID_PADDINGS = ("zeros", "border", "reflection")  # ATen's GridSamplerPadding
BAG_MODES = ("sum", "mean", "max")  # ATen's EmbeddingBagMode


def _stride(stride: Any) -> Any:
    """ATen's empty stride (its default) as the functional form's None: the kernel size."""
    return None if stride is None or (isinstance(stride, (list, tuple)) and not stride) else stride


# -- convolution ---------------------------------------------------------------------------


@composite(method=False)
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:  # fmt: skip
    """``torch.conv1d``: ``F.conv1d`` (``ConvolutionBackward0``)."""
    return convolution.conv1d(input, weight, bias, stride, padding, dilation, groups)


@composite(method=False)
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:  # fmt: skip
    """``torch.conv2d``: ``F.conv2d`` (``ConvolutionBackward0``)."""
    return convolution.conv2d(input, weight, bias, stride, padding, dilation, groups)


@composite(method=False)
def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:  # fmt: skip
    """``torch.conv3d``: ``F.conv3d`` (``ConvolutionBackward0``)."""
    return convolution.conv3d(input, weight, bias, stride, padding, dilation, groups)


@composite(method=False)
def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:  # fmt: skip
    """``torch.conv_transpose1d``: ``F.conv_transpose1d``."""
    return convolution.conv_transpose1d(
        input, weight, bias, stride, padding, output_padding, groups, dilation
    )


@composite(method=False)
def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:  # fmt: skip
    """``torch.conv_transpose2d``: ``F.conv_transpose2d``."""
    return convolution.conv_transpose2d(
        input, weight, bias, stride, padding, output_padding, groups, dilation
    )


@composite(method=False)
def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:  # fmt: skip
    """``torch.conv_transpose3d``: ``F.conv_transpose3d``."""
    return convolution.conv_transpose3d(
        input, weight, bias, stride, padding, output_padding, groups, dilation
    )


# -- pooling -------------------------------------------------------------------------------


@composite(method=False)
def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:  # fmt: skip
    """``torch.max_pool1d``: the values of ``F.max_pool1d``."""
    return pooling.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


@composite(method=False)
def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = (),
                            padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:  # fmt: skip
    """``torch.max_pool1d_with_indices``: ``F.max_pool1d``'s values and indices."""
    stride = _stride(stride)
    return pooling.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


@composite(method=False)
def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:  # fmt: skip
    """``torch.max_pool2d``: the values of ``F.max_pool2d``."""
    return pooling.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


@composite(method=False)
def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:  # fmt: skip
    """``torch.max_pool3d``: the values of ``F.max_pool3d``."""
    return pooling.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


@composite(method=False)
def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:  # fmt: skip
    """``torch.avg_pool1d``: ``F.avg_pool1d``."""
    stride = _stride(stride)
    return pooling.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


@composite(method=False)
def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """``torch.adaptive_avg_pool1d``: ``F.adaptive_avg_pool1d``."""
    return adaptive_pooling.adaptive_avg_pool1d(input, output_size)


@composite(method=False)
def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:
    """``torch.adaptive_max_pool1d``: the values and indices (always both, unlike F's)."""
    return adaptive_pooling.adaptive_max_pool1d(input, output_size, True)


# -- normalization -------------------------------------------------------------------------


@composite(method=False)
def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:  # fmt: skip
    """``torch.batch_norm``: ``F.batch_norm`` with ATen's argument order
    (``cudnn_enabled`` is ignored: there is no cuDNN here)."""
    return normalization.batch_norm(
        input, running_mean, running_var, weight, bias, training, momentum, eps
    )


@composite(method=False)
def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool) -> Tensor:  # fmt: skip
    """``torch.instance_norm``: ``F.instance_norm`` with ATen's argument order."""
    return normalization.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


@composite(method=False)
def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:  # fmt: skip
    """``torch.layer_norm``: ``F.layer_norm`` (``NativeLayerNormBackward0``)."""
    return normalization.layer_norm(input, normalized_shape, weight, bias, eps)


@composite(method=False)
def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:  # fmt: skip
    """``torch.rms_norm``: ``F.rms_norm``."""
    return normalization.rms_norm(input, normalized_shape, weight, eps)


@composite(method=False)
def native_layer_norm(
    input: Tensor, normalized_shape: Any, weight: Tensor | None, bias: Tensor | None, eps: float
) -> tuple[Tensor, Tensor, Tensor]:
    """``torch.native_layer_norm``: ``(out, mean, rstd)``, the layer norm and the
    statistics it used, over the normalized dims kept as size 1. Only ``out`` is
    differentiable (``NativeLayerNormBackward0``), as in PyTorch."""
    out = normalization.layer_norm(input, normalized_shape, weight, bias, eps)
    dims = list(range(input.dim() - len(_sizes(normalized_shape)), input.dim()))
    with no_grad():
        mean = input.mean(dims, keepdim=True)
        rstd = ((input - mean) ** 2).mean(dims, keepdim=True).add(eps).rsqrt()
    return out, mean, rstd


@composite(method=False)
def native_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                      running_mean: Tensor | None, running_var: Tensor | None,
                      training: bool, momentum: float,
                      eps: float) -> tuple[Tensor, Tensor, Tensor]:  # fmt: skip
    """``torch.native_batch_norm``: ``(out, save_mean, save_invstd)``; in training the
    batch's per-channel mean and ``1 / sqrt(var + eps)``, else two empty tensors, as
    PyTorch's CPU kernel returns. Only ``out`` is differentiable
    (``NativeBatchNormBackward0``)."""
    if training:
        dims = [d for d in range(input.dim()) if d != 1]
        with no_grad():
            mean = input.mean(dims)
            invstd = input.var(dims, unbiased=False).add(eps).rsqrt()
    else:
        mean = empty(0, dtype=input.dtype, backend=input.backend)
        invstd = empty(0, dtype=input.dtype, backend=input.backend)
    out = normalization.batch_norm(
        input, running_mean, running_var, weight, bias, training, momentum, eps
    )
    return out, mean, invstd


def _sizes(normalized_shape: Any) -> tuple:
    return (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)


# -- embeddings ----------------------------------------------------------------------------


@composite(method=False)
def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:  # fmt: skip
    """``torch.embedding``: the rows of ``weight`` at ``indices`` (weight first); a
    negative ``padding_idx`` means none, as in ATen."""
    padding = None if padding_idx < 0 else padding_idx
    return embedding_form(indices, weight, padding, None, 2.0, scale_grad_by_freq, sparse)


@composite(method=False)
def embedding_bag(weight: Tensor, indices: Tensor, offsets: Tensor,
                  scale_grad_by_freq: bool = False, mode: int = 0, sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> tuple:  # fmt: skip
    """``torch.embedding_bag``: ``(output, offset2bag, bag_size, max_indices)``, ATen's
    four results; ``mode`` 0 sum, 1 mean, 2 max."""
    return embedding_bag_results(
        weight, indices, offsets, BAG_MODES[mode], per_sample_weights, include_last_offset,
        padding_idx,
    )  # fmt: skip


# -- dropout -------------------------------------------------------------------------------


def _dropout(input: Tensor, p: float, train: bool, feature: bool, alpha: bool,
             inplace: bool) -> Tensor:  # fmt: skip

    if p < 0 or p > 1:  # ATen's check: a RuntimeError (F's Python check is a ValueError)
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    return dropout_like(input, p, train, inplace, feature, alpha)


@composite(method=False)
def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout``: ``F.dropout`` with ``train`` required."""
    return _dropout(input, p, train, feature=False, alpha=False, inplace=False)


@composite(method=False)
def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout_``: ``dropout`` written into ``input``."""
    return _dropout(input, p, train, feature=False, alpha=False, inplace=True)


@composite(method=False)
def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout``: ``F.alpha_dropout`` with ``train`` required."""
    return _dropout(input, p, train, feature=False, alpha=True, inplace=False)


@composite(method=False)
def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout_``: ``alpha_dropout`` written into ``input``."""
    return _dropout(input, p, train, feature=False, alpha=True, inplace=True)


@composite(method=False)
def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout``: dropout of whole channels of ``(N, C, *)``."""
    return _dropout(input, p, train, feature=True, alpha=False, inplace=False)


@composite(method=False)
def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout_``: ``feature_dropout`` written into ``input``."""
    return _dropout(input, p, train, feature=True, alpha=False, inplace=True)


@composite(method=False)
def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout``: alpha dropout of whole channels."""
    return _dropout(input, p, train, feature=True, alpha=True, inplace=False)


@composite(method=False)
def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout_``: ``feature_alpha_dropout`` written into ``input``."""
    return _dropout(input, p, train, feature=True, alpha=True, inplace=True)


# -- small layers and losses ---------------------------------------------------------------


@composite(method=False)
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:  # fmt: skip
    """``torch.bilinear``: ``F.bilinear``."""
    return bilinear_form(input1, input2, weight, bias)


@composite(method=False)
def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: int = 0,
    zero_infinity: bool = False,
) -> Tensor:
    """``torch.ctc_loss``: ``F.ctc_loss`` with ``reduction`` as ATen's enum (default
    read as 0 by PyTorch's parser: the per-sample losses)."""
    how = REDUCTION_NAMES.get(int(reduction), "none")
    return ctc_loss_form(log_probs, targets, input_lengths, target_lengths, blank, how,
                        zero_infinity)  # fmt: skip


@composite(method=False)
def grid_sampler(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                 align_corners: bool) -> Tensor:  # fmt: skip
    """``torch.grid_sampler``: ``F.grid_sample`` with the modes as ATen's enums
    (interpolation 0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border,
    2 reflection)."""
    mode, padding = GRID_MODES[interpolation_mode], GRID_PADDINGS[padding_mode]
    return sampling_grids.grid_sample(input, grid, mode, padding, align_corners)


FUNCTIONS = {
    "conv1d": conv1d,
    "conv2d": conv2d,
    "conv3d": conv3d,
    "conv_transpose1d": conv_transpose1d,
    "conv_transpose2d": conv_transpose2d,
    "conv_transpose3d": conv_transpose3d,
    "max_pool1d": max_pool1d,
    "max_pool2d": max_pool2d,
    "max_pool3d": max_pool3d,
    "max_pool1d_with_indices": max_pool1d_with_indices,
    "avg_pool1d": avg_pool1d,
    "adaptive_avg_pool1d": adaptive_avg_pool1d,
    "adaptive_max_pool1d": adaptive_max_pool1d,
    "batch_norm": batch_norm,
    "instance_norm": instance_norm,
    "layer_norm": layer_norm,
    "rms_norm": rms_norm,
    "native_layer_norm": native_layer_norm,
    "native_batch_norm": native_batch_norm,
    "embedding": embedding,
    "embedding_bag": embedding_bag,
    "dropout": dropout,
    "dropout_": dropout_,
    "alpha_dropout": alpha_dropout,
    "alpha_dropout_": alpha_dropout_,
    "feature_dropout": feature_dropout,
    "feature_dropout_": feature_dropout_,
    "feature_alpha_dropout": feature_alpha_dropout,
    "feature_alpha_dropout_": feature_alpha_dropout_,
    "bilinear": bilinear,
    "ctc_loss": ctc_loss,
    "grid_sampler": grid_sampler,
}

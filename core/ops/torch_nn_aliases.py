"""The torch-level names PyTorch has for ``nn.functional``'s layers that are built on
ops alone: ``torch.pixel_shuffle``, ``pixel_unshuffle``, ``channel_shuffle``,
``native_channel_shuffle``, ``prelu`` (also ``Tensor.prelu``), ``pdist``, ``group_norm``,
``binary_cross_entropy_with_logits`` and ``constant_pad_nd``. (Those built on
``retrograd.nn``, ``torch.conv2d``, ``torch.batch_norm``..., are
:mod:`retrograd.nn.torch_aliases`: this layer cannot import that one.)

Each takes the signature of PyTorch's C function: the losses take ``reduction`` as ATen's
enum (an int whose default PyTorch's parser reads as 0: no reduction).
"""

from __future__ import annotations

from ..tensor import Tensor
from . import pixel_ops
from .broadcasting import broadcast_tensors
from .losses import binary_cross_entropy_with_logits as _bce_logits
from .norm_layers import group_norm as _group_norm
from .padding import constant_pad_nd
from .pdist import pdist
from .prelu import prelu as _prelu
from .record import composite

# ATen's reduction enum; any other value: no reduction
REDUCTION_NAMES = {1: "mean", 2: "sum"}


@composite(method=False)
def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """``torch.native_channel_shuffle``: ``channel_shuffle``'s values. (PyTorch records no
    derivative for it, so a backward through it fails there; here it is
    ``ChannelShuffleBackward0``'s.)"""
    return pixel_ops.channel_shuffle(input, groups)


@composite(method=True)
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``torch.prelu`` and ``Tensor.prelu``: ``F.prelu`` (``PreluKernelBackward0``)."""
    return _prelu(input, weight)


@composite(method=False)
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None,
                                     reduction: int = 0) -> Tensor:  # fmt: skip
    """``torch.binary_cross_entropy_with_logits``: ``reduction`` as ATen's enum, whose
    default PyTorch's parser reads as 0: not reduced. Unlike F's, ATen broadcasts the
    target against the input (no shape check of its own)."""
    if tuple(input.shape) != tuple(target.shape):
        target, input = broadcast_tensors(target, input)
    how = REDUCTION_NAMES.get(int(reduction), "none")
    return _bce_logits(input, target, weight, reduction=how, pos_weight=pos_weight)


@composite(method=False)
def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:  # fmt: skip
    """``torch.group_norm``: ``F.group_norm`` (``NativeGroupNormBackward0``)."""
    return _group_norm(input, num_groups, weight, bias, eps)


FUNCTIONS = {
    "pixel_shuffle": composite(method=False)(pixel_ops.pixel_shuffle),
    "pixel_unshuffle": composite(method=False)(pixel_ops.pixel_unshuffle),
    "channel_shuffle": composite(method=False)(pixel_ops.channel_shuffle),
    "native_channel_shuffle": native_channel_shuffle,
    "prelu": prelu,
    "pdist": composite(method=False)(pdist),
    "group_norm": group_norm,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "constant_pad_nd": composite(method=False)(constant_pad_nd),
}

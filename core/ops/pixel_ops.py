"""Channel-to-space rearrangements PyTorch records as one node each: ``pixel_shuffle``
(``PixelShuffleBackward0``), ``pixel_unshuffle`` (``PixelUnshuffleBackward0``) and
``channel_shuffle`` (``ChannelShuffleBackward0``).

Each is a permutation of the elements, so each one's gradient is its inverse applied to
the output's gradient: ``pixel_unshuffle`` for ``pixel_shuffle`` and back, and a channel
shuffle by ``C / groups`` groups for one by ``groups``. The forward is a reshape, a
permute and a reshape of retrograd's own ops (grad mode off), wrapped as the one node.
"""

from __future__ import annotations

import operator
from typing import Any

from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .helpers import check_tensor
from .record import SHAPE, OpRecord


def _int_argument(op: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(
            f"{op}(): argument '{name}' (position 2) must be int, not {type(value).__name__}"
        )
    return operator.index(value)


def _shuffled(input: Tensor, r: int) -> Tensor:
    """``(*, C r^2, H, W) -> (*, C, H r, W r)``: channel ``c r^2 + i r + j`` goes to
    row offset ``i`` and column offset ``j``."""
    *lead, c, h, w = input.shape
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def _unshuffled(input: Tensor, r: int) -> Tensor:
    """``(*, C, H r, W r) -> (*, C r^2, H, W)``: the inverse of :func:`_shuffled`."""
    *lead, c, h, w = input.shape
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def _channels_shuffled(input: Tensor, groups: int) -> Tensor:
    """``(N, C, *)``: the channels as ``(groups, C / groups)``, transposed, flattened."""
    n, c, *rest = input.shape
    x = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return x.reshape(input.shape)


def _wrap(record: OpRecord, input: Tensor, out: Tensor, params: dict) -> Tensor:
    array = out.clone()._storage.array  # a dense copy, not a view of the input
    return finish(record, array, input.dtype, input._backend, (input,), params)


PIXEL_SHUFFLE = OpRecord(
    "pixel_shuffle",
    SHAPE,
    "PixelShuffleBackward0",
    "reshape",
    save=("upscale_factor",),
    grads=(lambda g, r: pixel_unshuffle(g, r),),
    method=False,
    doc="(*, C r^2, H, W) -> (*, C, H r, W r)",
)
PIXEL_UNSHUFFLE = OpRecord(
    "pixel_unshuffle",
    SHAPE,
    "PixelUnshuffleBackward0",
    "reshape",
    save=("downscale_factor",),
    grads=(lambda g, r: pixel_shuffle(g, r),),
    method=False,
    doc="(*, C, H r, W r) -> (*, C r^2, H, W)",
)
CHANNEL_SHUFFLE = OpRecord(
    "channel_shuffle",
    SHAPE,
    "ChannelShuffleBackward0",
    "reshape",
    save=("groups",),
    grads=(lambda g, groups: channel_shuffle(g, g.shape[1] // groups),),
    method=False,
    doc="(N, C, *): channels as (groups, C / groups), transposed",
)
RECORDS = (PIXEL_SHUFFLE, PIXEL_UNSHUFFLE, CHANNEL_SHUFFLE)


def _check_dims(op: str, input: Tensor) -> None:
    if input.dim() < 3:
        raise RuntimeError(
            f"{op} expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange ``(*, C r^2, H, W)`` into ``(*, C, H r, W r)`` (``r = upscale_factor``)."""
    check_tensor("pixel_shuffle", input, "self")
    r = _int_argument("pixel_shuffle", "upscale_factor", upscale_factor)
    _check_dims("pixel_shuffle", input)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    with no_grad():
        out = _shuffled(input, r)
    return _wrap(PIXEL_SHUFFLE, input, out, {"upscale_factor": r})


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange ``(*, C, H r, W r)`` into ``(*, C r^2, H, W)`` (``r = downscale_factor``)."""
    check_tensor("pixel_unshuffle", input, "self")
    r = _int_argument("pixel_unshuffle", "downscale_factor", downscale_factor)
    _check_dims("pixel_unshuffle", input)
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for side, dim in (("height", -2), ("width", -1)):
        if input.shape[dim] % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {side} to be divisible by downscale_factor, but "
                f"input.size({dim})={input.shape[dim]} is not divisible by {r}"
            )
    with no_grad():
        out = _unshuffled(input, r)
    return _wrap(PIXEL_UNSHUFFLE, input, out, {"downscale_factor": r})


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the channels of ``(N, C, *)``: viewed as ``(groups, C / groups)``,
    transposed and flattened back."""
    check_tensor("channel_shuffle", input, "self")
    g = _int_argument("channel_shuffle", "groups", groups)
    if input.dim() <= 2:
        raise RuntimeError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    if g <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{g}"
        )
    c = input.shape[1]
    if c % g:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {g} groups."
        )
    with no_grad():
        out = _channels_shuffled(input, g)
    return _wrap(CHANNEL_SHUFFLE, input, out, {"groups": g})

"""``F.upsample``, ``F.upsample_nearest`` and ``F.upsample_bilinear``: PyTorch's deprecated
names for :func:`~retrograd.nn.functional.interpolate`. Each warns as PyTorch does (a
``UserWarning`` naming the function), then interpolates: ``upsample_bilinear`` with
``align_corners=True``, as PyTorch's."""

from __future__ import annotations

import warnings
from typing import Any

from ..tensor import Tensor
from .interpolation import interpolate


def _deprecated(name: str) -> None:
    # stacklevel 3: the warning points at the user's call, not at this module
    warnings.warn(
        f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.",
        UserWarning,
        stacklevel=3,
    )


def upsample(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """``interpolate(input, size, scale_factor, mode, align_corners)``, with a warning."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``interpolate(..., mode="nearest")``, with a warning."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``interpolate(..., mode="bilinear", align_corners=True)``, with a warning."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)

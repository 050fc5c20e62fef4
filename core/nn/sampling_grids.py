"""``F.affine_grid`` and ``F.grid_sample``: PyTorch's argument checks, warnings and
defaults over the ops of ``retrograd.ops.affine_grid`` and ``retrograd.ops.grid_sampler``."""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..ops.affine_grid import affine_grid_generator
from ..ops.grid_sampler import MODES, PADDINGS, grid_sampler
from ..tensor import Tensor

_DEFAULT_CHANGED = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _align_corners(align_corners: bool | None) -> bool:
    if align_corners is None:
        warnings.warn(_DEFAULT_CHANGED, UserWarning, stacklevel=3)
        return False
    return align_corners


def _check_theta(theta: Tensor, size: Any) -> tuple:
    """PyTorch's checks of ``theta`` against ``size`` (shown as given); the spatial
    sizes."""
    if len(size) not in (4, 5):
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    k = len(size) - 2
    if theta.dim() != 3 or theta.shape[-2] != k or theta.shape[-1] != k + 1:
        raise ValueError(
            f"Expected a batch of {k}D affine matrices of shape Nx{k}x{k + 1} for size {size}. "
            f"Got {theta.shape}."
        )
    return tuple(size[2:])


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid ``(N, H, W, 2)`` (or ``(N, D, H, W, 3)``) of the affine maps
    ``theta`` ``(N, 2, 3)`` (``(N, 3, 4)``) for an output of ``size`` ``(N, C, H, W)``
    (``(N, C, D, H, W)``), in normalized coordinates: ``grid_sample``'s input."""
    align_corners = _align_corners(align_corners)
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    spatial = _check_theta(theta, size)
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            UserWarning,
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return affine_grid_generator(theta, list(size), align_corners)


def _check_grid_sample(input: Tensor, grid: Tensor, mode: str, padding_mode: str) -> None:
    """PyTorch's checks, in its order and words."""
    if mode not in MODES:
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in PADDINGS:
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, "
            f"but got grid with sizes {list(grid.shape)}"
        )
    for dim in range(2, input.dim()):
        if input.shape[dim] == 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but "
                f"input has sizes {list(input.shape)} with dimension {dim} being empty"
            )
    need = 4 if input.dim() == 4 else 5
    if input.dim() != need or grid.dim() != need:
        raise RuntimeError(
            f"grid_sampler(): expected {need}D input and grid with same number of dimensions, "
            f"but got input with sizes {list(input.shape)} and grid with sizes "
            f"{list(grid.shape)}"
        )
    if input.dim() == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype != grid.dtype:
        want, got = dtypes.kind_name(input.dtype), dtypes.kind_name(grid.dtype)
        raise RuntimeError(f"expected scalar type {want} but found {got}")


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample ``input`` ``(N, C, H, W)`` at ``grid`` ``(N, Ho, Wo, 2)``'s normalized
    positions (``(x, y)`` in ``[-1, 1]``; outside by ``padding_mode``): ``(N, C, Ho,
    Wo)``, by ``mode`` ``bilinear``, ``nearest`` or ``bicubic``; or a volume ``(N, C, D,
    H, W)`` at ``(N, Do, Ho, Wo, 3)``'s ``(x, y, z)`` (``bilinear`` meaning trilinear,
    or ``nearest``)."""
    _check_grid_sample(input, grid, mode, padding_mode)
    align_corners = _align_corners(align_corners)
    return grid_sampler(input, grid, mode, padding_mode, align_corners)

"""``F.interpolate``: resize ``(N, C, *spatial)`` inputs by nearest, linear, cubic or area
resampling, with PyTorch's argument handling, output sizes, warnings-free defaults,
errors and ``grad_fn`` nodes (``retrograd.ops.upsample`` holds the ops)."""

from __future__ import annotations

import math
import operator
from typing import Any

from ..ops import resample_axes as axes
from ..ops import upsample as ops
from ..tensor import Tensor
from .adaptive_pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_SIZE_TYPES = "int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int]"

# (mode, spatial dims) -> the op's record
_RECORDS = {
    ("nearest", 1): ops.UPSAMPLE_NEAREST1D,
    ("nearest", 2): ops.UPSAMPLE_NEAREST2D,
    ("nearest", 3): ops.UPSAMPLE_NEAREST3D,
    ("nearest-exact", 1): ops.UPSAMPLE_NEAREST_EXACT1D,
    ("nearest-exact", 2): ops.UPSAMPLE_NEAREST_EXACT2D,
    ("nearest-exact", 3): ops.UPSAMPLE_NEAREST_EXACT3D,
    ("linear", 1): ops.UPSAMPLE_LINEAR1D,
    ("bilinear", 2): ops.UPSAMPLE_BILINEAR2D,
    ("trilinear", 3): ops.UPSAMPLE_TRILINEAR3D,
    ("bicubic", 2): ops.UPSAMPLE_BICUBIC2D,
}
_ANTIALIASED = {"bilinear": ops.UPSAMPLE_BILINEAR2D_AA, "bicubic": ops.UPSAMPLE_BICUBIC2D_AA}
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}  # the input dims each mode takes


def _is_integer(x: Any) -> bool:
    return not isinstance(x, bool) and hasattr(x, "__index__")


def _output_size_or_scales(input: Tensor, size: Any, scale_factor: Any) -> tuple:
    """``(output_size, scale_factors)``: exactly one is a list, PyTorch's checks."""
    dim, spatial = input.dim() - 2, list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if not isinstance(size, (list, tuple)):
            return [size] * dim, None
        if len(size) != dim:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {spatial} and output size of {size}. "
                "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                "output size in (o1, o2, ...,oK) format."
            )
        if not all(_is_integer(x) for x in size):
            raise TypeError(
                f"expected size to be one of {_SIZE_TYPES}, but got size with types "
                f"{[type(x) for x in size]}"
            )
        return list(size), None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if not isinstance(scale_factor, (list, tuple)):
        return None, [scale_factor] * dim
    if len(scale_factor) != dim:
        raise ValueError(
            "Input and scale_factor must have the same number of spatial dimensions, but "
            f"got input with spatial dimensions of {spatial} and "
            f"scale_factor of shape {scale_factor}. "
            "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
            "scale_factor in (s1, s2, ...,sK) format."
        )
    return None, list(scale_factor)


def _sizes_from_scales(input: Tensor, scales: list) -> list[int]:
    """``floor(in * scale)`` per spatial dim (in float64, as PyTorch's Python does)."""
    sizes = []
    for n, s in zip(input.shape[2:], scales):
        value = n * float(s)
        if not math.isfinite(value):
            raise RuntimeError("value cannot be converted to type int64_t without overflow")
        sizes.append(math.floor(value))
    return sizes


def _check_sizes(input: Tensor, sizes: list) -> None:
    """PyTorch's checks of an upsampling's input and output sizes."""
    labels = ("D", "H", "W")[3 - len(sizes) :]
    spatial = input.shape[2:]
    if any(n <= 0 for n in spatial) or any(n <= 0 for n in sizes):
        shown_in = ", ".join(f"{k}: {n}" for k, n in zip(labels, spatial))
        shown_out = ", ".join(f"{k}: {n}" for k, n in zip(labels, sizes))
        joint = " and" if len(sizes) == 1 else ""  # (PyTorch's 1-d message has an "and")
        raise RuntimeError(
            "Input and output sizes should be greater than 0, but got "
            f"input ({shown_in}){joint} output ({shown_out})"
        )
    if input.shape[1] == 0 or (input.numel() == 0 and input.shape[0] != 0):
        raise RuntimeError(
            f"Non-empty {input.dim()}D data tensor expected but got a tensor with sizes "
            f"{list(input.shape)}"
        )


def _axis_maps(input: Tensor, mode: str, sizes: list, scales: Any, align: bool, aa: bool):
    """Each spatial dim's :class:`~retrograd.ops.resample_axes.AxisMap` for ``mode``
    (``aa``: antialiased)."""
    r = axes.rounding_for(input.dtype.itemsize <= 4)
    maps = []
    for i, (n, m) in enumerate(zip(input.shape[2:], sizes)):
        scale = None if scales is None else float(scales[i])
        if aa:
            maps.append(axes.antialiased(n, m, align, scale, mode == "bicubic", r))
        elif mode in ("nearest", "nearest-exact"):
            maps.append(axes.nearest(n, m, scale, mode == "nearest-exact"))
        elif mode == "bicubic":
            maps.append(axes.cubic(n, m, align, scale, r))
        else:
            maps.append(axes.linear(n, m, align, scale, r))
    return maps


def _area(input: Tensor, sizes: list) -> Tensor:
    """``area``: adaptive average pooling to ``sizes``, as PyTorch's interpolate calls it
    (so it records the pooling's nodes)."""
    pools = {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}
    return pools[len(sizes)](input, sizes)


def _wrong_dims(input: Tensor, mode: str) -> NotImplementedError:
    need = _NEEDS.get(mode)
    if need is not None and input.dim() in (3, 4, 5):
        return NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {need}D input")
    return NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
        f"the modes: {_MODES} (got {mode})"
    )


def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize ``input`` ``(N, C, *spatial)`` (1 to 3 spatial dims) to ``size`` or by
    ``scale_factor`` (output size ``floor(in * scale_factor)``; the op then samples with
    ``1 / scale_factor`` unless ``recompute_scale_factor``), by ``mode``: ``nearest``,
    ``nearest-exact``, ``linear`` (3-d), ``bilinear``/``bicubic`` (4-d), ``trilinear``
    (5-d) or ``area`` (adaptive average pooling). ``align_corners`` (interpolating modes
    only) aligns the corner pixels' centres instead of the pixel grids' edges.
    ``antialias`` (``bilinear``/``bicubic`` on 4-d inputs) stretches the filter when
    shrinking, as PIL does. (``lanczos`` is not supported: NotImplementedError.)"""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    sizes, scales = _output_size_or_scales(input, size, scale_factor)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and sizes is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        sizes, scales = _sizes_from_scales(input, scales), None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
            "requires a 4-D tensor as input"
        )
    if mode == "lanczos" and input.dim() == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if mode == "lanczos":
        raise NotImplementedError(
            "interpolate(): mode 'lanczos' is not supported by retrograd yet; use 'bicubic' "
            "with antialias=True"
        )
    record = _RECORDS.get((mode, input.dim() - 2))
    if antialias:
        record = _ANTIALIASED[mode]
    if record is None and not (mode == "area" and input.dim() in (3, 4, 5)):
        raise _wrong_dims(input, mode)
    if sizes is None:
        sizes = _sizes_from_scales(input, scales)
    sizes = [operator.index(m) for m in sizes]
    if mode == "area":
        return _area(input, sizes)
    _check_sizes(input, sizes)
    maps = _axis_maps(input, mode, sizes, scales, bool(align_corners), antialias)
    return ops.resample(record, input, maps)

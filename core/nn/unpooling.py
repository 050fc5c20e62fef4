"""``max_unpool1d/2d/3d``: the values max pooling chose, written back at their indices
into zeros of the unpooled size, one node as PyTorch records it
(``MaxUnpool2DBackward0``, ``MaxUnpool3DBackward0``; the 1-d form is the 2-d op on the
input with a width of 1, then a squeeze)."""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..creation import zeros
from ..grad_mode import no_grad
from ..ops.pooling import MAX_UNPOOL2D, MAX_UNPOOL3D, checked_indices, record_pooling
from ..ops.record import OpRecord
from ..tensor import Tensor
from .windows import ntuple


def _output_size(
    input: Tensor, kernel: tuple, stride: tuple, padding: tuple, output_size: Any
) -> list[int]:
    """PyTorch's unpooled spatial size: ``(in - 1) * stride - 2 * padding + kernel`` per
    axis, or ``output_size`` (its last ``len(kernel)`` entries) within a stride of it."""
    dims = len(kernel)
    default = [
        (input.shape[input.dim() - dims + d] - 1) * stride[d] - 2 * padding[d] + kernel[d]
        for d in range(dims)
    ]
    if output_size is None:
        return default
    wanted = list(output_size)
    if len(wanted) == dims + 2:
        wanted = wanted[2:]
    if len(wanted) != dims:
        raise ValueError(
            f"output_size should be a sequence containing {dims} or {dims + 2} elements, but "
            f"it has a length of '{len(wanted)}'"
        )
    for d in range(dims):
        low, high = default[d] - stride[d], default[d] + stride[d]
        if not low < wanted[d] < high:
            raise ValueError(
                f'invalid output_size "{tuple(wanted)}" (dim {d} must be between {low} and {high})'
            )
    return wanted


def _check(input: Tensor, indices: Tensor, size: list[int]) -> None:
    """PyTorch's checks of an unpooling's indices."""
    if indices.dtype != dtypes.int64:
        kind = dtypes.kind_name(indices.dtype)
        raise RuntimeError(f"elements in indices should be type int64 but got: {kind}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            "Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )


def _unpool(input: Tensor, indices: Tensor, size: list[int], record: OpRecord) -> Tensor:
    dims = len(size)
    _check(input, indices, size)
    indices = checked_indices(indices, tuple(size))
    lead = input.shape[: input.dim() - dims]
    with no_grad():
        out = zeros(*lead, math.prod(size), dtype=input.dtype, backend=input.backend)
        flat = input.reshape(*lead, -1) if input.numel() else input.reshape(*lead, 0)
        out = out.scatter(len(lead), indices.reshape(flat.shape), flat).reshape(*lead, *size)
    return record_pooling(record, input, out, {"indices": indices})


def _arguments(dims: int, kernel_size: Any, stride: Any, padding: Any) -> tuple:
    kernel = ntuple(kernel_size, dims)
    return kernel, ntuple(stride, dims) if stride is not None else kernel, ntuple(padding, dims)


def max_unpool1d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of ``max_pool1d``: zeros of the unpooled length with ``input`` at
    ``indices`` along the last dim of ``(N, C, L)`` (or ``(C, L)``)."""
    kernel, stride, padding = _arguments(1, kernel_size, stride, padding)
    size = _output_size(input, kernel, stride, padding, output_size)
    out = _unpool(input.unsqueeze(-1), indices.unsqueeze(-1), [*size, 1], MAX_UNPOOL2D)
    return out.squeeze(-1)


def max_unpool2d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of ``max_pool2d``: zeros of the unpooled size with ``input`` at the
    flat spatial ``indices`` of ``(N, C, H, W)`` (or ``(C, H, W)``)."""
    kernel, stride, padding = _arguments(2, kernel_size, stride, padding)
    size = _output_size(input, kernel, stride, padding, output_size)
    return _unpool(input, indices, size, MAX_UNPOOL2D)


def max_unpool3d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of ``max_pool3d`` over ``(N, C, D, H, W)`` (or ``(C, D, H, W)``)."""
    kernel, stride, padding = _arguments(3, kernel_size, stride, padding)
    size = _output_size(input, kernel, stride, padding, output_size)
    return _unpool(input, indices, size, MAX_UNPOOL3D)

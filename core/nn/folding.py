"""``unfold`` and ``fold``: PyTorch's checks (in its order and words) around the
``Im2ColBackward0`` and ``Col2ImBackward0`` nodes of :mod:`retrograd.ops.im2col`.
Both take two spatial dims, batched or not."""

from __future__ import annotations

from typing import Any

from ..ops.helpers import check_tensor, not_implemented
from ..ops.im2col import blocks_count, col2im, im2col
from ..tensor import Tensor


def _pair(name: str, value: Any) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
        return (value[0], value[1])
    return (value, value)


def _check_positive(kernel: tuple, dilation: tuple, padding: tuple, stride: tuple) -> None:
    checks = (
        ("kernel size should be greater than zero", "kernel", kernel, 1),
        ("dilation should be greater than zero", "dilation", dilation, 1),
        ("padding should be non-negative", "pad", padding, 0),
        ("stride should be greater than zero", "stride", stride, 1),
    )
    for message, label, (h, w), least in checks:
        if h < least or w < least:
            raise RuntimeError(f"{message}, but got {label}_height: {h} {label}_width: {w}")


def _arguments(kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple:
    kernel = _pair("kernel_size", kernel_size)
    rest = (_pair("dilation", dilation), _pair("padding", padding), _pair("stride", stride))
    _check_positive(kernel, *rest)
    return (kernel, *rest)


def _check_float(op: str, input: Tensor) -> None:
    if not input.dtype.is_floating_point:
        raise not_implemented(op, input._backend, input.dtype)


def unfold(
    input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """The sliding blocks of ``(N, C, H, W)`` (or ``(C, H, W)``) as the columns of
    ``(N, C * kh * kw, L)``: ``Im2ColBackward0``."""
    check_tensor("unfold", input)
    kernel, dilation, padding, stride = _arguments(kernel_size, dilation, padding, stride)
    dims = input.dim()
    if dims < 3:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(dims, 1)}, "
            f"{max(dims, 1) - 1}], but got {dims})"
        )
    if dims > 4 or any(n == 0 for n in input.shape[-3:]):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    size = tuple(input.shape[-2:])
    blocks = blocks_count(size, kernel, dilation, padding, stride)
    if any(b < 1 for b in blocks):
        raise RuntimeError(
            f"Given input with spatial size {size}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, calculated shape of the array of sliding blocks as {blocks}, "
            "but its components must be at least one."
        )
    _check_float("im2col_out", input)
    return im2col(input, kernel, dilation, padding, stride)


def fold(
    input: Tensor,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """The columns of ``(N, C * kh * kw, L)`` (or ``(C * kh * kw, L)``) summed into
    ``(N, C, *output_size)``, the adjoint of :func:`unfold`: ``Col2ImBackward0``."""
    check_tensor("fold", input)
    size = _pair("output_size", output_size)
    kernel, dilation, padding, stride = _arguments(kernel_size, dilation, padding, stride)
    if input.dim() not in (2, 3) or any(n == 0 for n in input.shape[-2:]):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    columns, length = input.shape[-2], input.shape[-1]
    area = kernel[0] * kernel[1]
    if columns % area:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={columns} and kernel_size={kernel}."
        )
    blocks = blocks_count(size, kernel, dilation, padding, stride)
    if blocks[0] * blocks[1] != length:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension 2 to "
            f"match the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
            f"{blocks[0] * blocks[1]}, but got input.size(2)={length}."
        )
    _check_float("col2im_out", input)
    return col2im(input, size, kernel, dilation, padding, stride)

"""``conv1d``/``conv2d``/``conv3d`` and ``conv_transpose1d``/``2d``/``3d``: PyTorch's
argument handling and checks (in its order and words) around ATen's ``convolution``
(:mod:`retrograd.ops.convolution`), which records the one ``ConvolutionBackward0`` node.

As in PyTorch, an unbatched input gets a batch dim (``UnsqueezeBackward0``) that the
result loses again (``SqueezeBackward1``), and ``padding="same"`` that cannot be split
evenly pads the odd extra after the input first (a padding node), so the node itself
always sees symmetric padding.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..ops.convolution import convolution, transposed_size
from ..ops.helpers import check_tensor
from ..tensor import Tensor
from .padding import pad as pad_fn

_SPATIAL_NAMES = {1: ("width",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def _expanded(name: str, value: Any, dims: int, weight_dims: int) -> tuple:
    """``value`` as one int per spatial dim (PyTorch's list-length check and message)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
    if len(values) == 1:
        values *= weight_dims
    if len(values) != weight_dims:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {weight_dims} values "
            f"to match the convolution dimensions, but got {name}={list(values)}"
        )
    return values


def _check_input_dims(op: str, input: Any, dims: int) -> None:
    check_tensor(op, input)
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {op}, but "
            f"got input of size: {list(input.shape)}"
        )


def _check_signs(stride: tuple, padding: tuple, dilation: tuple, output_padding: tuple):
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d < 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")


def _check_shapes(input: Tensor, weight: Tensor, bias: Any, groups: int, transposed: bool):
    if weight.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
            f"0, but got weight of size [{list(weight.shape)}] instead"
        )
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if input.shape[1] != expected:
        given = f"transposed=1, weight of size {list(weight.shape)}"
        if not transposed:
            given = f"groups={groups}, weight of size {list(weight.shape)}"
        raise RuntimeError(
            f"Given {given}, expected input{list(input.shape)} to have {expected} channels, "
            f"but got {input.shape[1]} channels instead"
        )
    outputs = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != outputs):
        lead = "transposed=1, weight" if transposed else "weight"
        raise RuntimeError(
            f"Given {lead} of size {list(weight.shape)}, expected bias to be 1-dimensional "
            f"with {outputs} elements, but got bias of size {list(bias.shape)} instead"
        )


def _check_dtypes(input: Tensor, weight: Tensor, bias: Any) -> None:
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(
            f"Input type ({dtypes.kind_name(input.dtype).lower()}) and bias type "
            f"({dtypes.kind_name(bias.dtype).lower()}) should be the same"
        )
    if weight.dtype != input.dtype:
        raise RuntimeError(
            f"expected scalar type {dtypes.kind_name(input.dtype)} but found "
            f"{dtypes.kind_name(weight.dtype)}"
        )


def _check_kernel_fits(spatial: tuple, kernel: tuple, dilation: tuple) -> None:
    if any(d * (k - 1) + 1 > n for k, d, n in zip(kernel, dilation, spatial)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, spatial))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater "
            "than actual input size"
        )


def _check_output_padding(output_padding: tuple, stride: tuple, dilation: tuple) -> None:
    if all(o < s or o < d for o, s, d in zip(output_padding, stride, dilation)):
        return
    names = _SPATIAL_NAMES[len(stride)]
    parts = [
        " ".join(f"{label}_{n}: {v}" for n, v in zip(names, values))
        for label, values in (
            ("output_padding", output_padding),
            ("stride", stride),
            ("dilation", dilation),
        )
    ]
    raise RuntimeError(
        "output padding must be smaller than either stride or dilation, but got " + " ".join(parts)
    )


def same_pad_amounts(kernel: tuple, dilation: tuple) -> list[int]:
    """The ``F.pad`` amounts of ``padding="same"`` (the odd extra after the input), as
    the conv modules pad for a ``padding_mode`` other than zeros."""
    amounts: list[int] = []
    for k, d in reversed(list(zip(kernel, dilation))):
        total = d * (k - 1)
        amounts += [total // 2, total - total // 2]
    return amounts


def _same_split(kernel: tuple, dilation: tuple) -> tuple[tuple, list[int]]:
    """``padding="same"`` as PyTorch applies it: the symmetric padding each side, and the
    ``F.pad`` amounts of the odd extra (after the input), empty when there is none."""
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    extra = [p for t in reversed(totals) for p in (0, t % 2)]
    return tuple(t // 2 for t in totals), (extra if any(extra) else [])


def _string_padding(padding: str, stride: tuple, kernel: tuple, dilation: tuple):
    if padding == "valid":
        return (0,) * len(kernel), []
    if padding != "same":
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    return _same_split(kernel, dilation)


def _conv_arguments(
    op: str,
    dims: int,
    input: Any,
    weight: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> tuple:
    """``(stride, padding, dilation, extra)``, one int per spatial dim each (``extra``:
    the ``F.pad`` amounts of ``"same"``'s odd extra, or empty), checked as PyTorch does."""
    _check_input_dims(op, input, dims)
    check_tensor(op, weight, "weight")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    wdims = weight.dim() - 2
    stride = _expanded("stride", stride, dims, wdims)
    dilation = _expanded("dilation", dilation, dims, wdims)
    extra: list[int] = []
    if isinstance(padding, str):
        padding, extra = _string_padding(padding, stride, tuple(weight.shape[2:]), dilation)
    padding = _expanded("padding", padding, dims, wdims)
    _check_signs(stride, padding, dilation, (0,) * wdims)
    return stride, padding, dilation, extra


def _conv(
    op: str,
    dims: int,
    input: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> Tensor:
    args = _conv_arguments(op, dims, input, weight, stride, padding, dilation, groups)
    stride, padding, dilation, extra = args
    unbatched = input.dim() == dims + 1
    batched = input.unsqueeze(0) if unbatched else input
    _check_shapes(batched, weight, bias, groups, False)
    if extra:
        batched = pad_fn(batched, extra)
    padded = tuple(n + 2 * p for n, p in zip(batched.shape[2:], padding))
    _check_kernel_fits(padded, tuple(weight.shape[2:]), dilation)
    if any(d == 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    _check_dtypes(batched, weight, bias)
    zero = (0,) * len(stride)
    out = convolution(batched, weight, bias, stride, padding, dilation, False, zero, groups)
    return out.squeeze(0) if unbatched else out


def _check_transposed_output(spatial: tuple, size: tuple, dilation: tuple) -> None:
    if any(d == 0 for d in dilation):
        names = _SPATIAL_NAMES[len(dilation)]
        got = ", ".join(f"dilation_{n}: {d}" for n, d in zip(names, dilation))
        raise RuntimeError(f"dilation should be greater than zero, but got {got}")
    if any(n <= 0 for n in size):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, spatial))}). Calculated "
            f"output size per channel: ({' x '.join(map(str, size))}). Output size is too small"
        )


def _conv_transpose(
    op: str,
    dims: int,
    input: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: int,
    dilation: Any,
) -> Tensor:
    _check_input_dims(op, input, dims)
    check_tensor(op, weight, "weight")
    if isinstance(padding, str):
        raise TypeError(f"{op}(): argument 'padding' must be tuple of ints, not str")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    wdims = weight.dim() - 2
    args = [("stride", stride), ("padding", padding), ("dilation", dilation)]
    stride, padding, dilation = (_expanded(n, v, dims, wdims) for n, v in args)
    output_padding = _expanded("output_padding", output_padding, dims, wdims)
    _check_signs(stride, padding, dilation, output_padding)
    unbatched = input.dim() == dims + 1
    batched = input.unsqueeze(0) if unbatched else input
    _check_shapes(batched, weight, bias, groups, True)
    _check_output_padding(output_padding, stride, dilation)
    spatial, kernel = tuple(batched.shape[2:]), tuple(weight.shape[2:])
    size = transposed_size(spatial, kernel, stride, padding, output_padding, dilation)
    _check_transposed_output(spatial, size, dilation)
    _check_dtypes(batched, weight, bias)
    args = (stride, padding, dilation, True, output_padding, groups)
    out = convolution(batched, weight, bias, *args)
    return out.squeeze(0) if unbatched else out


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-d cross-correlation of ``(N, C, L)`` (or ``(C, L)``) with ``(O, C/groups, k)``;
    ``padding`` an int, a tuple, ``"valid"`` or ``"same"``."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-d cross-correlation of ``(N, C, H, W)`` (or ``(C, H, W)``) with
    ``(O, C/groups, kh, kw)``."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-d cross-correlation of ``(N, C, D, H, W)`` (or ``(C, D, H, W)``) with
    ``(O, C/groups, kd, kh, kw)``."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The transposed 1-d convolution ("deconvolution") of ``(N, C, L)`` (or ``(C, L)``)
    with ``(C, O/groups, k)``: the gradient of ``conv1d`` w.r.t. its input."""
    args = (stride, padding, output_padding, groups, dilation)
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, *args)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The transposed 2-d convolution of ``(N, C, H, W)`` with ``(C, O/groups, kh, kw)``."""
    args = (stride, padding, output_padding, groups, dilation)
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, *args)


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The transposed 3-d convolution of ``(N, C, D, H, W)`` with
    ``(C, O/groups, kd, kh, kw)``."""
    args = (stride, padding, output_padding, groups, dilation)
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, *args)

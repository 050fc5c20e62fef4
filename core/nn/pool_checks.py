"""PyTorch's checks of pooling arguments, in its order and with its words.

Its 1-d average pooling (and 1-d max pooling with indices) is its 2-d pooling of the
input with a height of 1, so those report 2-d sizes; plain ``max_pool1d`` has checks of
its own."""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .windows import out_size


def _cdiv(a: int, b: int) -> int:
    """``a / b`` rounded toward zero, as C++ divides integers."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def sizes(value: Any, n: int, message: str) -> tuple:
    """An int, or a sequence of 1 or ``n`` ints, as ``n`` ints; else ``message``."""
    if not isinstance(value, (tuple, list)):
        return (value,) * n
    if len(value) not in (1, n):
        raise RuntimeError(message)
    return tuple(value) * (n // len(value))


def one(op: str, name: str, value: Any) -> int:
    """PyTorch's ``check1d``: the one int of a 1-d pooling argument."""
    if not isinstance(value, (tuple, list)):
        return value
    if len(value) != 1:
        raise RuntimeError(f"{op}() argument '{name}' should contain one int (got {len(value)})")
    return value[0]


def dims_error(op: str, input: Tensor) -> RuntimeError:
    return RuntimeError(
        f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument #1 "
        f"'self' (while checking arguments for {op})"
    )


def _length(size: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """PyTorch's pooling output length, with the checks it makes computing it."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > _cdiv(d * (k - 1) + 1, 2):
        raise RuntimeError(
            "pad should be at most half of effective kernel size, but got "
            f"pad={p}, kernel_size={k} and dilation={d}"
        )
    return out_size(size, k, s, p, d, ceil)


def check_2d(
    shape: tuple, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple, ceil: bool
) -> None:
    """PyTorch's checks of a 2-d pooling of an input of ``shape`` (``(C, H, W)`` or
    ``(N, C, H, W)``): output lengths, then kernel, stride, dilation, input and sizes."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    out_h = _length(shape[-2], kh, sh, ph, dh, ceil)
    out_w = _length(shape[-1], kw, sw, pw, dw, ceil)
    if kw <= 0 or kh <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kh} kW: {kw}")
    if sw <= 0 or sh <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {sh} dW: {sw}")
    if dw <= 0 or dh <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationH: {dh} dilationW: {dw}"
        )
    if len(shape) not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{list(shape)}"
        )
    if pw > kw // 2 or ph > kh // 2:
        raise RuntimeError(
            "pad should be smaller than or equal to half of kernel size, but got "
            f"padW = {pw}, padH = {ph}, kW = {kw}, kH = {kh}"
        )
    if out_w < 1 or out_h < 1:
        c, h, w = shape[-3:]
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{out_h}x{out_w}). "
            "Output size is too small"
        )


_MAX_POOL1D_SIZES = {  # PyTorch's words for each argument of max_pool1d
    "kernel_size": "must be an int, list of ints or tuple of ints",
    "stride": "must be None, an int, list of ints, or tuple of ints",
    "padding": "must be an int, list of ints, or tuple of ints",
    "dilation": "must be an int, list of ints or tuple of ints",
}


def _max_pool1d_int(name: str, value: Any) -> int:
    if not isinstance(value, (tuple, list)):
        return value
    if len(value) != 1:
        words = _MAX_POOL1D_SIZES[name]
        raise RuntimeError(f"max_pool1d() {name} {words} of size 1 but got size {len(value)}")
    return value[0]


def check_max_pool1d(
    input: Tensor, kernel: Any, stride: Any, padding: Any, dilation: Any, ceil: bool
) -> tuple:
    """PyTorch's checks of ``max_pool1d`` without indices; the checked ints."""
    if input.dim() not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{list(input.shape)}"
        )
    k = _max_pool1d_int("kernel_size", kernel)
    s = k if stride is None or stride in ([], ()) else _max_pool1d_int("stride", stride)
    p, d = _max_pool1d_int("padding", padding), _max_pool1d_int("dilation", dilation)
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(
            "max_pool1d() padding should be at most half of kernel size, but got "
            f"padding={p} and kernel_size={k}"
        )
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    out = out_size(input.shape[-1], k, s, p, d, ceil)
    if out <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    if not input.dtype.is_floating_point:
        kind = dtypes.kind_name(input.dtype)
        raise NotImplementedError(f"\"max_pool1d_impl\" not implemented for '{kind}'")
    return k, s, p, d


def pool2d_arguments(op: str, kernel: Any, stride: Any, padding: Any) -> tuple:
    """Kernel, stride and padding of a 2-d pooling, checked as PyTorch checks them."""
    k = sizes(kernel, 2, f"{op}: kernel_size must either be a single int, or a tuple of two ints")
    omitted = stride is None or stride in ([], ())
    s = (
        k
        if omitted
        else sizes(
            stride, 2, f"{op}: stride must either be omitted, a single int, or a tuple of two ints"
        )
    )
    p = sizes(padding, 2, f"{op}: padding must either be a single int, or a tuple of two ints")
    return k, s, p


def pool1d_arguments(op: str, input: Tensor, kernel: Any, stride: Any, padding: Any) -> tuple:
    """A 1-d pooling PyTorch runs as a 2-d one: its dims and ``check1d`` arguments."""
    if input.dim() not in (2, 3):
        raise dims_error(op, input)
    k = one(op, "kernel_size", kernel)
    s = k if stride is None or stride in ([], ()) else one(op, "stride", stride)
    return k, s, one(op, "padding", padding)


def pool3d_arguments(op: str, kernel: Any, stride: Any, padding: Any, words: str) -> tuple:
    """Kernel, stride and padding of a 3-d pooling; ``words`` says what a kernel size
    "must" be in ``op``'s message (its two 3-d ops word it differently)."""
    k = sizes(kernel, 3, f"{op}: kernel_size {words} a single int, or a tuple of three ints")
    omitted = stride is None or stride in ([], ())
    message = f"{op}: stride must either be omitted, a single int, or a tuple of three ints"
    s = k if omitted else sizes(stride, 3, message)
    p = sizes(padding, 3, f"{op}: padding must either be a single int, or a tuple of three ints")
    return k, s, p


def check_3d(
    input: Tensor, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple, ceil: bool
) -> tuple:
    """PyTorch's checks of a 3-d max pooling of ``input``; the output sizes."""
    if input.dim() not in (4, 5) or 0 in input.shape[-4:]:
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    shape = tuple(input.shape)
    out = tuple(
        _length(n, k, s, p, d, ceil)
        for n, k, s, p, d in zip(shape[-3:], kernel, stride, padding, dilation)
    )
    if any(o < 1 for o in out):
        sizes_in, sizes_out = "x".join(map(str, shape[-4:])), "x".join(map(str, out))
        raise RuntimeError(
            f"Given input size: ({sizes_in}). Calculated output size: "
            f"({shape[-4]}x{sizes_out}). Output size is too small"
        )
    return out


def check_avg_3d(input: Tensor, kernel: tuple, stride: tuple, padding: tuple, ceil: bool) -> None:
    """PyTorch's checks of a 3-d average pooling of ``input``."""
    if input.dim() not in (4, 5) or 0 in input.shape[-4:]:
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    for n, k, s, p in zip(input.shape[-3:], kernel, stride, padding):
        _length(n, k, s, p, 1, ceil)
    t, h, w = input.shape[-3:]
    if any(n < k for n, k in zip((t, h, w), kernel)):
        kt, kh, kw = kernel
        raise RuntimeError(
            f"input image (T: {t} H: {h} W: {w}) smaller than kernel size "
            f"(kT: {kt} kH: {kh} kW: {kw})"
        )

"""``max_pool1d/2d`` and ``avg_pool1d/2d`` over sliding windows. Max pooling takes each
window's first maximum (so ties send the gradient where PyTorch sends it).

Arguments are checked as PyTorch checks them, in its order and with its words: its 1-d
average pooling (and 1-d max pooling with indices) is its 2-d pooling of the input with a
height of 1, so those report 2-d sizes; plain ``max_pool1d`` has checks of its own."""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..creation import arange, tensor
from ..ops.im2col import windows
from ..ops.joining import cat
from ..tensor import Tensor
from .padding import pad as pad_fn
from .windows import ntuple, out_size


def _cdiv(a: int, b: int) -> int:
    """``a / b`` rounded toward zero, as C++ divides integers."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _sizes(value: Any, n: int, message: str) -> tuple:
    """An int, or a sequence of 1 or ``n`` ints, as ``n`` ints; else ``message``."""
    if not isinstance(value, (tuple, list)):
        return (value,) * n
    if len(value) not in (1, n):
        raise RuntimeError(message)
    return tuple(value) * (n // len(value))


def _one(op: str, name: str, value: Any) -> int:
    """PyTorch's ``check1d``: the one int of a 1-d pooling argument."""
    if not isinstance(value, (tuple, list)):
        return value
    if len(value) != 1:
        raise RuntimeError(f"{op}() argument '{name}' should contain one int (got {len(value)})")
    return value[0]


def _dims_error(op: str, input: Tensor) -> RuntimeError:
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


def _check_2d(
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


def _check_max_pool1d(
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


class _Geometry:
    """Kernel, stride, padding, dilation and output sizes of one pooling call."""

    def __init__(
        self,
        input: Tensor,
        dims: int,
        kernel: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        ceil: bool,
    ) -> None:
        self.kernel = ntuple(kernel, dims)
        self.stride = ntuple(self.kernel if stride is None or stride == [] else stride, dims)
        self.padding, self.dilation = ntuple(padding, dims), ntuple(dilation, dims)
        self.size = tuple(input.shape[2:])
        self.out = tuple(
            out_size(n, k, s, p, d, ceil)
            for n, k, s, p, d in zip(
                self.size, self.kernel, self.stride, self.padding, self.dilation
            )
        )

    def padded(self, x: Tensor, value: float) -> Tensor:
        """``x`` padded by ``padding`` on each side, plus what ceil mode's last window needs."""
        amounts: list[int] = []
        for n, k, s, p, d, o in reversed(
            list(zip(self.size, self.kernel, self.stride, self.padding, self.dilation, self.out))
        ):
            extra = max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p))
            amounts += [p, p + extra]
        return pad_fn(x, amounts, value=value) if any(amounts) else x

    def tiles(self) -> bool:
        """True when the windows tile the input exactly: stride = kernel, no padding,
        no dilation, nothing left over."""
        exact = all(o * k == n for o, k, n in zip(self.out, self.kernel, self.size))
        plain = not any(self.padding) and all(d == 1 for d in self.dilation)
        return plain and exact and self.stride == self.kernel

    def windows(self, x: Tensor, value: float) -> tuple[Tensor, int]:
        """The windows and the dim that runs over each window's elements (in the
        kernel's row-major order): ``(N, C, K, *out)`` and 2 in general; for windows
        that tile the input, ``(N, C, *out, K)`` and -1, by one reshape and permute
        (speed: three ops where the general form takes one slice per kernel offset)."""
        if not self.tiles():
            padded = self.padded(x, value)
            return windows(padded, self.kernel, self.stride, self.dilation, self.out), 2
        dims = len(self.kernel)
        split = [d for o, k in zip(self.out, self.kernel) for d in (o, k)]
        order = [0, 1, *(2 + 2 * i for i in range(dims)), *(3 + 2 * i for i in range(dims))]
        tiles = x.reshape(*x.shape[:2], *split).permute(*order)
        return tiles.reshape(*x.shape[:2], *self.out, math.prod(self.kernel)), -1


def _batched(input: Tensor, dims: int) -> tuple[Tensor, bool]:
    """``input`` with a batch dim (added for an unbatched one) and whether it was added."""
    unbatched = input.dim() == dims + 1
    return (input.unsqueeze(0) if unbatched else input), unbatched


def _flat_indices(g: _Geometry, picked: Tensor) -> Tensor:
    """The flat input index (over the spatial dims) of each window's chosen element."""
    flat, rest = None, picked
    for axis in reversed(range(len(g.kernel))):
        k, s, p, d, o = (
            g.kernel[axis],
            g.stride[axis],
            g.padding[axis],
            g.dilation[axis],
            g.out[axis],
        )
        offset, rest = rest % k, rest // k
        shape = [1] * (len(g.kernel) + 2)
        shape[2 + axis] = o
        position = arange(o, backend=picked.backend).reshape(shape) * s - p + offset * d
        flat = position if flat is None else position * _stride_of(g, axis) + flat
    return flat


def _stride_of(g: _Geometry, axis: int) -> int:
    n = 1
    for size in g.size[axis + 1 :]:
        n *= size
    return n


def _max_pool(
    input: Tensor,
    kernel: tuple,
    stride: tuple,
    padding: tuple,
    dilation: tuple,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    """Max pooling over the last ``len(kernel)`` dims of checked arguments."""
    dims = len(kernel)
    x, unbatched = _batched(input, dims)
    g = _Geometry(x, dims, kernel, stride, padding, dilation, ceil_mode)
    found, dim = g.windows(x, float("-inf"))
    values, picked = found.max(dim=dim)
    if unbatched:
        values = values.squeeze(0)
    if not return_indices:
        return values
    indices = _flat_indices(g, picked)
    return values, indices.squeeze(0) if unbatched else indices


def _pool2d_arguments(op: str, kernel: Any, stride: Any, padding: Any) -> tuple:
    """Kernel, stride and padding of a 2-d pooling, checked as PyTorch checks them."""
    k = _sizes(kernel, 2, f"{op}: kernel_size must either be a single int, or a tuple of two ints")
    omitted = stride is None or stride in ([], ())
    s = (
        k
        if omitted
        else _sizes(
            stride, 2, f"{op}: stride must either be omitted, a single int, or a tuple of two ints"
        )
    )
    p = _sizes(padding, 2, f"{op}: padding must either be a single int, or a tuple of two ints")
    return k, s, p


def _pool1d_arguments(op: str, input: Tensor, kernel: Any, stride: Any, padding: Any) -> tuple:
    """A 1-d pooling PyTorch runs as a 2-d one: its dims and ``check1d`` arguments."""
    if input.dim() not in (2, 3):
        raise _dims_error(op, input)
    k = _one(op, "kernel_size", kernel)
    s = k if stride is None or stride in ([], ()) else _one(op, "stride", stride)
    return k, s, _one(op, "padding", padding)


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window of ``(N, C, L)``."""
    if return_indices:  # PyTorch's 2-d pooling of the input with a height of 1
        k, s, p = _pool1d_arguments("max_pool1d", input, kernel_size, stride, padding)
        d = _one("max_pool1d", "dilation", dilation)
        shape = (*input.shape[:-1], 1, input.shape[-1])
        _check_2d(shape, (1, k), (1, s), (0, p), (1, d), ceil_mode)
    else:
        k, s, p, d = _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool(input, (k,), (s,), (p,), (d,), ceil_mode, return_indices)


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window of ``(N, C, H, W)``; padding counts as ``-inf``."""
    k, s, p = _pool2d_arguments("max_pool2d", kernel_size, stride, padding)
    message = "max_pool2d: dilation must be either a single int, or a tuple of two ints"
    d = _sizes(dilation, 2, message)
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    _check_2d(tuple(input.shape), k, s, p, d, ceil_mode)
    return _max_pool(input, k, s, p, d, ceil_mode, return_indices)


def _divisor(g: _Geometry, include_pad: bool, backend: Any, dtype: Any) -> Tensor:
    """Per output position: the window's size, clipped to the padded input (or, without
    ``include_pad``, to the input itself), as PyTorch divides."""
    total = None
    for axis, (n, k, s, p, o) in enumerate(zip(g.size, g.kernel, g.stride, g.padding, g.out)):
        counts = []
        for i in range(o):
            start = i * s - p
            end = min(start + k, n + p)
            counts.append(end - start if include_pad else min(end, n) - max(start, 0))
        shape = [1] * len(g.size)
        shape[axis] = o
        t = tensor(counts, dtype=dtype, backend=backend).reshape(shape)
        total = t if total is None else total * t
    return total


def _avg_pool(
    input: Tensor,
    kernel: tuple,
    stride: tuple,
    padding: tuple,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Any,
) -> Tensor:
    """Average pooling over the last ``len(kernel)`` dims of checked arguments; integer
    inputs divide rounding toward zero, as PyTorch's."""
    dims = len(kernel)
    x, unbatched = _batched(input, dims)
    g = _Geometry(x, dims, kernel, stride, padding, 1, ceil_mode)
    found, dim = g.windows(x, 0.0)
    sums = found.sum(dim)
    divisor = divisor_override or _divisor(g, count_include_pad, x.backend, x.dtype)
    out = sums / divisor if x.dtype.is_floating_point else sums.div(divisor, rounding_mode="trunc")
    return out.squeeze(0) if unbatched else out


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean of each window of ``(N, C, L)``."""
    k, s, p = _pool1d_arguments("avg_pool1d", input, kernel_size, stride, padding)
    shape = (*input.shape[:-1], 1, input.shape[-1])  # PyTorch's 2-d pooling, height 1
    _check_2d(shape, (1, k), (1, s), (0, p), (1, 1), ceil_mode)
    return _avg_pool(input, (k,), (s,), (p,), ceil_mode, count_include_pad, None)


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
) -> Tensor:
    """The mean of each window of ``(N, C, H, W)`` (zero padding counted unless
    ``count_include_pad=False``)."""
    k, s, p = _pool2d_arguments("avg_pool2d", kernel_size, stride, padding)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if input.dim() < 3:  # PyTorch reads the sizes at dims -3, -2 and -1
        if input.dim() == 0:
            raise IndexError("Dimension specified as -3 but tensor has no dimensions")
        n = input.dim()
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got -3)"
        )
    _check_2d(tuple(input.shape), k, s, p, (1, 1), ceil_mode)
    return _avg_pool(input, k, s, p, ceil_mode, count_include_pad, divisor_override)


def _adaptive_bounds(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive windows: output ``i`` averages ``[floor(i * size / out),
    ceil((i + 1) * size / out))``."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _adaptive_avg(input: Tensor, sizes: tuple) -> Tensor:
    """Separable adaptive means over the last ``len(sizes)`` dims (``None``: keep)."""
    out = input
    for axis, want in enumerate(sizes):
        dim = input.dim() - len(sizes) + axis
        if want is None or want == out.shape[dim]:
            continue
        if want == 0:
            out = out.narrow(dim, 0, 0)
            continue
        pieces = [
            out.narrow(dim, a, b - a).mean(dim, keepdim=True)
            for a, b in _adaptive_bounds(out.shape[dim], want)
        ]
        out = cat(pieces, dim)
    return out


def _check_adaptive_2d(shape: tuple, sizes: tuple, dtype: Any) -> None:
    """PyTorch's checks of an adaptive 2-d pooling (other than to one position)."""
    if len(shape) not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(shape)}"
        )
    for dim in (len(shape) - 2, len(shape) - 1):
        if shape[dim] == 0:
            raise RuntimeError(
                "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(shape)} with dimension {dim} being empty"
            )
    if not dtype.is_floating_point:
        kind = dtypes.kind_name(dtype)
        raise NotImplementedError(f"\"adaptive_avg_pool2d\" not implemented for '{kind}'")


def _check_output_sizes(sizes: tuple) -> None:
    if any(n is not None and n < 0 for n in sizes):
        raise RuntimeError(
            "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 "
            f"but received {{{', '.join(map(str, sizes))}}}"
        )


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over adaptive windows giving ``output_size`` positions along the last dim
    (checked as PyTorch's 2-d pooling of the input with a height of 1)."""
    if input.dim() not in (2, 3):
        raise _dims_error("adaptive_avg_pool1d", input)
    if output_size is None:
        raise TypeError(
            "adaptive_avg_pool1d(): argument 'output_size' (position 2) must be tuple of ints, "
            "not NoneType"
        )
    size = _one("adaptive_avg_pool1d", "output_size", output_size)
    _check_output_sizes((1, size))
    if size == 1:  # as PyTorch records it: a mean of the input with a height of 1
        return input.unsqueeze(-2).mean((-1, -2), keepdim=True).squeeze(-2)
    _check_adaptive_2d((*input.shape[:-1], 1, input.shape[-1]), (1, size), input.dtype)
    return _adaptive_avg(input, (size,))


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over adaptive windows giving ``output_size`` (``None`` keeps a size) over
    the last two dims; windows are separable, so each dim is pooled in turn. To one
    position it is a mean over those dims, as PyTorch's (any number of leading dims)."""
    if isinstance(output_size, (tuple, list)):
        if input.dim() <= len(output_size):
            raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
        sizes = tuple(input.shape[-len(output_size) :])
        sizes = tuple(d if n is None else n for n, d in zip(output_size, sizes))
    else:
        sizes = (output_size, output_size)
    if len(sizes) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    _check_output_sizes(sizes)
    if sizes == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    _check_adaptive_2d(tuple(input.shape), sizes, input.dtype)
    return _adaptive_avg(input, sizes)

"""``max_pool1d/2d`` and ``avg_pool1d/2d`` over sliding windows. Max pooling takes each
window's first maximum (so ties send the gradient where PyTorch sends it)."""

from __future__ import annotations

from typing import Any

from ..creation import arange, tensor
from ..ops.joining import cat
from ..tensor import Tensor
from .padding import pad as pad_fn
from .windows import ntuple, out_size, windows


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
        for p, k, d in zip(self.padding, self.kernel, self.dilation):
            if p > (d * (k - 1) + 1) // 2:
                raise RuntimeError(
                    "pad should be at most half of effective kernel size, but got "
                    f"pad={p}, kernel_size={k} and dilation={d}"
                )
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
        return tiles.reshape(*x.shape[:2], *self.out, -1), -1


def _batched(name: str, input: Tensor, dims: int) -> tuple[Tensor, bool]:
    if input.dim() not in (dims + 1, dims + 2) or input.numel() == 0:
        if dims == 2:
            raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
        raise RuntimeError(
            f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{list(input.shape)}"
        )
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
    name: str,
    dims: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    x, unbatched = _batched(name, input, dims)
    g = _Geometry(x, dims, kernel_size, stride, padding, dilation, ceil_mode)
    found, dim = g.windows(x, float("-inf"))
    values, picked = found.max(dim=dim)
    if unbatched:
        values = values.squeeze(0)
    if not return_indices:
        return values
    indices = _flat_indices(g, picked)
    return values, indices.squeeze(0) if unbatched else indices


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
    return _max_pool(
        "max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


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
    return _max_pool(
        "max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


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
    name: str,
    dims: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Any,
) -> Tensor:
    x, unbatched = _batched(name, input, dims)
    g = _Geometry(x, dims, kernel_size, stride, padding, 1, ceil_mode)
    found, dim = g.windows(x, 0.0)
    sums = found.sum(dim)
    if divisor_override:
        out = sums / divisor_override
    else:
        out = sums / _divisor(g, count_include_pad, x.backend, x.dtype)
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
    return _avg_pool(
        "avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None
    )


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
    return _avg_pool(
        "avg_pool2d",
        2,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def _adaptive_bounds(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive windows: output ``i`` averages ``[floor(i * size / out),
    ceil((i + 1) * size / out))``."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _adaptive_avg(input: Tensor, output_size: Any, dims: int) -> Tensor:
    sizes = ntuple(output_size, dims)
    out = input
    for axis, want in enumerate(sizes):
        dim = input.dim() - dims + axis
        if want is None or want == out.shape[dim]:
            continue
        pieces = [out.narrow(dim, a, b - a).mean(dim, keepdim=True)
                  for a, b in _adaptive_bounds(out.shape[dim], want)]  # fmt: skip
        out = cat(pieces, dim)
    return out


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over adaptive windows giving ``output_size`` positions along the last dim."""
    return _adaptive_avg(input, output_size, 1)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over adaptive windows giving ``output_size`` (``None`` keeps a size) over
    the last two dims; windows are separable, so each dim is pooled in turn."""
    return _adaptive_avg(input, output_size, 2)

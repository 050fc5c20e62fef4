"""``F.fractional_max_pool2d/3d`` (and their ``_with_indices`` names): max pooling over
pseudo-random windows of a fixed size whose starts step by ``(in - k) / (out - 1)`` on
average, as Graham's fractional max pooling draws them, each one node
(:mod:`retrograd.ops.fractional_pooling`).

Per sample and channel, ``_random_samples`` (``(N, C, dims)`` in ``[0, 1)``; drawn from
the generator when not given) sets the windows: along an axis of size ``n`` pooled by
``k`` to ``o`` outputs with sample ``u``, window ``i < o - 1`` starts at
``int((i + u) a) - int(u a)`` with ``a = (n - k) / (o - 1)`` computed in the input's
dtype, as PyTorch's kernel does, and the last at ``n - k``. A 2-d sample's first entry
sets the width, the second the height; a 3-d one's are time, height, width. Within a
window the element picked is PyTorch's: the last NaN, else the first maximum
(row-major)."""

from __future__ import annotations

import itertools
import math
import struct
from typing import Any

from .. import dtypes
from ..creation import tensor
from ..grad_mode import no_grad
from ..ops.fractional_pooling import (
    FRACTIONAL_MAX_POOL2D,
    FRACTIONAL_MAX_POOL3D,
    record_fractional,
)
from ..ops.joining import stack
from ..random import rand
from ..tensor import Tensor
from .pooling import pick_max
from .windows import ntuple

_AXES = ("width", "height", "time")  # PyTorch's names of the axes, last first


def window_starts(sample: float, size: int, out: int, kernel: int, dtype: Any) -> list[int]:
    """The start of each of the ``out`` windows along an axis (PyTorch's intervals,
    computed in ``dtype``: float32 rounds as its kernel does)."""
    real = _float32 if dtype is dtypes.float32 else float
    starts = []
    if out > 1:
        alpha = real(real(size - kernel) / real(out - 1))
        u = real(sample)
        starts = [int(real(real(i + u) * alpha)) - int(real(u * alpha)) for i in range(out - 1)]
    return [*starts, size - kernel]


def _float32(x: float) -> float:
    """``x`` rounded to the nearest float32. One float32 operation computed in float64
    and rounded so is exactly the float32 operation (float64 has more than twice the bits)."""
    return struct.unpack("f", struct.pack("f", x))[0]


def _sizes(op: str, input: Tensor, dims: int, kernel: tuple, output_size: Any,
           output_ratio: Any) -> tuple:  # fmt: skip
    """The output size, from ``output_size`` or ``output_ratio`` (PyTorch's checks)."""
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is not None:
        return ntuple(output_size, dims)
    if len(output_ratio) > dims:
        raise ValueError(f"{op} requires output_ratio to either be a single Int or tuple of Ints.")
    ratio = ntuple(output_ratio, dims)
    return tuple(int(n * r) for n, r in zip(input.shape[-dims:], ratio))


def _check(op: str, input: Tensor, kernel: tuple, out: tuple, samples: Tensor) -> None:
    """PyTorch's checks, in its order: the input's dims, the windows' fit, then the
    samples' shape."""
    dims = len(kernel)
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(
            f"{op}(): Expected {dims + 1}D or {dims + 2}D tensor, but got: {list(input.shape)}"
        )
    sizes = input.shape[-dims:]
    for i in range(dims):
        # PyTorch's 3-d kernel wants a strictly smaller span than its 2-d one
        reach = out[i] + kernel[i] - 1 + (dims == 3)
        if reach > sizes[i]:
            name = _AXES[dims - 1 - i]
            raise RuntimeError(
                f"{op}(): pool {name} {kernel[i]} too large relative to input {name} {sizes[i]}"
            )
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    batch = 1 if input.dim() == dims + 1 else input.shape[0]
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != input.shape[-dims - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != dims:
        raise RuntimeError(
            f"Expect _random_samples.size(2) equals to {dims}; got {samples.shape[2]}."
        )


def _fractional_max(op: str, record: Any, input: Tensor, kernel_size: Any, output_size: Any,
                    output_ratio: Any, samples: Any) -> tuple:  # fmt: skip
    dims = 2 if record is FRACTIONAL_MAX_POOL2D else 3
    kernel = ntuple(kernel_size, dims)
    out = _sizes(op, input, dims, kernel, output_size, output_ratio)
    unbatched = input.dim() == dims + 1
    batch = 1 if unbatched else input.shape[0]
    if samples is None:
        samples = rand(batch, input.shape[-dims - 1], dims, dtype=input.dtype,
                       backend=input.backend)  # fmt: skip
    _check(op if dims == 2 else f"{op}_out", input, kernel, out, samples)
    with no_grad():
        x = input.unsqueeze(0) if unbatched else input
        n, c, spatial = x.shape[0], x.shape[1], tuple(x.shape[2:])
        drawn = samples[:n].tolist()  # a batch may come with more samples than it needs
        # per plane and axis: the window starts (a 2-d sample's entries run width first,
        # a 3-d one's time first, as PyTorch's kernels read them)
        order = [1, 0] if dims == 2 else [0, 1, 2]
        starts = [[[window_starts(plane[order[a]], spatial[a], out[a], kernel[a],
                                  input.dtype) for a in range(dims)]
                   for plane in row] for row in drawn]  # fmt: skip
        strides = [math.prod(spatial[a + 1 :]) for a in range(dims)]
        flat_x = x.reshape(n, c, math.prod(spatial))
        positions, views = [], []
        for offset in itertools.product(*(range(k) for k in kernel)):
            grids = None
            for a in range(dims):
                shape = [1] * dims
                shape[a] = out[a]
                axis = tensor([[[s + offset[a] for s in plane[a]] for plane in row]
                               for row in starts], dtype=dtypes.int64,
                              backend=input.backend).reshape(n, c, *shape)  # fmt: skip
                grids = axis * strides[a] if grids is None else grids + axis * strides[a]
            flat = grids.expand(n, c, *out).reshape(n, c, -1)
            positions.append(flat)
            views.append(flat_x.gather(2, flat))
        values, picked = pick_max(views)
        indices = stack(positions).gather(0, picked.unsqueeze(0)).squeeze(0)
        values, indices = values.reshape(n, c, *out), indices.reshape(n, c, *out)
        if unbatched:
            values, indices = values.squeeze(0), indices.squeeze(0)
    return record_fractional(record, input, values, indices), indices


def fractional_max_pool2d(
    input: Tensor,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> Any:
    """Fractional max pooling of ``(N, C, H, W)`` (or ``(C, H, W)``) to ``output_size``
    or ``output_ratio`` of the input's size, by ``kernel_size`` windows."""
    out = _fractional_max("fractional_max_pool2d", FRACTIONAL_MAX_POOL2D, input, kernel_size,
                          output_size, output_ratio, _random_samples)  # fmt: skip
    return out if return_indices else out[0]


def fractional_max_pool3d(
    input: Tensor,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> Any:
    """Fractional max pooling of ``(N, C, T, H, W)`` (or ``(C, T, H, W)``)."""
    out = _fractional_max("fractional_max_pool3d", FRACTIONAL_MAX_POOL3D, input, kernel_size,
                          output_size, output_ratio, _random_samples)  # fmt: skip
    return out if return_indices else out[0]


def fractional_max_pool2d_with_indices(
    input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
    return_indices: bool = False, _random_samples: Tensor | None = None,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    """:func:`fractional_max_pool2d`'s values and indices, always both."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)  # fmt: skip


def fractional_max_pool3d_with_indices(
    input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
    return_indices: bool = False, _random_samples: Tensor | None = None,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    """:func:`fractional_max_pool3d`'s values and indices, always both."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)  # fmt: skip

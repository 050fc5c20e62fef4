"""Sliding blocks and their sum back into an image: ``im2col`` and ``col2im``, PyTorch's
``Im2ColBackward0`` and ``Col2ImBackward0`` nodes (``F.unfold`` and ``F.fold``), and the
two halves every convolution is built from here.

``im2col`` zero-pads ``(N, C, *spatial)`` (or unbatched ``(C, *spatial)``) and lays each
block of ``K = prod(kernel)`` elements (dilated, strided) out as one column:
``(N, C * K, L)``, channel-major, for ``L`` blocks in row-major order. ``col2im`` is its
adjoint: it adds every column back where its block came from, then crops the padding.
Each is the other's gradient, so both are differentiable to any order. Any number of
spatial dims works (``F.unfold`` and ``F.fold`` take two; convolution takes one to three).

The forwards are computed with retrograd's own ops (grad mode off): strided slices,
stacked, for the blocks; shifted slices of the spread columns, added, for their sum. So
every backend runs them with the kernels it has.
"""

from __future__ import annotations

import itertools
import math

from ..creation import zeros
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .joining import stack
from .record import SHAPE, OpRecord


def blocks_count(size: tuple, kernel: tuple, dilation: tuple, padding: tuple, stride: tuple):
    """The number of blocks along each spatial dim (may be below one: callers check)."""
    return tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, d, p, s in zip(size, kernel, dilation, padding, stride)
    )


def _block_slices(offset: tuple, dilation: tuple, stride: tuple, blocks: tuple) -> tuple:
    """The positions, one strided slice per spatial dim, that kernel element ``offset``
    takes in each of the ``blocks`` blocks."""
    return tuple(
        slice(o * d, o * d + s * (b - 1) + 1, s)
        for o, d, s, b in zip(offset, dilation, stride, blocks)
    )


def _offsets(kernel: tuple):
    return itertools.product(*(range(k) for k in kernel))


def windows(x: Tensor, kernel: tuple, stride: tuple, dilation: tuple, out: tuple) -> Tensor:
    """``(N, C, K, *out)``: for each kernel offset (row-major order, K of them), the
    input strided by ``stride`` from that offset. ``x`` is already padded."""
    lead = (slice(None), slice(None))
    views = [x[lead + _block_slices(o, dilation, stride, out)] for o in _offsets(kernel)]
    return stack(views, 2)


def zero_padded(x: Tensor, padding: tuple) -> Tensor:
    """``x`` with ``padding[i]`` zeros before and after each of its last spatial dims
    (grad mode off: a forward helper)."""
    if not any(padding):
        return x
    lead = x.dim() - len(padding)
    sizes = tuple(n + 2 * p for n, p in zip(x.shape[lead:], padding))
    out = zeros((*x.shape[:lead], *sizes), dtype=x.dtype, backend=x.backend)
    out[(Ellipsis, *(slice(p, p + n) for n, p in zip(x.shape[lead:], padding)))] = x
    return out


def columns(x: Tensor, kernel: tuple, dilation: tuple, padding: tuple, stride: tuple) -> Tensor:
    """im2col's forward on a batched ``x`` (grad mode off): ``(N, C * K, L)``."""
    spatial = tuple(x.shape[2:])
    blocks = blocks_count(spatial, kernel, dilation, padding, stride)
    cols = windows(zero_padded(x, padding), kernel, stride, dilation, blocks)
    # Sizes spelled out: an empty batch leaves no -1 to infer.
    return cols.reshape(x.shape[0], x.shape[1] * math.prod(kernel), math.prod(blocks))


def summed_blocks(
    cols: Tensor,
    blocks: tuple,
    size: tuple,
    kernel: tuple,
    dilation: tuple,
    padding: tuple,
    stride: tuple,
) -> Tensor:
    """col2im's forward on batched ``(N, C * K, prod(blocks))`` columns (grad mode off):
    ``(N, C, *size)``. ``blocks`` is explicit because a transposed convolution's output
    padding can leave room for more blocks than it has.

    The columns are spread once (``stride - 1`` zeros between blocks) into a zero array
    with room for every kernel offset's shift; each offset's contribution is then a
    shifted slice of it, and the result their sum. No write overlaps another (a lazy
    backend computes overlapping in-place additions in no fixed order)."""
    n, k = cols.shape[0], math.prod(kernel)
    grid = cols.reshape(n, cols.shape[1] // k, k, *blocks)
    reach = tuple(d * (q - 1) for q, d in zip(kernel, dilation))  # the farthest offset
    room = tuple(r + s + 2 * p for r, s, p in zip(reach, size, padding))
    spread = zeros((*grid.shape[:3], *room), dtype=cols.dtype, backend=cols.backend)
    lead = (slice(None), slice(None))
    placed = tuple(slice(r, r + st * (b - 1) + 1, st) for r, st, b in zip(reach, stride, blocks))
    spread[(*lead, slice(None), *placed)] = grid
    total = None
    for j, offset in enumerate(_offsets(kernel)):
        starts = (r + p - o * d for r, p, o, d in zip(reach, padding, offset, dilation))
        piece = spread[(*lead, j, *(slice(a, a + s) for a, s in zip(starts, size)))]
        total = piece if total is None else total + piece
    return total


def _batched_call(function, input: Tensor, batched_dims: int) -> Tensor:
    """``function`` on ``input`` as a batch (one sample added, then dropped, where
    ``input`` has fewer than ``batched_dims`` dims)."""
    if input.dim() < batched_dims:
        return function(input.unsqueeze(0)).squeeze(0)
    return function(input)


def _im2col_grad(g: Tensor, shape: tuple, kernel, dilation, padding, stride) -> Tensor:
    return col2im(g, tuple(shape[-len(kernel) :]), kernel, dilation, padding, stride)


IM2COL = OpRecord(
    "im2col",
    SHAPE,
    "Im2ColBackward0",
    "reshape",
    save=("self.shape", "kernel_size", "dilation", "padding", "stride"),
    grads=(_im2col_grad,),
    public="unfold",
    method=False,
    float_only=True,
    doc="(N, C, *spatial) -> (N, C * prod(kernel), blocks): sliding blocks as columns",
)
COL2IM = OpRecord(
    "col2im",
    SHAPE,
    "Col2ImBackward0",
    "reshape",
    save=("kernel_size", "dilation", "padding", "stride"),
    grads=(
        lambda g, kernel, dilation, padding, stride: im2col(g, kernel, dilation, padding, stride),
    ),
    public="fold",
    method=False,
    float_only=True,
    doc="(N, C * prod(kernel), blocks) -> (N, C, *output_size): columns summed into place",
)
RECORDS = (IM2COL, COL2IM)


def _params(kernel: tuple, dilation: tuple, padding: tuple, stride: tuple) -> dict:
    return {"kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride}


def im2col(input: Tensor, kernel_size: tuple, dilation: tuple, padding: tuple, stride: tuple):
    """The blocks of ``(N, C, *spatial)`` or ``(C, *spatial)`` as columns (arguments are
    tuples, one entry per spatial dim, already checked by the caller); one node."""
    with no_grad():
        out = _batched_call(
            lambda x: columns(x, kernel_size, dilation, padding, stride),
            input,
            len(kernel_size) + 2,
        )
    params = _params(kernel_size, dilation, padding, stride)
    return finish(IM2COL, out._storage.array, input.dtype, input._backend, (input,), params)


def col2im(
    input: Tensor,
    output_size: tuple,
    kernel_size: tuple,
    dilation: tuple,
    padding: tuple,
    stride: tuple,
) -> Tensor:
    """``(N, C * K, L)`` or ``(C * K, L)`` columns summed into ``(N, C, *output_size)``
    (arguments checked by the caller); one node."""
    blocks = blocks_count(output_size, kernel_size, dilation, padding, stride)
    with no_grad():
        out = _batched_call(
            lambda x: summed_blocks(x, blocks, output_size, kernel_size, dilation, padding, stride),
            input,
            3,
        )
    params = _params(kernel_size, dilation, padding, stride)
    return finish(COL2IM, out._storage.array, input.dtype, input._backend, (input,), params)

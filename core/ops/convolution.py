"""ATen's ``convolution``: the one ``ConvolutionBackward0`` node of every ``conv*d`` and
``conv_transpose*d``.

A convolution is a matrix product per group with the input's blocks
(:func:`~retrograd.ops.im2col.columns`); a transposed convolution is the adjoint: the
weight's transpose times the input, the products summed back into place
(:func:`~retrograd.ops.im2col.summed_blocks`). The forward runs those with grad mode off
and wraps the result as the one node.

The rules are written in retrograd's differentiable ops, so higher orders work: the
gradient w.r.t. the input is the other direction's convolution of the gradient with the
same weight; w.r.t. the weight, the product of the gradient with the blocks of the input
(of the gradient's blocks with the input, when transposed); w.r.t. the bias, the
gradient's sum over all but the channels.
"""

from __future__ import annotations

import math
from typing import Any

from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .im2col import blocks_count, columns, im2col, summed_blocks
from .record import LINALG, OpRecord


def transposed_size(
    size: tuple,
    kernel: tuple,
    stride: tuple,
    padding: tuple,
    output_padding: tuple,
    dilation: tuple,
) -> tuple:
    """A transposed convolution's output size from its input's spatial ``size``."""
    return tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + o + 1
        for n, k, s, p, o, d in zip(size, kernel, stride, padding, output_padding, dilation)
    )


def _correlated(x: Tensor, weight: Tensor, stride, padding, dilation, groups: int) -> Tensor:
    """``(N, O, *out)``: each group's weights ``(O/G, C/G * K)`` times its blocks."""
    kernel = tuple(weight.shape[2:])
    blocks = blocks_count(tuple(x.shape[2:]), kernel, dilation, padding, stride)
    cols = columns(x, kernel, dilation, padding, stride)
    cols = cols.reshape(x.shape[0], groups, cols.shape[1] // groups, math.prod(blocks))
    w = weight.reshape(groups, weight.shape[0] // groups, -1)
    return w.matmul(cols).reshape(x.shape[0], weight.shape[0], *blocks)


def _scattered(
    x: Tensor, weight: Tensor, stride, padding, output_padding, dilation, groups: int
) -> Tensor:
    """``(N, O, *out)``: each group's transposed weights ``(O/G * K, C/G)`` times its
    input, every column summed into its block's place."""
    kernel, spatial = tuple(weight.shape[2:]), tuple(x.shape[2:])
    n, channels = x.shape[0], weight.shape[1] * groups
    xs = x.reshape(n, groups, x.shape[1] // groups, math.prod(spatial))
    w = weight.reshape(groups, weight.shape[0] // groups, -1).transpose(1, 2)
    cols = w.matmul(xs).reshape(n, channels * math.prod(kernel), math.prod(spatial))
    size = transposed_size(spatial, kernel, stride, padding, output_padding, dilation)
    return summed_blocks(cols, spatial, size, kernel, dilation, padding, stride)


def _input_grad(g, input, weight, stride, padding, dilation, transposed, output_padding, groups):
    if transposed:
        zero = (0,) * len(stride)
        grad = convolution(g, weight, None, stride, padding, dilation, False, zero, groups)
        # An output padding of at least the stride (allowed below the dilation) leaves
        # room for positions past the input's end: those are not the input's.
        if tuple(grad.shape[2:]) == tuple(input.shape[2:]):
            return grad
        return grad[(slice(None), slice(None), *(slice(0, n) for n in input.shape[2:]))]
    kernel = tuple(weight.shape[2:])
    # The transposed convolution's output padding that gives back the input's size.
    extra = tuple(
        n - t
        for n, t in zip(
            input.shape[2:],
            transposed_size(
                tuple(g.shape[2:]), kernel, stride, padding, (0,) * len(kernel), dilation
            ),
        )
    )
    return convolution(g, weight, None, stride, padding, dilation, True, extra, groups)


def _blocks_of(x: Tensor, kernel: tuple, stride, padding, dilation, blocks: tuple) -> Tensor:
    """``x``'s blocks as ``(N, C * K, prod(blocks))``: the first ``blocks`` along each
    dim (a transposed convolution's output padding may leave room for more)."""
    cols = im2col(x, kernel, dilation, padding, stride)
    found = blocks_count(tuple(x.shape[2:]), kernel, dilation, padding, stride)
    if found == tuple(blocks):
        return cols
    grid = cols.reshape(*cols.shape[:2], *found)
    grid = grid[(slice(None), slice(None), *(slice(0, b) for b in blocks))]
    return grid.reshape(*cols.shape[:2], math.prod(blocks))


def _weight_grad(g, input, weight, stride, padding, dilation, transposed, output_padding, groups):
    kernel, n = tuple(weight.shape[2:]), input.shape[0]
    if transposed:  # the input times the gradient's blocks
        left, right = input, _blocks_of(g, kernel, stride, padding, dilation, input.shape[2:])
    else:  # the gradient times the input's blocks
        left, right = g, _blocks_of(input, kernel, stride, padding, dilation, g.shape[2:])
    length = math.prod(left.shape[2:])  # spelled out: an empty batch has no -1 to infer
    left = left.reshape(n, groups, left.shape[1] // groups, length)
    right = right.reshape(n, groups, right.shape[1] // groups, length)
    return left.matmul(right.transpose(-1, -2)).sum(0).reshape(weight.shape)


def _bias_grad(g, input, weight, stride, padding, dilation, transposed, output_padding, groups):
    return g.sum([0, *range(2, g.dim())])


def _jvp(
    us: tuple,
    out: Tensor,
    input,
    weight,
    stride,
    padding,
    dilation,
    transposed,
    output_padding,
    groups,
):
    # Bilinear in (input, weight), plus the bias: the sum of the three partial tangents.
    tx, tw, tb = us
    args = (stride, padding, dilation, transposed, output_padding, groups)
    terms = []
    if tx is not None:
        terms.append(convolution(tx, weight, None, *args))
    if tw is not None:
        terms.append(convolution(input, tw, None, *args))
    if tb is not None:
        terms.append(tb.reshape(-1, *([1] * (out.dim() - 2))).expand(out.shape))
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


CONVOLUTION = OpRecord(
    "convolution",
    LINALG,
    "ConvolutionBackward0",
    "matmul",
    inputs=("self", "weight", "bias"),
    save=(
        "self",
        "weight",
        "stride",
        "padding",
        "dilation",
        "transposed",
        "output_padding",
        "groups",
    ),
    grads=(_input_grad, _weight_grad, _bias_grad),
    jvp=_jvp,
    method=False,
    doc="N-d (transposed) convolution of (N, C, *spatial) with (O, C/groups, *kernel)",
)
RECORDS = (CONVOLUTION,)


def convolution(
    input: Tensor,
    weight: Tensor,
    bias: Any,
    stride: tuple,
    padding: tuple,
    dilation: tuple,
    transposed: bool,
    output_padding: tuple,
    groups: int,
) -> Tensor:
    """ATen's convolution of a batched ``(N, C, *spatial)`` input: symmetric zero
    ``padding``, one tuple entry per spatial dim; arguments are checked by the caller
    (``F.conv*d``, ``F.conv_transpose*d``). One ``ConvolutionBackward0`` node."""
    with no_grad():
        if transposed:
            out = _scattered(input, weight, stride, padding, output_padding, dilation, groups)
        else:
            out = _correlated(input, weight, stride, padding, dilation, groups)
        if bias is not None:
            out = out + bias.reshape(-1, *([1] * (out.dim() - 2)))
    params = {"stride": stride, "padding": padding, "dilation": dilation}
    params.update(transposed=transposed, output_padding=output_padding, groups=groups)
    inputs = (input, weight, bias)
    return finish(CONVOLUTION, out._storage.array, input.dtype, input._backend, inputs, params)

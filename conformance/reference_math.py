"""The math of the exceptions: reference functions and retrograd calls too long for a
lambda in :data:`retrograd_conformance.table.TABLE` (which names them per op). How the
suite picks a record's sample, call and reference is :mod:`retrograd_conformance.resolution`.

A reference is ``ref(xp, *arrays, **params)`` written against an array namespace (NumPy
and ``jax.numpy``); a call is ``call(*tensors, **params)`` through retrograd's public
API.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import retrograd

from .entries import along, public, put, special

_erf = special("erf")


def swapped(xp: Any, a: Any, dim0: int, dim1: int) -> Any:
    axes = list(range(a.ndim))
    axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
    return xp.permute_dims(a, tuple(axes))


def expanded(xp: Any, a: Any, sizes: tuple) -> Any:
    lead = len(sizes) - a.ndim
    shape = tuple(a.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return xp.broadcast_to(a, shape)


def squeezed(xp: Any, a: Any, dim: Any) -> Any:
    dims = range(a.ndim) if dim is None else [d % a.ndim for d in np.atleast_1d(dim)]
    return xp.reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in dims or n != 1))


def summed_to(xp: Any, a: Any, size: tuple) -> Any:
    lead = a.ndim - len(size)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(size) if n == 1 and a.shape[lead + i] != 1
    )
    return xp.reshape(xp.sum(a, axis=axes, keepdims=True), size)


def index_grad(g: Any, shape: tuple, key: tuple) -> Any:
    """What ``x[key]``'s backward produces from ``g`` (``x`` of ``shape``), recorded."""
    x = retrograd.zeros(shape, dtype=g.dtype, backend=g.backend, requires_grad=True)
    return retrograd.autograd.grad(x[key], x, g, create_graph=True)[0]


def scattered(xp: Any, g: Any, shape: tuple, key: tuple) -> Any:
    return put(xp, xp.zeros(shape, dtype=g.dtype), key, g)


def assigned(a: Any, src: Any, key: tuple) -> Any:
    """``t = a.clone(); t[key] = src``: PyTorch records ``CopySlices``."""
    out = a.clone()
    out[key] = src
    return out


def pieces(xp: Any, a: Any, split: Any, dim: int) -> tuple:
    """``split`` by an int size or a list of sizes, as slices along ``dim``."""
    side, dim = a.shape[dim], dim % a.ndim
    sizes = split if isinstance(split, list) else [split] * -(-side // split)
    starts = np.cumsum([0, *sizes[:-1]])
    lead = (slice(None),) * dim
    return tuple(a[(*lead, slice(s, min(s + n, side)))] for s, n in zip(starts, sizes))


def logsumexp(xp: Any, a: Any, dim: Any, keepdim: bool) -> Any:
    return xp.log(xp.sum(xp.exp(a), axis=dim, keepdims=keepdim))


def softmax(xp: Any, a: Any, dim: int) -> Any:
    e = xp.exp(a - xp.max(a, axis=dim, keepdims=True))
    return e / xp.sum(e, axis=dim, keepdims=True)


def log_softmax(xp: Any, a: Any, dim: int) -> Any:
    shifted = a - xp.max(a, axis=dim, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))


def gelu(xp: Any, a: Any, approximate: str) -> Any:
    if approximate == "tanh":
        return 0.5 * a * (1 + xp.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a**3)))
    return 0.5 * a * (1 + _erf(xp, a / np.sqrt(2)))


def softplus(xp: Any, a: Any, beta: float, threshold: float) -> Any:
    return xp.where(a * beta > threshold, a, xp.log1p(xp.exp(a * beta)) / beta)


def reduced(xp: Any, losses: Any, reduction: str) -> Any:
    """A loss's elementwise values reduced as ``reduction`` says."""
    if reduction == "none":
        return losses
    return xp.mean(losses) if reduction == "mean" else xp.sum(losses)


def bce(xp: Any, a: Any, target: Any, reduction: str) -> Any:
    losses = -(target * xp.log(a) + (1 - target) * xp.log(1 - a))
    return reduced(xp, losses, reduction)


def bce_logits(xp: Any, a: Any, target: Any, reduction: str) -> Any:
    losses = xp.maximum(a, 0.0) - a * target + xp.log1p(xp.exp(-xp.abs(a)))
    return reduced(xp, losses, reduction)


def nll(xp: Any, a: Any, target: Any, reduction: str) -> Any:
    """``nll_loss`` of (N, C, ...) log-probabilities: classes along dim 1."""
    picked = xp.take_along_axis(a, xp.expand_dims(target, 1), axis=1)[:, 0]
    return reduced(xp, -picked, reduction)


def soft_cross_entropy(xp: Any, a: Any, target: Any) -> Any:
    """``cross_entropy`` with class probabilities, mean over the batch."""
    return -xp.sum(log_softmax(xp, a, 1) * target) / (a.size // a.shape[1])


def gathered(xp: Any, a: Any, dim: int, index: Any) -> Any:
    return a[along(index, dim)]


def scattered_along(xp: Any, a: Any, *src: Any, dim: int, index: Any, **kw: Any) -> Any:
    """``scatter``/``scatter_add`` (``src`` given) or ``scatter(value=...)``."""
    values = src[0] if src else kw["value"]
    return put(xp, a, along(index, dim), values, add=kw.get("add", False))


def masked_select(xp: Any, a: Any, mask: Any) -> Any:
    shape = np.broadcast_shapes(a.shape, mask.shape)
    picked = np.flatnonzero(np.broadcast_to(np.asarray(mask), shape))  # a concrete mask
    return xp.reshape(xp.broadcast_to(a, shape), (-1,))[picked]


def max_with_index(xp: Any, a: Any, dim: int, keepdim: bool, pick: str = "max") -> tuple:
    """``max(t, dim)``/``min(t, dim)``: values and their indices."""
    arg = xp.argmax if pick == "max" else xp.argmin
    return getattr(xp, pick)(a, axis=dim, keepdims=keepdim), arg(a, axis=dim, keepdims=keepdim)


def rounding_division(xp: Any, a: Any, b: Any, rounding_mode: str) -> Any:
    return getattr(xp, rounding_mode)(a / b)


def split_call(a: Any, split: Any, dim: int) -> Any:
    return public("split")(a, split, dim)


# -- calls whose argument order is not (tensors..., **params) ------------------------------


def scatter_call(a: Any, *src: Any, dim: int, index: Any, value: Any = None) -> Any:
    """``scatter(a, dim, index, src)`` or ``scatter(a, dim, index, value=...)``."""
    if src:
        return public("scatter")(a, dim, index, src[0])
    return public("scatter")(a, dim, index, value=value)


def scatter_add_call(a: Any, src: Any, dim: int, index: Any) -> Any:
    return public("scatter_add")(a, dim, index, src)


def index_put_call(a: Any, values: Any, indices: tuple, accumulate: bool) -> Any:
    return public("index_put")(a, indices, values, accumulate)


def masked_fill_call(a: Any, *value: Any, mask: Any, **number: Any) -> Any:
    """``masked_fill(a, mask, value)`` with a 0-d tensor or a number (``value=``)."""
    return public("masked_fill")(a, mask, value[0] if value else number["value"])


def flip_call(a: Any, dims: tuple) -> Any:
    return public("flip")(a, dims)


# -- retrograd/ops/pointwise_extra.py ------------------------------------------------------
def xlogy(xp: Any, a: Any, b: Any) -> Any:
    """x * log(y): nan where y is nan, else 0 where x is 0 (either may be a number)."""
    a, b = xp.asarray(a), xp.asarray(b)
    zero = a == 0
    product = a * xp.log(xp.where(zero, 1.0, b))
    return xp.where(xp.isnan(b), b, xp.where(zero, 0.0, product))


def logit(xp: Any, a: Any, eps: float | None) -> Any:
    """log(a / (1 - a)), a clamped to [eps, 1 - eps] first unless eps is None."""
    if eps is not None:
        a = xp.clip(a, eps, 1 - eps)
    den = 1 - a  # the integer cases hold the ends, 0 and 1: -inf and inf, no warnings
    ratio = xp.where(den == 0, xp.inf, a / xp.where(den == 0, 1.0, den))
    return xp.where(ratio == 0, -xp.inf, xp.log(xp.where(ratio == 0, 1.0, ratio)))


# -- nn.functional's further activations and losses -----------------------------------------
def glu(xp: Any, a: Any, dim: int) -> Any:
    half = a.shape[dim] // 2
    first = xp.take(a, xp.arange(half), axis=dim)
    second = xp.take(a, xp.arange(half, 2 * half), axis=dim)
    return first / (1 + xp.exp(-second))


def huber(xp: Any, a: Any, target: Any, reduction: str, delta: float) -> Any:
    z = xp.abs(a - target)
    return reduced(xp, xp.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)), reduction)


def smooth_l1(xp: Any, a: Any, target: Any, reduction: str, beta: float) -> Any:
    z = xp.abs(a - target)
    return reduced(xp, xp.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta), reduction)


# -- margin and distance losses ------------------------------------------------------------


def soft_margin(xp: Any, a: Any, target: Any, reduction: str) -> Any:
    return reduced(xp, xp.log1p(xp.exp(-a * target)), reduction)


def multi_margin(xp: Any, a: Any, target: Any, p: int, margin: float, weight: Any,
                 reduction: str) -> Any:  # fmt: skip
    """Per sample ``sum_{j != y} max(0, margin - x[y] + x[j])^p w[y] / C``, reduced."""
    x, y = (a, xp.reshape(target, (-1,))) if a.ndim == 2 else (a[None], xp.reshape(target, (1,)))
    z = margin - xp.take_along_axis(x, y[:, None], axis=1) + x
    others = xp.arange(x.shape[1])[None, :] != y[:, None]
    terms = xp.where(others & (z > 0), z**p, 0.0)
    if weight is not None:
        terms = terms * xp.take(weight, y)[:, None]
    losses = xp.sum(terms, axis=1) / x.shape[1]
    return reduced(xp, losses if a.ndim == 2 else xp.reshape(losses, xp.shape(target)), reduction)


# -- retrograd/ops/{shape,linalg,scans}_more.py ---------------------------------------------
def diag_embed(xp: Any, a: Any, offset: int, dim1: int, dim2: int) -> Any:
    """Each element k of the last dim put at (k + max(-offset, 0), k + max(offset, 0)) by a
    product with one-hot matrices, then the two new dims moved to ``dim1``, ``dim2``."""
    n = a.shape[-1]
    m = n + abs(offset)
    hot = np.zeros((n, m, m))
    for k in range(n):
        hot[k, k + max(-offset, 0), k + max(offset, 0)] = 1.0
    out = xp.tensordot(a, xp.asarray(hot, dtype=a.dtype), axes=1)
    ndim = a.ndim + 1
    return xp.moveaxis(out, (-2, -1), (dim1 % ndim, dim2 % ndim))


def block_diag(xp: Any, *blocks: Any) -> Any:
    """The blocks as 2-d, each padded with zeros to the full width, stacked as rows."""
    mats = [xp.reshape(b, (1, -1) if b.ndim < 2 else b.shape) for b in blocks]
    width, col, rows = sum(b.shape[1] for b in mats), 0, []
    for b in mats:
        r, c = b.shape
        pads = (xp.zeros((r, col), dtype=b.dtype), xp.zeros((r, width - col - c), dtype=b.dtype))
        rows.append(xp.concatenate([pads[0], b, pads[1]], axis=1))
        col += c
    return xp.concatenate(rows, axis=0)


def running_extremum(xp: Any, a: Any, dim: int, pick: str) -> tuple:
    """``cummax``/``cummin``: the running values, and for each the latest index holding
    that value so far (PyTorch's choice at ties)."""
    values = getattr(xp, pick).accumulate(a, axis=dim)
    shape = [1] * a.ndim
    shape[dim] = a.shape[dim]
    positions = xp.reshape(xp.arange(a.shape[dim]), shape)
    hits = xp.where(a == values, positions, -1)
    return values, xp.maximum.accumulate(hits, axis=dim)


# -- normalization and attention layers ----------------------------------------------------


def _channel(xp: Any, v: Any, ndim: int) -> Any:
    return xp.reshape(v, (1, v.shape[0], *([1] * (ndim - 2))))


def group_norm(xp: Any, a: Any, w: Any, b: Any, num_groups: int, eps: float) -> Any:
    g = xp.reshape(a, (a.shape[0], num_groups, -1))
    mean = xp.mean(g, axis=2, keepdims=True)
    var = xp.mean((g - mean) ** 2, axis=2, keepdims=True)
    out = xp.reshape((g - mean) / xp.sqrt(var + eps), a.shape)
    return out * _channel(xp, w, a.ndim) + _channel(xp, b, a.ndim)


def native_layer_norm(xp: Any, a: Any, w: Any, b: Any, normalized_dims: int, eps: float) -> Any:
    dims = tuple(range(a.ndim - normalized_dims, a.ndim))
    mean = xp.mean(a, axis=dims, keepdims=True)
    var = xp.mean((a - mean) ** 2, axis=dims, keepdims=True)
    return (a - mean) / xp.sqrt(var + eps) * w + b


def native_batch_norm(xp: Any, a: Any, w: Any, b: Any, running_mean: Any, running_var: Any,
                      training: bool, eps: float) -> Any:  # fmt: skip
    dims = (0, *range(2, a.ndim))
    if training:
        mean = xp.mean(a, axis=dims, keepdims=True)
        var = xp.mean((a - mean) ** 2, axis=dims, keepdims=True)
    else:
        mean = _channel(xp, xp.asarray(running_mean, dtype=a.dtype), a.ndim)
        var = _channel(xp, xp.asarray(running_var, dtype=a.dtype), a.ndim)
    out = (a - mean) / xp.sqrt(var + eps)
    return out * _channel(xp, w, a.ndim) + _channel(xp, b, a.ndim)


def pixel_shuffle(xp: Any, a: Any, upscale_factor: int) -> Any:
    r, (*lead, c, h, w) = upscale_factor, a.shape
    n = len(lead)
    x = xp.reshape(a, (*lead, c // (r * r), r, r, h, w))
    x = xp.permute_dims(x, (*range(n), n, n + 3, n + 1, n + 4, n + 2))
    return xp.reshape(x, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(xp: Any, a: Any, downscale_factor: int) -> Any:
    r, (*lead, c, h, w) = downscale_factor, a.shape
    n = len(lead)
    x = xp.reshape(a, (*lead, c, h // r, r, w // r, r))
    x = xp.permute_dims(x, (*range(n), n, n + 2, n + 4, n + 1, n + 3))
    return xp.reshape(x, (*lead, c * r * r, h // r, w // r))


def channel_shuffle(xp: Any, a: Any, groups: int) -> Any:
    n, c, *rest = a.shape
    x = xp.reshape(a, (n, groups, c // groups, *rest))
    return xp.reshape(xp.permute_dims(x, (0, 2, 1, *range(3, a.ndim + 1))), a.shape)


def cdist(xp: Any, a: Any, b: Any, p: float = 2.0) -> Any:
    """The ``p``-distance of every row of ``a`` to every row of ``b`` (batches broadcast):
    the count of differing coordinates for 0, the largest difference for inf."""
    diff = xp.abs(a[..., :, None, :] - b[..., None, :, :])
    if p == 0:
        return xp.sum(xp.astype(diff != 0, a.dtype), axis=-1)
    if p == float("inf"):
        return xp.max(diff, axis=-1)
    return xp.sum(diff**p, axis=-1) ** (1.0 / p)


def pack_padded_sequence(xp: Any, a: Any, lengths: tuple, batch_first: bool) -> Any:
    """The rows of the padded ``a`` inside each sequence's length, step after step."""
    steps = xp.permute_dims(a, (1, 0, *range(2, a.ndim))) if batch_first else a
    rows = [steps[t, : sum(1 for n in lengths if n > t)] for t in range(lengths[0])]
    return xp.concat(rows, axis=0)


# -- attention and small layers --------------------------------------------------------------


def flash_attention(xp: Any, q: Any, k: Any, v: Any, bias: Any, scale: float) -> Any:
    scores = xp.matmul(q, xp.swapaxes(k, -1, -2)) * scale
    if bias is not None:
        scores = scores + bias
    exps = xp.exp(scores - xp.max(scores, axis=-1, keepdims=True))
    return xp.matmul(exps / xp.sum(exps, axis=-1, keepdims=True), v)


def prelu(xp: Any, a: Any, w: Any) -> Any:
    shape = [1] * a.ndim
    if a.ndim > 1:
        shape[1] = w.shape[0]
    return xp.where(a > 0, a, xp.reshape(w, tuple(shape)) * a)


def pdist(xp: Any, a: Any, p: float) -> Any:
    n = a.shape[0]
    rows, cols = np.triu_indices(n, 1)
    flat = xp.reshape(cdist(xp, a, a, p), (n * n,))
    return xp.take(flat, xp.asarray(rows * n + cols))

"""Sample-argument builders of the ops whose arguments are not their kind's (all but
the shape, joining and indexing ops: :mod:`retrograd_conformance.shape_samples`).

Each is ``builder(record, draw, dtype) -> Sample`` like the kind builders of
:mod:`retrograd_conformance.samples` (see there); ``table.TABLE`` names the builder
of every op that needs one of these.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from retrograd.ops.record import OpRecord

from .samples import (
    FLOAT_DTYPES,
    Builder,
    Sample,
    binary,
    dims_of,
    is_integer,
    unary,
    values_for,
)


def _other_float(dtype: str) -> str:
    return FLOAT_DTYPES[1 - FLOAT_DTYPES.index(dtype)]


def to(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``to(dtype)`` towards the other float dtype (to the same one is no op)."""
    target = _other_float(dtype)
    return Sample(unary(record, draw, dtype).arrays, {"dtype": target}, out_dtype=target)


def fill(record: OpRecord, draw: Any, dtype: str) -> Sample:
    value = draw.choice((1.5, -2.0, 0.0))
    return Sample(unary(record, draw, dtype).arrays, {"value": value})


def _broadcastable_to(draw: Any, shape: tuple) -> tuple:
    """A shape that broadcasts to ``shape``: a suffix of it with some sides set to 1."""
    suffix = shape[draw.integer(0, len(shape)) :]
    return tuple(1 if draw.rng.random() < 0.4 else n for n in suffix)


def fill_tensor(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``self.fill_(value)`` with a 0-d tensor ``value`` (which gets the gradient)."""
    return Sample((*unary(record, draw, dtype).arrays, values_for(record, draw, (), dtype)))


def copy(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``self.copy_(src)``: ``src`` broadcasts to ``self``'s shape."""
    shape = draw.shape()
    src = _broadcastable_to(draw, shape)
    return Sample((values_for(record, draw, shape, dtype), values_for(record, draw, src, dtype)))


def pow_scalar(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``tensor ** exponent`` with a Python number exponent (0 included)."""
    exponent = draw.choice((2, 2.5, 0, 0.5, -1.5, 3))
    return Sample(unary(record, draw, dtype).arrays, {"exponent": exponent})


def scalar_base(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``base ** tensor`` with a Python number base."""
    return Sample(unary(record, draw, dtype).arrays, {"base": draw.choice((2.5, 0.5, 3))})


def decimals(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``round(tensor, decimals=d)``."""
    return Sample(unary(record, draw, dtype).arrays, {"decimals": draw.choice((1, 0, 2, -1))})


def rsub(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``other - alpha * tensor`` with a Python number ``other``."""
    params = {"other": draw.choice((2.5, -1.0)), "alpha": draw.choice((1, 0.5, -2.0))}
    return Sample(unary(record, draw, dtype).arrays, params)


def rounding_mode(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``div(a, b, rounding_mode=...)``."""
    sample = binary(record, draw, dtype)
    return Sample(sample.arrays, {"rounding_mode": draw.choice(("floor", "trunc"))})


def _bounded(record: OpRecord, draw: Any, dtype: str, bounds: tuple) -> np.ndarray:
    """Values away from the clamp bounds (the kinks this call has)."""
    kinks = [b for b in bounds if b is not None]
    return draw.values(draw.shape(), record.domain, kinks, is_integer(dtype))


def clamp(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``clamp(t, min, max)`` with numbers, one of them None, or min > max (all max);
    integers for integer tensors (a float bound would promote the result)."""
    options = ((-1, 1), (None, 0), (0, None), (1, -1)) if is_integer(dtype) else \
        ((-0.5, 0.5), (None, 0.3), (-0.3, None), (0.5, -0.5))  # fmt: skip
    low, high = draw.choice(options)
    return Sample((_bounded(record, draw, dtype, (low, high)),), {"min": low, "max": high})


def clamp_bound(name: str) -> Builder:
    """``clamp_min(t, min)`` / ``clamp_max(t, max)`` with a number."""

    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        bound = draw.choice((0, -1) if is_integer(dtype) else (0.3, -0.7))
        return Sample((_bounded(record, draw, dtype, (bound,)),), {name: bound})

    return build


def clamp_tensors(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``clamp(t, min, max)`` with tensors, ``min`` below ``max`` everywhere."""
    shape, low_shape, high_shape = draw.broadcast(3)
    x = draw.values(shape)
    low = draw.values(low_shape, (-1.5, -0.1))
    high = draw.values(high_shape, (0.1, 1.5))
    return Sample((x, low, high))


def single_dim(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A reduction over one ``dim`` (an int, maybe negative), ``keepdim`` either way."""
    shape = draw.shape(min_dims=1)
    dim = draw.integer(-len(shape), len(shape) - 1)
    params = {"dim": dim, "keepdim": draw.choice((False, True))}
    return Sample((values_for(record, draw, shape, dtype),), params)


def one_dim(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """An op along one ``dim`` (scans, softmax), no ``keepdim``."""
    shape = draw.shape(min_dims=1)
    dim = draw.integer(-len(shape), len(shape) - 1)
    return Sample((values_for(record, draw, shape, dtype),), {"dim": dim})


def optional_dim(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``argmax``-like: ``dim`` None or an int, ``keepdim`` either way."""
    shape = draw.shape()
    dim = draw.choice((None, *range(-len(shape), len(shape))))
    params = {"dim": dim, "keepdim": draw.choice((False, True))}
    return Sample((values_for(record, draw, shape, dtype),), params)


def statistic(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``var``/``std``: ``dim`` (or None), ``keepdim`` and a ``correction``, over at least
    two elements (the spread of one element is 0: see the pinned conventions)."""
    shape = list(draw.shape(min_dims=1))
    shape[0] = max(shape[0], 2)
    dim = dims_of(draw, len(shape), allow_none=True)
    dims = range(len(shape)) if dim is None else np.atleast_1d(dim)
    if int(np.prod([shape[d] for d in dims])) < 2:
        dim = None
    correction = draw.choice((1, 0))
    params = {"dim": dim, "keepdim": draw.choice((False, True)), "correction": correction}
    return Sample((values_for(record, draw, tuple(shape), dtype),), params)


def addmm(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``beta * self + alpha * mat1 @ mat2``, ``self`` broadcasting to the product."""
    n, k, m = (draw.integer(1, 4) for _ in range(3))
    self_shape = draw.choice(((n, m), (m,), (1, m), ()))
    arrays = tuple(values_for(record, draw, s, dtype) for s in (self_shape, (n, k), (k, m)))
    params = {"beta": draw.choice((1, 0.5, -2.0)), "alpha": draw.choice((1, 2.0, -0.5))}
    return Sample(arrays, params)


def scalar_other(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``tensor <op> number`` (``remainder``, ``div`` by a Python number)."""
    return Sample(unary(record, draw, dtype).arrays, {"other": draw.choice((0.7, -1.3, 2.0))})


def with_params(**options: tuple) -> Builder:
    """A single tensor plus one keyword per option, each drawn from its values."""

    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        params = {name: draw.choice(values) for name, values in options.items()}
        return Sample(unary(record, draw, dtype).arrays, params)

    build.__doc__ = f"One tensor and {', '.join(options)}."
    return build


REDUCTIONS = ("mean", "sum", "none")


def pair_loss(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A loss of two same-shaped tensors (input and target), both differentiable."""
    shape = draw.shape()
    arrays = (values_for(record, draw, shape, dtype), draw.values(shape, (0.0, 1.0)))
    return Sample(arrays, {"reduction": draw.choice(REDUCTIONS)})


def target_loss(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A loss of an input and a constant target in [0, 1] (``binary_cross_entropy``
    has no gradient for its target)."""
    shape = draw.shape()
    target = draw.values(shape, (0.0, 1.0))
    params = {"target": target, "reduction": draw.choice(REDUCTIONS)}
    return Sample((values_for(record, draw, shape, dtype),), params)


def class_loss(spatial: int) -> Builder:
    """``nll_loss``: (N, C, *spatial) log-probabilities and (N, *spatial) class indices."""

    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        n, c = draw.integer(1, 3), draw.integer(2, 4)
        rest = tuple(draw.integer(1, 3) for _ in range(spatial))
        target = draw.rng.integers(0, c, size=(n, *rest)).astype(np.int64)
        params = {"target": target, "reduction": draw.choice(REDUCTIONS)}
        return Sample((values_for(record, draw, (n, c, *rest), dtype),), params)

    return build


def probabilities(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``cross_entropy`` with class probabilities: (N, C) logits, rows of the target
    summing to 1."""
    n, c = draw.integer(1, 4), draw.integer(2, 4)
    target = draw.values((n, c), (0.0, 1.0))
    target = target / target.sum(axis=1, keepdims=True)
    return Sample((values_for(record, draw, (n, c), dtype),), {"target": target})


def logit(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``logit(t, eps)`` with eps None or 1e-6; an integer case holds the ends 0 and 1
    (-inf and inf), the only integers in logit's domain."""
    if is_integer(dtype):
        ends = draw.rng.choice(np.array([0.0, 1.0]), size=draw.shape())
        return Sample((np.asarray(ends, dtype=np.float64),), {"eps": None})
    return with_params(eps=(None, 1e-6))(record, draw, dtype)


# -- nn.functional's further activations and losses -----------------------------------------
def halving(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``glu``: a tensor whose ``dim`` (drawn) has an even size."""
    shape = list(draw.shape(min_dims=1))
    dim = draw.integer(-len(shape), len(shape) - 1)
    shape[dim] = 2 * draw.integer(1, 2)
    return Sample((values_for(record, draw, tuple(shape), dtype),), {"dim": dim})


def pair_loss_with(name: str, values: tuple) -> Builder:
    """:func:`pair_loss` plus one more keyword (``delta``, ``beta``) drawn from ``values``."""

    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        sample = pair_loss(record, draw, dtype)
        return Sample(sample.arrays, {**sample.params, name: draw.choice(values)})

    build.__doc__ = f"Input, target, reduction and {name}."
    return build


# -- margin and distance losses (retrograd/ops/margin_losses.py, aten_overloads.py) --------


def margin_target(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``soft_margin_loss``: an input and a constant target of signs (the target is not
    differentiable), broadcast from its last dims or of the input's shape."""
    shape = draw.shape(min_dims=1)
    target_shape = draw.choice((shape, shape[-1:]))
    target = np.where(draw.values(target_shape, (0.0, 1.0)) > 0.5, 1.0, -1.0)
    params = {"target": target, "reduction": draw.choice(REDUCTIONS)}
    return Sample((values_for(record, draw, shape, dtype),), params)


def multi_margin(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``multi_margin_loss``: (N, C) or (C,) scores and class indices. The scores lie on a
    grid of step 0.4 (plus noise under 0.05) and the margins are 1.0 and 0.6, so no
    ``margin - x[y] + x[j]`` is within 0.1 of its kink and central differences see a
    smooth function."""
    n, c = draw.integer(1, 3), draw.integer(2, 4)
    grid = draw.rng.permutation(n * c).reshape(n, c) * 0.4 - 0.4 * n * c / 2
    scores = grid + draw.values((n, c), (-0.05, 0.05))
    target = draw.rng.integers(0, c, size=(n,)).astype(np.int64)
    if draw.choice((False, True)):
        scores, target = scores[0], np.asarray(target[0])  # a 0-d target
    weight = draw.choice((None, np.linspace(0.5, 1.5, c)))
    params = {"target": target, "p": draw.choice((1, 2)), "margin": draw.choice((1.0, 0.6)),
              "weight": weight, "reduction": draw.choice(REDUCTIONS)}  # fmt: skip
    return Sample((np.asarray(scores).astype(dtype),), params)


# -- normalization and attention layers (retrograd/ops/norm_layers.py, ...) ----------------


def group_norm(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``group_norm``: ``(N, C, *)`` with C a multiple of the groups, weight and bias."""
    groups = draw.choice((1, 2, 3))
    c = groups * draw.integer(1, 2)
    shape = (draw.integer(1, 2), c, *draw.shape(max_dims=2))
    x = values_for(record, draw, shape, dtype)
    w, b = values_for(record, draw, (c,), dtype), values_for(record, draw, (c,), dtype)
    params = {"num_groups": groups, "eps": draw.choice((1e-5, 0.1))}
    return Sample((x, w, b), params)


def native_batch_norm(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``native_batch_norm``: ``(N, C, *)`` (more than one value per channel), weight and
    bias; by the batch's statistics or by constant running ones."""
    c = draw.integer(1, 3)
    shape = (draw.integer(2, 3), c, *draw.shape(max_dims=2))
    x = values_for(record, draw, shape, dtype)
    w, b = values_for(record, draw, (c,), dtype), values_for(record, draw, (c,), dtype)
    training = draw.choice((True, False))
    params = {
        "running_mean": draw.values((c,), (-1.0, 1.0)),
        "running_var": draw.values((c,), (0.5, 2.0)),
        "training": training,
        "eps": draw.choice((1e-5, 0.1)),
    }
    return Sample((x, w, b), params)


def pixel_shuffle(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``pixel_shuffle``: ``(*, C r^2, H, W)``, one or two leading dims."""
    r = draw.choice((1, 2, 3))
    shape = (*draw.shape(min_dims=0, max_dims=2)[:2], draw.integer(1, 2) * r * r)
    shape = (*shape, draw.integer(1, 3), draw.integer(1, 3))
    return Sample((values_for(record, draw, shape, dtype),), {"upscale_factor": r})


def pixel_unshuffle(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``pixel_unshuffle``: ``(*, C, H r, W r)``."""
    r = draw.choice((1, 2, 3))
    lead = draw.shape(min_dims=0, max_dims=2)[:1]
    shape = (*lead, draw.integer(1, 2), draw.integer(1, 2) * r, draw.integer(1, 2) * r)
    return Sample((values_for(record, draw, shape, dtype),), {"downscale_factor": r})


def channel_shuffle(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``channel_shuffle``: ``(N, C, *)`` with C a multiple of the groups."""
    groups = draw.choice((1, 2, 3))
    shape = (draw.integer(1, 2), groups * draw.integer(1, 3), *draw.shape(min_dims=1, max_dims=2))
    return Sample((values_for(record, draw, shape, dtype),), {"groups": groups})


def native_layer_norm(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``native_layer_norm``: any input of at least one dim, normalized over its trailing
    one or two dims, weight and bias of those dims' shape."""
    shape = (*draw.shape(max_dims=2), draw.integer(1, 3))
    normalized_dims = draw.integer(1, min(2, len(shape)))
    normalized = shape[len(shape) - normalized_dims :]
    x = values_for(record, draw, shape, dtype)
    w, b = (values_for(record, draw, normalized, dtype) for _ in range(2))
    return Sample((x, w, b), {"normalized_dims": normalized_dims, "eps": draw.choice((1e-5, 0.1))})


def pack_padded_sequence(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``_pack_padded_sequence``: a padded batch ``(T, B, *)`` (``(B, T, *)`` when
    ``batch_first``) and lengths from ``T`` down to 1, longest first."""
    steps, batch = draw.integer(1, 4), draw.integer(1, 3)
    lengths = sorted((draw.integer(1, steps) for _ in range(batch)), reverse=True)
    lengths[0] = steps  # the longest sequence fills the padded steps
    batch_first = draw.choice((False, True))
    lead = (batch, steps) if batch_first else (steps, batch)
    shape = (*lead, *draw.shape(min_dims=0, max_dims=1))
    params = {"lengths": tuple(lengths), "batch_first": batch_first}
    return Sample((values_for(record, draw, shape, dtype),), params)


# -- attention and small layers (retrograd/ops/attention.py, prelu.py, pdist.py) -----------


def flash_attention(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """ATen's CPU flash attention: (N, H, L, E) queries, (N, H, S, E) keys and values, an
    additive float mask broadcast to (N, H, L, S) or none, and a scale."""
    n, h, e = draw.integer(1, 2), draw.integer(1, 2), draw.integer(1, 3)
    length, source = draw.integer(1, 3), draw.integer(1, 3)
    q = values_for(record, draw, (n, h, length, e), dtype)
    k, v = (values_for(record, draw, (n, h, source, e), dtype) for _ in range(2))
    bias = draw.choice((None, draw.values((length, source), (-1.0, 1.0))))
    return Sample((q, k, v), {"bias": bias, "scale": draw.choice((1.0 / math.sqrt(e), 0.7))})


def prelu(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``prelu``: (N, C, *) with one slope or one per channel (or a vector and one slope)."""
    shape = draw.choice(((draw.integer(1, 3),), (2, draw.integer(1, 3), *draw.shape(max_dims=1))))
    slopes = draw.choice((1, shape[1] if len(shape) > 1 else 1))
    x = values_for(record, draw, shape, dtype)
    return Sample((x, draw.values((slopes,), (-1.0, 1.0))))


def pdist(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``pdist``: an (N, M) matrix and any ``p`` PyTorch takes (0, below 1, 1, 2, above
    2, inf)."""
    x = values_for(record, draw, (draw.integer(1, 4), draw.integer(1, 3)), dtype)
    return Sample((x,), {"p": draw.choice((0.0, 0.5, 1.0, 1.5, 2.0, 3.0, float("inf")))})

"""THE table: every op record whose sampling, call or reference is not the default.

``TABLE[record name] = Entry(sample, call, ref)``; a field left out keeps the default
(see :mod:`retrograd_conformance.resolution`). Reading it top to bottom is reading what
the conformance suite does beyond "call ``retrograd.<name>`` on tensors of the record's
kind and compare with ``xp.<kernel>``".
"""

from __future__ import annotations

import numpy as np
import retrograd

from . import bits_samples as BT
from . import convolution_cases as CV
from . import diagonal_samples as DG
from . import householder_samples as HS
from . import index_samples as IX
from . import linalg_samples as LS
from . import nn_more_cases as NM
from . import op_samples as O
from . import pooling_cases as P
from . import product_samples as PX
from . import put_samples as PT
from . import reduce_samples as RX
from . import reference_math as R
from . import samples as S
from . import shape_samples as SH
from .entries import Entry, function, public, put, scipy_special, special
from .resampling import RESAMPLING
from .sorting_entries import SORTING

_matmul = Entry(call=function("matmul"), ref=lambda xp, a, b: xp.matmul(a, b))

ELEMENTWISE = {
    "sigmoid": Entry(ref=lambda xp, a: 0.5 * (1 + xp.tanh(a / 2))),
    "relu": Entry(ref=lambda xp, a: xp.maximum(a, 0.0)),
    "rsqrt": Entry(ref=lambda xp, a: 1 / xp.sqrt(a)),
    "erf": Entry(ref=special("erf")),
    "frac": Entry(ref=lambda xp, a: a - xp.trunc(a)),
    "round_decimals": Entry(
        O.decimals,
        lambda a, decimals: public("round")(a, decimals=decimals),
        lambda xp, a, decimals: xp.round(a, decimals=decimals),
    ),
    "rsub": Entry(O.rsub, ref=lambda xp, a, other, alpha: xp.subtract(other, alpha * a)),
    "pow": Entry(O.pow_scalar, ref=lambda xp, a, exponent: xp.pow(a, exponent)),
    "pow_tensor": Entry(call=function("pow")),
    "pow_scalar_base": Entry(
        O.scalar_base, lambda a, base: public("pow")(base, a), lambda xp, a, base: xp.pow(base, a)
    ),
    "div_rounding_mode": Entry(O.rounding_mode, function("div"), R.rounding_division),
    "remainder": Entry(O.scalar_other, ref=lambda xp, a, other: xp.remainder(a, other)),
    "remainder_tensor": Entry(call=function("remainder")),
    "remainder_scalar_self": Entry(
        O.scalar_base,
        lambda a, base: public("remainder")(base, a),
        lambda xp, a, base: xp.remainder(base, a),
    ),
    "rsub_tensor": Entry(
        call=function("rsub"), ref=lambda xp, a, b, alpha: xp.subtract(b, alpha * a)
    ),
    "lerp": Entry(ref=lambda xp, a, b, weight: a + weight * (b - a)),
    "lerp_tensor": Entry(call=function("lerp"), ref=lambda xp, a, b, w: a + w * (b - a)),
    "clamp": Entry(O.clamp, ref=lambda xp, a, min, max: xp.clip(a, min, max)),
    "clamp_tensor": Entry(
        O.clamp_tensors, function("clamp"), lambda xp, a, lo, hi: xp.minimum(xp.maximum(a, lo), hi)
    ),
    "clamp_min": Entry(O.clamp_bound("min"), ref=lambda xp, a, min: xp.maximum(a, min)),
    "clamp_max": Entry(O.clamp_bound("max"), ref=lambda xp, a, max: xp.minimum(a, max)),
}

REDUCTIONS = {
    "sum_dim": Entry(call=function("sum")),
    "mean_dim": Entry(call=function("mean")),
    "prod_dim": Entry(O.single_dim, function("prod")),
    "logsumexp": Entry(ref=R.logsumexp),
    "all": Entry(S.comparison),
    "any": Entry(S.comparison),
    "cumsum": Entry(O.one_dim, ref=lambda xp, a, dim: xp.cumsum(a, axis=dim)),
    "cumprod": Entry(O.one_dim, ref=lambda xp, a, dim: xp.cumprod(a, axis=dim)),
    "max_dim": Entry(O.single_dim, function("max"), R.max_with_index),
    "min_dim": Entry(
        O.single_dim,
        function("min"),
        lambda xp, a, dim, keepdim: R.max_with_index(xp, a, dim, keepdim, "min"),
    ),
    "argmax": Entry(O.optional_dim),
    "argmin": Entry(O.optional_dim),
    "var": Entry(O.statistic),
    "std": Entry(O.statistic),
    "sum_to_size": Entry(SH.sum_to_size, lambda a, size: a.sum_to_size(size), R.summed_to),
}

LINALG = {
    "mm": Entry(S.signature("nk,km")),
    "mv": Entry(S.signature("nk,k")),
    "dot": Entry(S.signature("k,k")),
    "bmm": Entry(S.signature("bnk,bkm")),
    "outer": Entry(S.signature("n,m"), ref=lambda xp, a, b: xp.multiply(a[:, None], b[None, :])),
    "addmm": Entry(
        O.addmm, ref=lambda xp, a, b, c, beta, alpha: beta * a + alpha * xp.matmul(b, c)
    ),
    # PyTorch's matmul of a batch by a matrix ends in UnsafeViewBackward0, of a vector by
    # a matrix in squeeze_(0) (SqueezeBackward4).
    "_unsafe_view": Entry(S.signature("bnk,km"), _matmul.call, _matmul.ref),
    "squeeze_dim_": Entry(S.signature("k,km"), _matmul.call, _matmul.ref),
}

SHAPES = {
    "view": Entry(
        SH.view, lambda a, shape: a.view(shape), lambda xp, a, shape: xp.reshape(a, shape)
    ),
    "t": Entry(SH.t, ref=lambda xp, a: xp.permute_dims(a, tuple(reversed(range(a.ndim))))),
    "transpose": Entry(SH.transpose, ref=R.swapped),
    "permute": Entry(
        SH.permute,
        lambda a, dims: a.permute(*dims),
        lambda xp, a, dims: xp.permute_dims(a, tuple(d % a.ndim for d in dims)),
    ),
    "expand": Entry(SH.expand, lambda a, sizes: a.expand(*sizes), R.expanded),
    "unsqueeze": Entry(SH.unsqueeze, ref=lambda xp, a, dim: xp.expand_dims(a, axis=dim)),
    "squeeze": Entry(SH.squeezing(None), ref=R.squeezed),
    "squeeze_dim": Entry(SH.squeezing("int"), function("squeeze"), R.squeezed),
    "squeeze_dims": Entry(SH.squeezing("tuple"), function("squeeze"), R.squeezed),
    # In-place view ops, on a clone (a leaf that requires grad refuses them).
    "t_": Entry(
        SH.t,
        lambda a: a.clone().t_(),
        lambda xp, a: xp.permute_dims(a, tuple(reversed(range(a.ndim)))),
    ),
    "transpose_": Entry(
        SH.transpose, lambda a, dim0, dim1: a.clone().transpose_(dim0, dim1), R.swapped
    ),
    "unsqueeze_": Entry(
        SH.unsqueeze,
        lambda a, dim: a.clone().unsqueeze_(dim),
        lambda xp, a, dim: xp.expand_dims(a, axis=dim),
    ),
    "squeeze_": Entry(SH.squeezing(None), lambda a, dim: a.clone().squeeze_(), R.squeezed),
    "squeeze_dims_": Entry(
        SH.squeezing("tuple"), lambda a, dim: a.clone().squeeze_(dim), R.squeezed
    ),
    "cat": Entry(
        SH.cat,
        lambda *tensors, dim: public("cat")(list(tensors), dim=dim),
        lambda xp, *arrays, dim: xp.concat(list(arrays), axis=dim),
    ),
    "stack": Entry(
        SH.stack,
        lambda *tensors, dim: public("stack")(list(tensors), dim=dim),
        lambda xp, *arrays, dim: xp.stack(list(arrays), axis=dim),
    ),
    "split": Entry(SH.split, R.split_call, R.pieces),
    "split_with_sizes": Entry(SH.split_with_sizes, R.split_call, R.pieces),
    "unbind": Entry(
        SH.unbind,
        ref=lambda xp, a, dim: tuple(xp.moveaxis(a, dim, 0)[i] for i in range(a.shape[dim])),
    ),
    "flip": Entry(SH.flip, R.flip_call, lambda xp, a, dims: xp.flip(a, axis=dims)),
    "roll": Entry(SH.roll, ref=lambda xp, a, shifts, dims: xp.roll(a, shifts, axis=dims)),
    "repeat": Entry(
        SH.repeat, lambda a, repeats: a.repeat(repeats), lambda xp, a, repeats: xp.tile(a, repeats)
    ),
    "tril": Entry(SH.triangle, ref=lambda xp, a, diagonal: xp.tril(a, k=diagonal)),
    "triu": Entry(SH.triangle, ref=lambda xp, a, diagonal: xp.triu(a, k=diagonal)),
}

INDEXING = {
    "select": Entry(
        SH.select, ref=lambda xp, a, dim, index: a[(slice(None),) * (dim % a.ndim) + (index,)]
    ),
    "slice": Entry(SH.slice_, lambda a, key: a[key], lambda xp, a, key: a[key]),
    "alias": Entry(S.unary, lambda a: a[...], lambda xp, a: a[...]),
    "select_backward": Entry(SH.select_backward, R.index_grad, R.scattered),
    "slice_backward": Entry(SH.slice_backward, R.index_grad, R.scattered),
    "index": Entry(SH.index, lambda a, key: a[key], lambda xp, a, key: a[key]),
    "index_put": Entry(
        SH.index_put,
        R.index_put_call,
        lambda xp, a, v, indices, accumulate: put(xp, a, indices, v, accumulate),
    ),
    "copy_slices": Entry(SH.copy_slices, R.assigned, lambda xp, a, src, key: put(xp, a, key, src)),
    "gather": Entry(SH.gather, ref=R.gathered),
    "scatter": Entry(SH.scatter, R.scatter_call, R.scattered_along),
    "scatter_value": Entry(SH.scatter_value, R.scatter_call, R.scattered_along),
    "scatter_add": Entry(
        SH.scatter,
        R.scatter_add_call,
        lambda xp, a, src, dim, index: R.scattered_along(
            xp, a, src, dim=dim, index=index, add=True
        ),
    ),
    "index_select": Entry(
        SH.index_select, ref=lambda xp, a, dim, index: xp.take(a, index, axis=dim)
    ),
    "take": Entry(SH.take, ref=lambda xp, a, index: xp.take(xp.reshape(a, (-1,)), index)),
    "masked_fill": Entry(
        SH.masked("number"), R.masked_fill_call, lambda xp, a, mask, value: xp.where(mask, value, a)
    ),
    "masked_fill_tensor": Entry(
        SH.masked("tensor"), R.masked_fill_call, lambda xp, a, v, mask: xp.where(mask, v, a)
    ),
    "masked_select": Entry(SH.masked(None), ref=R.masked_select),
    "nonzero": Entry(S.comparison, ref=lambda xp, a: xp.argwhere(a)),
}

CONVERSIONS = {
    "to": Entry(
        O.to,
        lambda a, dtype: a.to(getattr(retrograd, dtype)),
        lambda xp, a, dtype: a.astype(getattr(xp, dtype)),
    ),
    "zero": Entry(call=lambda a: a.clone().zero_()),
    "fill": Entry(
        O.fill,
        lambda a, value: a.clone().fill_(value),
        lambda xp, a, value: xp.full(a.shape, value, dtype=a.dtype),
    ),
    "fill_tensor": Entry(
        O.fill_tensor,
        lambda a, value: a.clone().fill_(value),
        lambda xp, a, value: xp.broadcast_to(value, a.shape),
    ),
    "copy": Entry(
        O.copy, lambda a, b: a.clone().copy_(b), lambda xp, a, b: xp.broadcast_to(b, a.shape)
    ),
    # torch.fill, the functional fill_ (retrograd/ops/functional_fill.py)
    "fill_out": Entry(
        O.fill,
        lambda a, value: retrograd.fill(a, value),
        lambda xp, a, value: xp.full(a.shape, value, dtype=a.dtype),
    ),
    "fill_out_tensor": Entry(
        O.fill_tensor,
        lambda a, value: retrograd.fill(a, value),
        lambda xp, a, value: xp.broadcast_to(value, a.shape),
    ),
}

NN = {
    "leaky_relu": Entry(
        O.with_params(negative_slope=(0.01, 0.2, 1.5)),
        ref=lambda xp, a, negative_slope: xp.where(a > 0, a, a * negative_slope),
    ),
    "gelu": Entry(O.with_params(approximate=("none", "tanh")), ref=R.gelu),
    "silu": Entry(ref=lambda xp, a: a / (1 + xp.exp(-a))),
    "softplus": Entry(O.with_params(beta=(1.0, 2.0, 0.5), threshold=(20.0,)), ref=R.softplus),
    "elu": Entry(
        O.with_params(alpha=(1.0, 0.5)),
        ref=lambda xp, a, alpha: xp.where(a > 0, a, alpha * (xp.exp(a) - 1)),
    ),
    "softmax": Entry(O.one_dim, ref=R.softmax),
    "log_softmax": Entry(O.one_dim, ref=R.log_softmax),
    "mse_loss": Entry(
        O.pair_loss, ref=lambda xp, a, t, reduction: R.reduced(xp, (a - t) ** 2, reduction)
    ),
    "nll_loss": Entry(O.class_loss(0), ref=R.nll),
    "nll_loss2d": Entry(O.class_loss(2), function("nll_loss"), R.nll),
    # The mean of cross_entropy with class probabilities ends in ``total / n``.
    "div_scalar": Entry(O.probabilities, function("cross_entropy"), R.soft_cross_entropy),
    "binary_cross_entropy": Entry(O.target_loss, ref=R.bce),
    # F's function: torch.binary_cross_entropy_with_logits takes ``reduction`` as an int
    "binary_cross_entropy_with_logits": Entry(
        O.pair_loss,
        lambda *t, **p: retrograd.nn.functional.binary_cross_entropy_with_logits(*t, **p),
        R.bce_logits,
    ),
}

# retrograd/ops/pointwise_extra.py
POINTWISE_EXTRA = {
    "copysign_scalar": Entry(
        O.scalar_other,
        lambda a, other: public("copysign")(a, other),
        lambda xp, a, other: xp.copysign(a, xp.asarray(other, dtype=a.dtype)),
    ),
    "xlogy": Entry(ref=R.xlogy),
    "xlogy_scalar_self": Entry(
        O.with_params(scalar=(2.5, 0.0, -1.5)),
        lambda a, scalar: public("xlogy")(scalar, a),
        lambda xp, a, scalar: R.xlogy(xp, xp.asarray(scalar, dtype=a.dtype), a),
    ),
    "xlogy_scalar_other": Entry(
        O.with_params(other=(2.5, 0.5, 3.0)),
        lambda a, other: public("xlogy")(a, other),
        lambda xp, a, other: R.xlogy(xp, a, xp.asarray(other, dtype=a.dtype)),
    ),
    "logit": Entry(O.logit, ref=R.logit),
    "addcmul": Entry(ref=lambda xp, a, b, c: a + b * c),
    "addcdiv": Entry(ref=lambda xp, a, b, c: a + b / c),
}

# nn.functional's further activations and losses (their defaults' kinks are sampled around).
NN_MORE = {
    "hardtanh": Entry(ref=lambda xp, a: xp.clip(a, -1.0, 1.0)),
    "hardsigmoid": Entry(ref=lambda xp, a: xp.clip(a + 3, 0.0, 6.0) / 6),
    "hardswish": Entry(ref=lambda xp, a: a * xp.clip(a + 3, 0.0, 6.0) / 6),
    "threshold": Entry(
        O.with_params(threshold=(0.0,), value=(-1.0, 2.0)),
        ref=lambda xp, a, threshold, value: xp.where(a <= threshold, value, a),
    ),
    "hardshrink": Entry(ref=lambda xp, a: xp.where(xp.abs(a) <= 0.5, 0.0, a)),
    "softshrink": Entry(
        ref=lambda xp, a: xp.where(a > 0.5, a - 0.5, xp.where(a < -0.5, a + 0.5, 0.0))
    ),
    "celu": Entry(
        O.with_params(alpha=(1.0, 0.5)),
        ref=lambda xp, a, alpha: xp.where(a > 0, a, alpha * (xp.exp(a / alpha) - 1)),
    ),
    "glu": Entry(O.halving, ref=R.glu),
    "mish": Entry(ref=lambda xp, a: a * xp.tanh(xp.log1p(xp.exp(a)))),
    "logsigmoid": Entry(ref=lambda xp, a: -xp.log1p(xp.exp(-a))),
    "huber_loss": Entry(O.pair_loss_with("delta", (1.0, 0.3)), ref=R.huber),
    "smooth_l1_loss": Entry(O.pair_loss_with("beta", (1.0, 0.3)), ref=R.smooth_l1),
}

# The ATen overloads C++ compositions record, and the margin losses' records.
MARGIN_AND_DISTANCE = {
    "add_scalar": Entry(
        O.scalar_other,
        lambda a, other: retrograd.ops.aten_overloads.add_scalar(a, other),
        lambda xp, a, other: a + other,
    ),
    "sub_scalar": Entry(
        O.scalar_other,
        lambda a, other: retrograd.ops.aten_overloads.sub_scalar(a, other),
        lambda xp, a, other: a - other,
    ),
    "mul_scalar": Entry(
        O.scalar_other,
        lambda a, other: retrograd.ops.aten_overloads.mul_scalar(a, other),
        lambda xp, a, other: a * other,
    ),
    "norm_scalaropt_dim": Entry(
        call=lambda a, **kw: retrograd.ops.aten_overloads.norm_scalaropt_dim(a, **kw)
    ),
    "soft_margin_loss": Entry(O.margin_target, ref=R.soft_margin),
    "multi_margin_loss": Entry(O.multi_margin, ref=R.multi_margin),
}

TABLE: dict[str, Entry] = {
    **ELEMENTWISE, **REDUCTIONS, **LINALG, **SHAPES, **INDEXING, **CONVERSIONS, **NN, **NN_MORE,
    **POINTWISE_EXTRA, **MARGIN_AND_DISTANCE,
}  # fmt: skip

# retrograd/ops/{shape,linalg,reductions,scans}_more.py
MORE_SHAPE_LINALG_REDUCTIONS = {
    "rot90": Entry(SH.rot90, ref=lambda xp, a, k, dims: xp.rot90(a, k, axes=dims)),
    "diag_embed": Entry(SH.diag_embed, ref=R.diag_embed),
    "block_diag": Entry(SH.block_diag, lambda *blocks: public("block_diag")(*blocks), R.block_diag),
    "trace": Entry(S.signature("nm"), ref=lambda xp, a: xp.trace(a)),
    "cross": Entry(SH.cross, ref=lambda xp, a, b, dim: xp.cross(a, b, axis=dim)),
    "nansum": Entry(ref=lambda xp, a, dim, keepdim: xp.nansum(a, axis=dim, keepdims=keepdim)),
    "aminmax": Entry(
        O.optional_dim,
        lambda a, dim, keepdim: public("aminmax")(a, dim=dim, keepdim=keepdim),
        lambda xp, a, dim, keepdim: (
            xp.min(a, axis=dim, keepdims=keepdim),
            xp.max(a, axis=dim, keepdims=keepdim),
        ),
    ),
    "cummax": Entry(O.one_dim, ref=lambda xp, a, dim: R.running_extremum(xp, a, dim, "maximum")),
    "cummin": Entry(O.one_dim, ref=lambda xp, a, dim: R.running_extremum(xp, a, dim, "minimum")),
    "logcumsumexp": Entry(O.one_dim, ref=lambda xp, a, dim: xp.logaddexp.accumulate(a, axis=dim)),
}
TABLE.update(MORE_SHAPE_LINALG_REDUCTIONS)

# retrograd/ops/norm_layers.py (normalization and attention layers)
NORM_LAYERS = {
    "group_norm": Entry(
        O.group_norm,
        lambda a, w, b, num_groups, eps: retrograd.nn.functional.group_norm(
            a, num_groups, w, b, eps
        ),
        R.group_norm,
    ),
    "native_batch_norm": Entry(
        O.native_batch_norm,
        lambda a, w, b, running_mean, running_var, training, eps: (
            retrograd.ops.norm_layers.native_batch_norm(
                a, w, b, running_mean.clone(), running_var.clone(), training, 0.1, eps
            )
        ),
        R.native_batch_norm,
    ),
    "native_layer_norm": Entry(
        O.native_layer_norm,
        lambda a, w, b, normalized_dims, eps: retrograd.ops.norm_layers.native_layer_norm(
            a, normalized_dims, w, b, eps
        ),
        R.native_layer_norm,
    ),
    "pixel_shuffle": Entry(O.pixel_shuffle, ref=R.pixel_shuffle),
    "pixel_unshuffle": Entry(O.pixel_unshuffle, ref=R.pixel_unshuffle),
    "channel_shuffle": Entry(O.channel_shuffle, ref=R.channel_shuffle),
}
TABLE.update(NORM_LAYERS)

# retrograd/ops/result_activations.py: the in-place activations' nodes, called through
# their out-of-place result forms (a leaf cannot be written in place); rrelu with a fixed
# noise (its random draw is retrograd.random's, tested against PyTorch's stream).


def _result_form(name: str):
    return lambda a, **kw: getattr(retrograd.ops.result_activations, name)(a, **kw)


def _rrelu_call(name: str):
    def call(a, lower, upper, training):
        noise = None
        if training:  # a slope of 0.3 where the input is <= 0, as a draw could give
            noise = (a.detach() <= 0).to(a.dtype) * -0.7 + 1.0
        return getattr(retrograd.ops.result_activations, name)(a, noise, lower, upper, training)

    return call


def _rrelu_ref(xp, a, lower, upper, training):
    return xp.where(a <= 0, a * (0.3 if training else (lower + upper) / 2), a)


_RRELU_PARAMS = O.with_params(lower=(0.125,), upper=(1 / 3,), training=(False, True))
IN_PLACE_ACTIVATIONS = {
    "elu_result": Entry(
        O.with_params(alpha=(1.0, 0.5)),
        _result_form("elu_result"),
        lambda xp, a, alpha: xp.where(a > 0, a, alpha * (xp.exp(a) - 1)),
    ),
    "celu_result": Entry(
        O.with_params(alpha=(1.0, 0.5)),
        _result_form("celu_result"),
        lambda xp, a, alpha: xp.where(a > 0, a, alpha * (xp.exp(a / alpha) - 1)),
    ),
    "leaky_relu_result": Entry(
        O.with_params(negative_slope=(0.01, 0.2, 1.5)),
        _result_form("leaky_relu_result"),
        lambda xp, a, negative_slope: xp.where(a > 0, a, a * negative_slope),
    ),
    "threshold_in_place": Entry(
        O.with_params(threshold=(0.0,), value=(-1.0, 2.0)),
        _result_form("threshold_in_place"),
        lambda xp, a, threshold, value: xp.where(a <= threshold, value, a),
    ),
    "rrelu_with_noise": Entry(_RRELU_PARAMS, _rrelu_call("rrelu_with_noise"), _rrelu_ref),
    "rrelu_with_noise_result": Entry(
        _RRELU_PARAMS, _rrelu_call("rrelu_with_noise_result"), _rrelu_ref
    ),
}
TABLE.update(IN_PLACE_ACTIVATIONS)

# retrograd/ops/numeric_more.py: cdist's two records
NUMERIC_MORE = {
    "cdist": Entry(SH.cdist, ref=R.cdist),
    "euclidean_dist": Entry(
        SH.euclidean_dist,
        lambda a, b: retrograd.ops.numeric_more.euclidean_dist(a, b),
        lambda xp, a, b: R.cdist(xp, a, b, 2.0),
    ),
}
TABLE.update(NUMERIC_MORE)

# retrograd/ops/sequence_packing.py: the packing under nn.utils.rnn.pack_padded_sequence
SEQUENCE_PACKING = {
    "_pack_padded_sequence": Entry(
        O.pack_padded_sequence,
        lambda a, lengths, batch_first: retrograd.ops.sequence_packing.pack_padded_sequence_rows(
            a, lengths, batch_first
        ),
        R.pack_padded_sequence,
    ),
}
TABLE.update(SEQUENCE_PACKING)

# retrograd/ops/attention.py, prelu.py, pdist.py: attention and small layers
ATTENTION_AND_SMALL_LAYERS = {
    "_scaled_dot_product_flash_attention_for_cpu": Entry(
        O.flash_attention,
        lambda q, k, v, bias, scale: retrograd.ops.attention.flash_attention(q, k, v, bias, scale),
        R.flash_attention,
    ),
    "_prelu_kernel": Entry(O.prelu, lambda a, w: retrograd.ops.prelu.prelu(a, w), R.prelu),
    "_pdist_forward": Entry(O.pdist, lambda a, p: retrograd.ops.pdist.pdist(a, p), R.pdist),
}
TABLE.update(ATTENTION_AND_SMALL_LAYERS)

# retrograd/ops/linalg_solvers.py and linalg_spectral.py (retrograd.linalg)
LINALG_DECOMPOSITIONS = {
    "det": Entry(LS.square, ref=lambda xp, a: xp.linalg.det(a)),
    "slogdet": Entry(LS.square, ref=lambda xp, a: tuple(xp.linalg.slogdet(a))),
    "inverse": Entry(LS.square, ref=lambda xp, a: xp.linalg.inv(a)),
    "linalg_solve_ex": Entry(LS.system, lambda a, b: retrograd.linalg.solve(a, b), LS.solve_ref),
    "linalg_cholesky_ex": Entry(
        LS.symmetric, lambda a: retrograd.linalg.cholesky(a + a.mT), LS.cholesky_ref
    ),
    "cholesky": Entry(LS.symmetric, LS.torch_cholesky, LS.cholesky_ref),
    "linalg_qr": Entry(
        LS.qr_sample,
        lambda a, mode: tuple(retrograd.linalg.qr(a, mode)),
        lambda xp, a, mode: tuple(xp.linalg.qr(a, mode=mode)),
    ),
    "linalg_svd": Entry(LS.rectangular, LS.svd_call, LS.svd_ref),
    "linalg_eigh": Entry(LS.symmetric, LS.eigh_call, LS.eigh_ref),
    "linalg_pinv": Entry(
        LS.rectangular, lambda a: retrograd.linalg.pinv(a), lambda xp, a: xp.linalg.pinv(a)
    ),
    "linalg_solve_triangular": Entry(
        LS.triangular_system,
        lambda a, b, **kw: retrograd.linalg.solve_triangular(a, b, **kw),
        LS.triangular_ref,
    ),
    "cholesky_solve": Entry(LS.cholesky_system, ref=LS.cholesky_solve_ref),
    "cholesky_inverse": Entry(LS.cholesky_factor, ref=LS.cholesky_inverse_ref),
    "matrix_exp": Entry(LS.small_square, ref=LS.matrix_exp_ref),
    "linalg_lu_factor_ex": Entry(
        LS.rectangular, lambda a: retrograd.linalg.lu_factor_ex(a).LU, LS.lu_packed_ref
    ),
    "linalg_lu": Entry(LS.rectangular, LS.lu_call, LS.lu_ref),
    "lu_unpack": Entry(LS.rectangular, LS.lu_unpack_call, LS.lu_ref),
    "linalg_lu_solve": Entry(LS.lu_system, LS.lu_solve_call, LS.lu_solve_ref),
    "linalg_lstsq": Entry(
        LS.least_squares, lambda a, b: retrograd.linalg.lstsq(a, b).solution, LS.lstsq_ref
    ),
    "linalg_ldl_factor_ex": Entry(
        LS.dominant, lambda a: retrograd.linalg.ldl_factor_ex(a + a.mT).LD, LS.ldl_ref
    ),
    "triangular_solve": Entry(
        LS.legacy_triangular_system, LS.legacy_triangular_call, LS.legacy_triangular_ref
    ),
    "geqrf": Entry(LS.rectangular, HS.geqrf_call, HS.geqrf_ref),
    "linalg_ldl_solve": Entry(HS.ldl_system, HS.ldl_solve_call, HS.ldl_solve_ref),
}
TABLE.update(LINALG_DECOMPOSITIONS)

# retrograd/ops/convolution.py and im2col.py: ConvolutionBackward0, Im2Col, Col2Im
CONVOLUTION = {
    "convolution": Entry(
        CV.convolution_sample,
        lambda a, w, b, **kw: retrograd.ops.convolution.convolution(a, w, b, **kw),
        CV.convolution,
    ),
    "im2col": Entry(CV.im2col_sample, function("unfold"), CV.im2col),
    "col2im": Entry(CV.col2im_sample, function("fold"), CV.col2im),
}
TABLE.update(CONVOLUTION)

# retrograd/ops/upsample.py: F.interpolate's resampling ops (conformance/resampling.py)
TABLE.update(RESAMPLING)

# retrograd/ops/{sorting,selection,uniques}.py: sorting and selection
TABLE.update(SORTING)

# retrograd/ops/pooling.py and padding.py (pooling and padding as PyTorch's nodes)
_F = retrograd.nn.functional
POOLING_AND_PADDING = {
    "max_pool2d_with_indices": Entry(
        P.max_pool(2), lambda a, **kw: _F.max_pool2d(a, **kw), P.max_pool_ref
    ),
    "max_pool3d_with_indices": Entry(
        P.max_pool(3), lambda a, **kw: _F.max_pool3d(a, **kw), P.max_pool_ref
    ),
    "avg_pool2d": Entry(P.avg_pool(2), lambda a, **kw: _F.avg_pool2d(a, **kw), P.avg_pool_ref),
    "avg_pool3d": Entry(P.avg_pool(3), lambda a, **kw: _F.avg_pool3d(a, **kw), P.avg_pool_ref),
    "adaptive_avg_pool2d": Entry(
        P.adaptive(2, False), lambda a, **kw: _F.adaptive_avg_pool2d(a, **kw), P.adaptive_avg_ref
    ),
    "adaptive_avg_pool3d": Entry(
        P.adaptive(3, False), lambda a, **kw: _F.adaptive_avg_pool3d(a, **kw), P.adaptive_avg_ref
    ),
    "adaptive_max_pool2d": Entry(
        P.adaptive(2, True), lambda a, **kw: _F.adaptive_max_pool2d(a, **kw), P.adaptive_max_ref
    ),
    "adaptive_max_pool3d": Entry(
        P.adaptive(3, True), lambda a, **kw: _F.adaptive_max_pool3d(a, **kw), P.adaptive_max_ref
    ),
    "max_unpool2d": Entry(
        P.max_unpool(2), lambda a, **kw: _F.max_unpool2d(a, **kw), P.max_unpool_ref(2)
    ),
    "max_unpool3d": Entry(
        P.max_unpool(3), lambda a, **kw: _F.max_unpool3d(a, **kw), P.max_unpool_ref(3)
    ),
    "constant_pad_nd": Entry(
        P.padding(2, "constant"),
        lambda a, pad, value: _F.pad(a, pad, value=value),
        P.pad_ref("constant"),
    ),
    **{
        f"{kind}_pad{dims}d": Entry(
            P.padding(dims, mode),
            lambda a, pad, mode=mode: _F.pad(a, pad, mode=mode),
            P.pad_ref(mode),
        )
        for dims in (1, 2, 3)
        for kind, mode in (("reflection", "reflect"), ("replication", "replicate"))
    },
}
TABLE.update(POOLING_AND_PADDING)

# retrograd/ops/pointwise_misc.py: the Python-number overload of fmod takes its number as
# ``remainder``'s does; the other records call retrograd.<name> and compare with xp's.
POINTWISE_MISC = {
    "fmod": Entry(O.scalar_other, ref=lambda xp, a, other: xp.fmod(a, other)),
    "fmod_tensor": Entry(call=function("fmod")),
    "erfc": Entry(ref=special("erfc")),
    # the in-place forms' result records, called out of place
    **{
        f"{name}_result": Entry(
            call=lambda a, name=name: getattr(retrograd.ops.pointwise_misc, f"{name}_result")(a),
            ref=lambda xp, a, name=name: getattr(xp, name)(a),
        )
        for name in ("acosh", "asinh", "atanh")
    },
}
TABLE.update(POINTWISE_MISC)

# retrograd/ops/index_ops.py
INDEX_WRITES = {
    "index_add": Entry(IX.with_source, IX.index_add_call, IX.added),
    "index_copy": Entry(IX.with_source, IX.index_copy_call, IX.copied),
    "index_fill": Entry(IX.fill, IX.index_fill_call, IX.filled),
    "index_fill_tensor": Entry(IX.fill, IX.index_fill_call, IX.filled),
    "masked_scatter": Entry(IX.masked_scatter, IX.masked_scatter_call, IX.masked_scattered),
}
TABLE.update(INDEX_WRITES)

# retrograd/ops/scatter_reductions.py: a drawn reduction and include_self
SCATTER_REDUCTIONS = {
    "scatter_reduce": Entry(RX.scatter_reduce, RX.scatter_reduce_call, RX.scatter_reduced),
    "index_reduce": Entry(RX.index_reduce, RX.index_reduce_call, RX.index_reduced),
}
TABLE.update(SCATTER_REDUCTIONS)

# retrograd/ops/{unsafe_splits,flat_writes}.py: split's samples and references
TENSORFNS = {
    "unsafe_split": Entry(
        SH.split, lambda a, split, dim: public("unsafe_split")(a, split, dim), R.pieces
    ),
    "unsafe_split_with_sizes": Entry(
        SH.split_with_sizes,
        lambda a, split, dim: public("unsafe_split_with_sizes")(a, split, dim),
        R.pieces,
    ),
    "put": Entry(PT.sample, PT.call, PT.reference),
    "bitwise_left_shift": Entry(ref=BT.left_shifted),
    "bitwise_right_shift": Entry(ref=BT.right_shifted),
    "ldexp": Entry(ref=BT.ldexp),
    "nextafter": Entry(ref=BT.nextafter),
    "frexp": Entry(ref=BT.frexp),
    "renorm": Entry(PT.renorm_sample, PT.renorm_call, PT.renormed),
}
TABLE.update(TENSORFNS)

# retrograd/ops/diagonals.py
DIAGONALS = {
    "diagonal": Entry(DG.diagonal, ref=DG.diagonal_ref),
    "diagonal_copy": Entry(DG.diagonal, ref=DG.diagonal_ref),
    "diagonal_scatter": Entry(DG.diagonal_scatter, ref=DG.diagonal_scattered),
    "select_scatter": Entry(DG.select_scatter, ref=DG.select_scattered),
    "slice_scatter": Entry(DG.slice_scatter, ref=DG.slice_scattered),
    "unfold": Entry(
        DG.unfold, lambda a, dimension, size, step: a.unfold(dimension, size, step), DG.unfolded
    ),
}
TABLE.update(DIAGONALS)

# retrograd/ops/products_more.py: beta * self + alpha * product, self broadcasting
PRODUCTS_MORE = {
    "addmv": Entry(
        PX.add_product("n,nk,k"), ref=lambda xp, a, b, c, beta, alpha: beta * a + alpha * (b @ c)
    ),
    "addr": Entry(
        PX.add_product("nk,n,k"),
        ref=lambda xp, a, b, c, beta, alpha: beta * a + alpha * (b[:, None] * c[None, :]),
    ),
    "baddbmm": Entry(
        PX.add_product("bnm,bnk,bkm"),
        ref=lambda xp, a, b, c, beta, alpha: beta * a + alpha * xp.matmul(b, c),
    ),
    "addbmm": Entry(
        PX.add_product("nm,bnk,bkm"),
        ref=lambda xp, a, b, c, beta, alpha: beta * a + alpha * xp.sum(xp.matmul(b, c), axis=0),
    ),
    "vdot": Entry(S.signature("k,k")),
}
TABLE.update(PRODUCTS_MORE)

# retrograd/ops/statistics_more.py: std_mean/var_mean sampled as std/var are; dist of two
# broadcast tensors and a p
STATISTICS_MORE = {
    "std_mean": Entry(
        O.statistic,
        lambda a, dim, keepdim, correction: public("std_mean")(
            a, dim=dim, keepdim=keepdim, correction=correction
        ),
        lambda xp, a, dim, keepdim, correction: (
            xp.std(a, axis=dim, keepdims=keepdim, correction=correction),
            xp.mean(a, axis=dim, keepdims=keepdim),
        ),
    ),
    "var_mean": Entry(
        O.statistic,
        lambda a, dim, keepdim, correction: public("var_mean")(
            a, dim=dim, keepdim=keepdim, correction=correction
        ),
        lambda xp, a, dim, keepdim, correction: (
            xp.var(a, axis=dim, keepdims=keepdim, correction=correction),
            xp.mean(a, axis=dim, keepdims=keepdim),
        ),
    ),
    "dist": Entry(
        PX.dist,
        lambda a, b, p: public("dist")(a, b, p),
        lambda xp, a, b, p: xp.sum(xp.abs(a - b) ** p) ** (1 / p),
    ),
}
TABLE.update(STATISTICS_MORE)

# retrograd/ops/{embedding_bag,multilabel_margin,ctc_loss}.py: one-node nn losses and bags,
# and their gradients' records, which PyTorch cannot differentiate (nn_more_cases.py)
NN_MORE = {
    "_embedding": Entry(NM.embedding, NM.embedding_call, NM.embedding_ref),
    "_embedding_dense_backward": Entry(
        NM.embedding_dense_backward,
        NM.embedding_dense_backward_call,
        NM.embedding_dense_backward_ref,
    ),
    "_embedding_bag": Entry(NM.embedding_bag, NM.embedding_bag_call, NM.embedding_bag_ref),
    "_embedding_bag_backward": Entry(
        NM.embedding_bag_backward, NM.embedding_bag_backward_call, NM.embedding_bag_backward_ref
    ),
    "_embedding_bag_per_sample_weights_backward": Entry(
        NM.per_sample_weights_backward,
        NM.per_sample_weights_backward_call,
        NM.per_sample_weights_backward_ref,
    ),
    "multilabel_margin_loss": Entry(NM.multilabel_margin, ref=NM.multilabel_margin_ref),
    "multilabel_margin_loss_backward": Entry(
        NM.multilabel_margin_backward,
        NM.multilabel_margin_backward_call,
        NM.multilabel_margin_backward_ref,
    ),
    "_ctc_loss": Entry(NM.ctc, NM.ctc_call, NM.ctc_ref),
    "_ctc_loss_backward": Entry(NM.ctc_backward, NM.ctc_backward_call, NM.ctc_backward_ref),
    "fractional_max_pool2d": Entry(NM.fractional(2), NM.fractional_call(2), NM.fractional_ref),
    "fractional_max_pool3d": Entry(NM.fractional(3), NM.fractional_call(3), NM.fractional_ref),
}
TABLE.update(NN_MORE)

# retrograd/ops/special_functions.py: scipy.special's functions as the references (SciPy
# for NumPy, jax.scipy.special for JAX); torch.special's names are called there.
_gammaln = scipy_special("gammaln")


def _special_call(name: str):
    return lambda *tensors, **params: getattr(retrograd.special, name)(*tensors, **params)


def _mvlgamma_ref(xp, a, p):
    return sum(_gammaln(xp, a - j / 2) for j in range(p)) + p * (p - 1) / 4 * 1.1447298858494002


def _xlog1py_ref(xp, a, b):
    return xp.where(a == 0, xp.zeros_like(a * b), a * xp.log1p(b))


def _ndtri_sample(record, draw, dtype):
    """ndtri's integer case holds its ends 0 and 1 (-inf and inf), the only integers in
    its domain."""
    if S.is_integer(dtype):
        ends = draw.rng.choice(np.array([0.0, 1.0]), size=draw.shape())
        return S.Sample((np.asarray(ends, dtype=np.float64),))
    return S.unary(record, draw, dtype)


SPECIAL_FUNCTIONS = {
    "lgamma": Entry(ref=_gammaln),
    "digamma": Entry(ref=scipy_special("digamma")),
    "polygamma": Entry(
        O.with_params(n=(0, 1, 2, 3)),
        lambda a, n: public("polygamma")(n, a),
        lambda xp, a, n: scipy_special("polygamma")(xp, a, n),
    ),
    "mvlgamma": Entry(O.with_params(p=(1, 2, 3)), ref=_mvlgamma_ref),
    "erfinv": Entry(ref=scipy_special("erfinv")),
    "i0": Entry(ref=scipy_special("i0")),
    **{
        name: Entry(call=_special_call(name), ref=scipy_special(name))
        for name in ("i0e", "i1", "i1e")
    },
    "entr": Entry(call=_special_call("entr"), ref=lambda xp, a: -a * xp.log(a)),
    "ndtri": Entry(_ndtri_sample, _special_call("ndtri"), scipy_special("ndtri")),
    "log_ndtr": Entry(call=_special_call("log_ndtr"), ref=scipy_special("log_ndtr")),
    "erfcx": Entry(call=_special_call("erfcx"), ref=scipy_special("erfcx")),
    "xlog1py": Entry(call=_special_call("xlog1py"), ref=_xlog1py_ref),
    "xlog1py_scalar_self": Entry(
        O.with_params(scalar=(2.5, 0.0, -1.5)),
        lambda a, scalar: retrograd.special.xlog1py(scalar, a),
        lambda xp, a, scalar: _xlog1py_ref(xp, xp.asarray(scalar, dtype=a.dtype), a),
    ),
    "xlog1py_scalar_other": Entry(
        O.with_params(other=(2.5, 0.5, 3.0)),
        lambda a, other: retrograd.special.xlog1py(a, other),
        lambda xp, a, other: _xlog1py_ref(xp, a, xp.asarray(other, dtype=a.dtype)),
    ),
    # zeta(x, q): x a constant tensor of q's dtype (PyTorch has no derivative in x)
    "zeta": Entry(
        O.with_params(x=(2.0, 3.0, 4.0)),
        lambda q, x: retrograd.special.zeta(retrograd.full_like(q, x), q),
        lambda xp, q, x: scipy_special("zeta")(xp, q, xp.full_like(q, x)),
    ),
    "zeta_scalar_self": Entry(
        O.with_params(scalar=(1.5, 2.0, 4.0)),
        lambda q, scalar: retrograd.special.zeta(scalar, q),
        lambda xp, q, scalar: scipy_special("zeta")(xp, q, xp.asarray(scalar, dtype=q.dtype)),
    ),
    "zeta_scalar_other": Entry(
        O.with_params(other=(0.5, 1.0, 2.5)),
        lambda x, other: retrograd.special.zeta(x, other),
        lambda xp, x, other: scipy_special("zeta")(xp, xp.asarray(other, dtype=x.dtype), x),
    ),
    # igamma(a, x)/igammac(a, x): a a constant tensor of x's dtype (PyTorch has no
    # derivative in a); scipy.special's gammainc/gammaincc as references
    **{
        name: Entry(
            O.with_params(a=(0.5, 2.0, 3.5)),
            lambda x, a, name=name: public(name)(retrograd.full_like(x, a), x),
            lambda xp, x, a, ref=ref: scipy_special(ref)(xp, x, xp.full_like(x, a)),
        )
        for name, ref in (("igamma", "gammainc"), ("igammac", "gammaincc"))
    },
}
TABLE.update(SPECIAL_FUNCTIONS)

"""The torch-level and Tensor-method functions of ``retrograd/ops/{broadcasting,stacking,
diagonals,index_ops,pointwise_misc,closeness,torch_inplace}.py`` and
``retrograd/runtime_settings.py`` against PyTorch (the oracle): values, dtypes,
gradients (first and second order), ``grad_fn`` names and whole graphs of the composed
ops, view semantics, in-place forms, NaN/inf/-0.0, integer and bool inputs, and errors'
types and messages.

Each case is ``f(lib, *tensors)`` run by tests/torch_oracle.py's ``run_both`` with
``lib=retrograd`` and ``lib=torch`` on the same values (float inputs require grad).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import retrograd
from torch_oracle import arr, assert_same_error, graph_names, rand, run_both

torch = pytest.importorskip("torch")
SILENT = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")
NAN, INF = math.nan, math.inf

X, Y, C = rand(3, 4), rand(3, 4, seed=1), rand(2, 3, 4, seed=2)
V = rand(4, seed=3)
S0 = arr(1.5).reshape(())
SPECIAL = arr(0.0, -0.0, 1.5, NAN, -2.0, INF, -INF, 0.0)
SPECIAL2 = arr(-0.0, 0.0, -1.5, 2.0, NAN, INF, 3.0, -INF)
INTS = arr([5, -5, 3, 0], [7, -7, -2, 1], dtype="int64")
DIVISORS = arr([3, 3, -2, 4], [2, -3, 5, 1], dtype="int64")
BOOLS = arr(True, False, True, True, dtype="bool")


def _joined(m, outs):
    """Several outputs as one tensor (each scaled differently, so gradients differ)."""
    return m.cat([o.reshape(-1) * (i + 1) for i, o in enumerate(outs)])


def _idx(m, values):
    return m.tensor(values, dtype=m.int64)


# (fn, values[, second_order])
SHAPES = {
    "broadcast_to": (lambda m, a: m.broadcast_to(a, (3, 4)), [V], True),
    "broadcast_to-method": (lambda m, a: a.broadcast_to((2, 3, 4)), [X]),
    "broadcast_to-keep": (lambda m, a: m.broadcast_to(a, (2, -1, 4)), [X[:1]]),
    "broadcast_tensors": (lambda m, a, b: _joined(m, m.broadcast_tensors(a, b)), [X, V], True),
    "broadcast_tensors-three": (
        lambda m, a, b, c: _joined(m, m.broadcast_tensors(a, b, c)),
        [C, V, S0],
    ),
    **{
        f"atleast_{k}d-{n}d": (lambda m, a, k=k: getattr(m, f"atleast_{k}d")(a), [v], True)
        for k in (1, 2, 3)
        for n, v in ((0, S0), (1, V), (2, X), (3, C))
    },
    "atleast_2d-many": (lambda m, a, b: _joined(m, m.atleast_2d(a, b)), [S0, V]),
    "atleast_3d-list": (lambda m, a, b: _joined(m, m.atleast_3d([a, b])), [X, V]),
    "hstack": (lambda m, a, b: m.hstack([a, b]), [X, Y], True),
    "hstack-vectors": (lambda m, a, b: m.hstack((a, b)), [V, S0]),
    "vstack": (lambda m, a, b: m.vstack([a, b]), [X, V], True),
    "row_stack": (lambda m, a, b: m.row_stack([a, b]), [V, V]),
    "dstack": (lambda m, a, b: m.dstack([a, b]), [X, Y], True),
    "dstack-vectors": (lambda m, a, b: m.dstack([a, b]), [V, V]),
    "column_stack": (lambda m, a, b, c: m.column_stack([a, b, c]), [V, X.T.copy(), V]),
    "column_stack-scalars": (lambda m, a, b: m.column_stack([a, b]), [S0, S0]),
    "hstack-promotes": (lambda m, a, b: m.hstack([a, b]), [INTS, X.astype("float32")]),
    "tensor_split-sections": (lambda m, a: _joined(m, m.tensor_split(a, 3, 1)), [X], True),
    "tensor_split-uneven": (lambda m, a: _joined(m, a.tensor_split(2)), [X]),
    "tensor_split-indices": (lambda m, a: _joined(m, a.tensor_split([1, 3], dim=1)), [X]),
    "tensor_split-past-end": (lambda m, a: _joined(m, m.tensor_split(a, [1, 10])), [X]),
    "tensor_split-negative": (lambda m, a: _joined(m, m.tensor_split(a, [-1], 1)), [X]),
    "tensor_split-decreasing": (lambda m, a: _joined(m, m.tensor_split(a, [3, 1], 1)), [X]),
    "tensor_split-tensor": (lambda m, a: _joined(m, a.tensor_split(_idx(m, [1, 2]), 1)), [X]),
    "tensor_split-0d-tensor": (lambda m, a: _joined(m, a.tensor_split(_idx(m, 2), 1)), [X]),
    "tensor_split-more-than-size": (lambda m, a: _joined(m, m.tensor_split(a, 5)), [V]),
    "hsplit": (lambda m, a: _joined(m, m.hsplit(a, 2)), [X], True),
    "hsplit-vector": (lambda m, a: _joined(m, a.hsplit([1])), [V]),
    "vsplit": (lambda m, a: _joined(m, a.vsplit([1, 2])), [X]),
    "dsplit": (lambda m, a: _joined(m, m.dsplit(a, 2)), [C]),
    "tile": (lambda m, a: m.tile(a, (2,)), [X], True),
    "tile-more-dims": (lambda m, a: a.tile((2, 1, 2)), [X]),
    "tile-int": (lambda m, a: a.tile(2), [INTS]),
    "ravel": (lambda m, a: m.ravel(a), [C], True),
    "ravel-transposed": (lambda m, a: a.t().ravel(), [X]),
    "diag-vector": (lambda m, a: m.diag(a), [V], True),
    "diag-vector-offset": (lambda m, a: a.diag(-2), [V]),
    "diag-matrix": (lambda m, a: m.diag(a), [X], True),
    "diag-matrix-offset": (lambda m, a: a.diag(2), [X]),
    "diag-int": (lambda m, a: m.diag(a, 1), [INTS]),
    "diagonal": (lambda m, a: m.diagonal(a), [X], True),
    **{
        f"diagonal-{o}-{d1}-{d2}": (
            lambda m, a, o=o, d1=d1, d2=d2: a.diagonal(o, d1, d2),
            [C],
            True,
        )
        for o, d1, d2 in ((1, 0, 2), (-1, 2, 1), (0, -1, 0), (5, 1, 2))
    },
    "diagonal-special": (lambda m, a: m.diagonal(a.reshape(2, 4), 1), [SPECIAL]),
    "diagflat": (lambda m, a: m.diagflat(a), [X], True),
    "diagflat-offset": (lambda m, a: a.diagflat(-1), [V]),
    "diagonal_scatter": (lambda m, a, b: m.diagonal_scatter(a, b), [X, rand(3, seed=4)], True),
    "diagonal_scatter-offset": (
        lambda m, a, b: a.diagonal_scatter(b, 1, 2, 0),
        [C, rand(3, 2, seed=5)],
        True,
    ),
    "select_scatter": (lambda m, a, b: m.select_scatter(a, b, 1, -1), [X, rand(3, seed=6)], True),
    "select_scatter-0d": (lambda m, a, b: a.select_scatter(b, 0, 2), [V, S0]),
    "slice_scatter": (
        lambda m, a, b: m.slice_scatter(a, b, 1, 1, None, 2),
        [X, rand(3, 2, seed=7)],
        True,
    ),
    "slice_scatter-defaults": (lambda m, a, b: a.slice_scatter(b), [X, Y]),
    "repeat_interleave": (lambda m, a: m.repeat_interleave(a, 2), [X], True),
    "repeat_interleave-dim": (lambda m, a: a.repeat_interleave(3, dim=1), [X], True),
    "repeat_interleave-0d": (lambda m, a: a.repeat_interleave(2), [S0]),
    "repeat_interleave-zero": (lambda m, a: a.repeat_interleave(0, dim=0), [X]),
    "repeat_interleave-counts": (
        lambda m, a: a.repeat_interleave(_idx(m, [1, 0, 3]), dim=0),
        [X],
        True,
    ),
    "repeat_interleave-one-count": (lambda m, a: m.repeat_interleave(a, _idx(m, [2]), 1), [X]),
    "repeat_interleave-0d-count": (lambda m, a: a.repeat_interleave(_idx(m, 2), dim=-1), [X]),
    "repeat_interleave-output_size": (
        lambda m, a: a.repeat_interleave(_idx(m, [1, 2, 1]), dim=0, output_size=4),
        [X],
    ),
    "repeat_interleave-int": (lambda m, a: a.repeat_interleave(2, dim=0), [INTS]),
    "unfold": (lambda m, a: a.unfold(1, 2, 1), [X], True),
    "unfold-step": (lambda m, a: a.unfold(0, 2, 2), [C], True),
    "unfold-gaps": (lambda m, a: a.unfold(-1, 1, 3), [C], True),
    "unfold-empty-window": (lambda m, a: a.unfold(1, 0, 1), [X]),
    "unfold-int": (lambda m, a: a.unfold(1, 3, 1), [INTS]),
    "unfold-special": (lambda m, a: a.unfold(0, 3, 2), [SPECIAL]),
    "argwhere": (lambda m, a: m.argwhere(a), [SPECIAL]),
    "argwhere-2d": (lambda m, a: a.argwhere(), [INTS]),
    "repeat_interleave-indices": (
        lambda m, a: m.repeat_interleave(a),
        [arr(2, 0, 1, dtype="int64")],
    ),
    "argwhere-0d": (lambda m, a: m.argwhere(a), [S0]),
}
INDEXED = {
    "index_add": (lambda m, a, s: m.index_add(a, 1, _idx(m, [0, 2]), s), [X, rand(3, 2)], True),
    "index_add-repeats-alpha": (
        lambda m, a, s: a.index_add(1, _idx(m, [1, 1, 3]), s, alpha=2.5),
        [X, rand(3, 3, seed=1)],
        True,
    ),
    "index_add-int32-index": (
        lambda m, a, s: a.index_add(0, m.tensor([2, 0], dtype=m.int32), s),
        [X, rand(2, 4, seed=2)],
    ),
    "index_add-int": (lambda m, a, s: a.index_add(0, _idx(m, [1]), s), [INTS, INTS[:1]]),
    "index_copy": (lambda m, a, s: m.index_copy(a, 0, _idx(m, [2, 0]), s), [X, rand(2, 4)], True),
    "index_copy-3d": (lambda m, a, s: a.index_copy(2, _idx(m, [3]), s), [C, rand(2, 3, 1)]),
    "index_fill": (lambda m, a: m.index_fill(a, 1, _idx(m, [0, 3]), -1.5), [X], True),
    "index_fill-negative-index": (lambda m, a: a.index_fill(1, _idx(m, [-1]), 2.0), [X]),
    "index_fill-tensor": (lambda m, a, v: a.index_fill(0, _idx(m, [1]), v), [X, S0], True),
    "index_fill-nan": (lambda m, a: a.index_fill(0, _idx(m, [0, 1]), NAN), [X]),
    "index_fill-bool": (lambda m, a: a.index_fill(0, _idx(m, [1]), True), [BOOLS]),
    "masked_scatter": (lambda m, a, s: m.masked_scatter(a, a.detach() > 0, s), [X, rand(14)], True),
    "masked_scatter-broadcast-mask": (
        lambda m, a, s: a.masked_scatter(m.tensor([True, False, False, True]), s),
        [X, rand(6)],
        True,
    ),
    "masked_scatter-broadcast-input": (
        lambda m, a, s: a.masked_scatter(m.tensor(X) > 0, s),
        [V, rand(12)],
        True,
    ),
    "masked_scatter-none": (lambda m, a, s: a.masked_scatter(a.detach() > 10, s), [X, rand(0)]),
    "masked_scatter-int": (lambda m, a, s: a.masked_scatter(a > 0, s), [INTS, INTS[0]]),
}
POINTWISE = {
    **{
        f"{name}-special": (lambda m, a, name=name: getattr(m, name)(a), [SPECIAL])
        for name in (
            "acosh",
            "asinh",
            "atanh",
            "arccosh",
            "arcsinh",
            "arctanh",
            "deg2rad",
            "rad2deg",
            "sgn",
            "absolute",
            "positive",
        )
    },  # fmt: skip
    "acosh": (lambda m, a: m.acosh(a), [rand(5, low=1.1, high=4.0)], True),
    "asinh": (lambda m, a: a.asinh(), [X], True),
    "atanh": (lambda m, a: a.arctanh(), [rand(5, low=-0.9, high=0.9)], True),
    "atanh-ends": (lambda m, a: m.atanh(a), [arr(-1.0, 1.0, 0.5, -0.0)]),
    "acosh-int": (lambda m, a: m.acosh(a), [INTS]),
    "asinh-bool": (lambda m, a: m.asinh(a), [BOOLS]),
    "deg2rad": (lambda m, a: m.deg2rad(a), [X], True),
    "deg2rad-int": (lambda m, a: a.deg2rad(), [INTS]),
    "deg2rad-bool": (lambda m, a: m.deg2rad(a), [BOOLS]),
    "rad2deg": (lambda m, a: a.rad2deg(), [X.astype("float32")]),
    "sgn": (lambda m, a: m.sgn(a), [X], True),
    "sgn-int": (lambda m, a: a.sgn(), [INTS]),
    "sgn-bool": (lambda m, a: a.sgn(), [BOOLS]),
    "absolute": (lambda m, a: m.absolute(a), [X]),
    "absolute-int": (lambda m, a: a.absolute(), [INTS]),
    "positive": (lambda m, a: m.positive(a), [X]),
    "positive-int": (lambda m, a: a.positive(), [INTS]),
    "fmod": (lambda m, a, b: m.fmod(a, b), [X, rand(3, 4, seed=1, low=0.5, high=2.0)], True),
    "fmod-scalar": (lambda m, a: a.fmod(0.7), [X], True),
    "fmod-negative-scalar": (lambda m, a: m.fmod(a, -1.5), [X]),
    "fmod-broadcast": (lambda m, a, b: m.fmod(a, b), [C, arr(0.5, -1.5, 2.0, 3.0)]),
    "fmod-special": (lambda m, a, b: m.fmod(a, b), [SPECIAL, SPECIAL2]),
    "fmod-special-scalar": (lambda m, a: m.fmod(a, 2.0), [SPECIAL]),
    "fmod-int": (lambda m, a, b: m.fmod(a, b), [INTS, DIVISORS]),
    "fmod-int-scalar": (lambda m, a: a.fmod(-3), [INTS]),
    "fmod-int-float-scalar": (lambda m, a: m.fmod(a, 2.5), [INTS]),
    "fmod-mixed": (lambda m, a, b: m.fmod(a, b), [INTS, X.astype("float32")]),
    "fmax": (lambda m, a, b: m.fmax(a, b), [X, Y], True),
    "fmin": (lambda m, a, b: m.fmin(a, b), [X, Y], True),
    "fmax-special": (lambda m, a, b: m.fmax(a, b), [SPECIAL, SPECIAL2]),
    "fmin-special": (lambda m, a, b: a.fmin(b), [SPECIAL, SPECIAL2]),
    "fmax-ties": (
        lambda m, a, b: m.fmax(a, b),
        [arr(1.0, 2.0, NAN, -0.0), arr(1.0, NAN, 3.0, 0.0)],
    ),
    "fmin-ties": (
        lambda m, a, b: m.fmin(a, b),
        [arr(1.0, 2.0, NAN, 0.0), arr(1.0, NAN, 3.0, -0.0)],
    ),
    "fmax-broadcast": (lambda m, a, b: m.fmax(a, b), [C, V]),
    "fmax-int": (lambda m, a, b: m.fmax(a, b), [INTS, DIVISORS]),
    "fmin-bool": (lambda m, a, b: m.fmin(a, b), [BOOLS, BOOLS[::-1].copy()]),
    "fmax-mixed": (lambda m, a, b: m.fmax(a, b), [INTS, X]),
    "erfc": (lambda m, a: m.erfc(a), [X], True),
    "erfc-wide": (lambda m, a: a.erfc(), [np.linspace(-7.0, 27.0, 341)]),
    "erfc-tails": (lambda m, a: m.erfc(a), [arr(-40.0, -5.5, 1.4999, 1.5, 5.0, 26.5, 27.3)], True),
    "erfc-float32": (lambda m, a: m.erfc(a), [np.linspace(-4.0, 9.0, 53).astype("float32")]),
    "erfc-int": (lambda m, a: m.erfc(a), [INTS]),
    "erfc-bool": (lambda m, a: m.erfc(a), [BOOLS]),
    "logaddexp2": (lambda m, a, b: m.logaddexp2(a, b), [X, Y], True),
    "logaddexp2-special": (lambda m, a, b: a.logaddexp2(b), [SPECIAL, SPECIAL2]),
    "logaddexp2-infinities": (
        lambda m, a, b: m.logaddexp2(a, b),
        [arr(INF, -INF, INF, -INF, 1000.0), arr(INF, -INF, -INF, 3.0, 999.0)],
    ),
    "logaddexp2-float32": (lambda m, a, b: m.logaddexp2(a, b), [X.astype("float32"), V]),
}


B1, B2 = rand(2, 3, 5, seed=8), rand(2, 5, 4, seed=9)
PRODUCTS = {
    "addmv": (lambda m, s, a, v: m.addmv(s, a, v), [rand(3), X, V], True),
    "addmv-scaled": (lambda m, s, a, v: s.addmv(a, v, beta=0.5, alpha=-2), [rand(1), X, V], True),
    "addmv-beta0-nan": (lambda m, s, a, v: m.addmv(s, a, v, beta=0), [arr(NAN, INF, 1.0), X, V]),
    "addmv-int": (
        lambda m, s, a, v: m.addmv(s, a, v, alpha=2),
        [INTS[0, :2], INTS.T.copy(), INTS[1]],
    ),
    "addr": (lambda m, s, a, b: m.addr(s, a, b), [X, rand(3, seed=4), V], True),
    "addr-broadcast": (lambda m, s, a, b: s.addr(a, b, beta=2, alpha=0.5), [V, rand(3), V], True),
    "addr-beta0-nan": (lambda m, s, a, b: m.addr(s, a, b, beta=0), [SPECIAL[:4], rand(1), V]),
    "baddbmm": (lambda m, s, a, b: m.baddbmm(s, a, b), [rand(2, 3, 4), B1, B2], True),
    "baddbmm-scaled": (lambda m, s, a, b: s.baddbmm(a, b, beta=-1, alpha=3), [X, B1, B2], True),
    "addbmm": (lambda m, s, a, b: m.addbmm(s, a, b), [X, B1, B2], True),
    "addbmm-scaled": (lambda m, s, a, b: s.addbmm(a, b, beta=0.25, alpha=2), [V, B1, B2], True),
    "vdot": (lambda m, a, b: m.vdot(a, b), [V, rand(4, seed=5)], True),
    "vdot-int": (lambda m, a, b: a.vdot(b), [INTS[0], INTS[1]]),
    "addmv_": (lambda m, s, a, v: (s * 1).addmv_(a, v, alpha=2), [rand(3), X, V], True),
    "baddbmm_": (lambda m, s, a, b: (s * 1).baddbmm_(a, b, beta=0.5), [rand(2, 3, 4), B1, B2]),
    "inner": (lambda m, a, b: m.inner(a, b), [X, Y], True),
    "inner-vectors": (lambda m, a, b: a.inner(b), [V, rand(4, seed=5)], True),
    "inner-3d": (lambda m, a, b: m.inner(a, b), [C, V]),
    "inner-scalar": (lambda m, a, b: m.inner(a, b), [X, S0]),
}


STATISTICS = {
    "std_mean": (lambda m, a: _joined(m, m.std_mean(a)), [X], True),
    "std_mean-dim": (lambda m, a: _joined(m, m.std_mean(a, 1, keepdim=True)), [X], True),
    "std_mean-correction": (
        lambda m, a: _joined(m, m.std_mean(a, (0, 2), correction=0)),
        [C],
        True,
    ),
    "std_mean-unbiased": (lambda m, a: _joined(m, m.std_mean(a, 0, False)), [X]),
    "std_mean-std-only": (lambda m, a: m.std_mean(a, 1)[0], [X], True),
    "std_mean-mean-only": (lambda m, a: m.std_mean(a, 1)[1], [X], True),
    "std_mean-constant": (lambda m, a: _joined(m, m.std_mean(a)), [arr(2.0, 2.0, 2.0)]),
    "std_mean-special": (lambda m, a: _joined(m, m.std_mean(a)), [SPECIAL]),
    "var_mean": (lambda m, a: _joined(m, m.var_mean(a)), [X], True),
    "var_mean-dim": (lambda m, a: _joined(m, m.var_mean(a, -1)), [C], True),
    "var_mean-float32": (
        lambda m, a: _joined(m, m.var_mean(a, 0, correction=2)),
        [X.astype("float32")],
    ),
    "dist": (lambda m, a, b: m.dist(a, b), [X, Y], True),
    "dist-broadcast": (lambda m, a, b: m.dist(a, b, 3), [X, V], True),
    "dist-p1": (lambda m, a, b: a.dist(b, 1), [X, Y]),
    # (forward only: PyTorch's DistBackward0 at p = 0 fails, "Expected a proper Tensor
    # but got None"; retrograd's gradient there is 0, as norm's)
    "dist-p0": (lambda m, a, b: m.dist(a, b, 0).detach(), [X, Y]),
    "dist-inf": (lambda m, a, b: m.dist(a, b, INF), [X, Y]),
    "dist-fractional": (lambda m, a, b: m.dist(a, b, 1.5), [X, Y], True),
    "dist-equal": (lambda m, a, b: m.dist(a, b), [X, X]),
    "dist-promotes": (lambda m, a, b: m.dist(a, b), [X.astype("float32"), Y]),
    "cov": (lambda m, a: m.cov(a), [X], True),
    "cov-vector": (lambda m, a: a.cov(), [V], True),
    "cov-correction": (lambda m, a: m.cov(a, correction=0), [X.T.copy()], True),
    "cov-int": (lambda m, a: m.cov(a), [INTS]),
    "corrcoef": (lambda m, a: m.corrcoef(a), [X], True),
    "corrcoef-vector": (lambda m, a: m.corrcoef(a), [V]),
    "corrcoef-float32": (lambda m, a: a.corrcoef(), [C[0].astype("float32")]),
}
SPECIAL_FUNCTIONS = {
    "special.ndtr": (lambda m, a: m.special.ndtr(a), [X], True),
    "special.ndtr-special": (lambda m, a: m.special.ndtr(a), [SPECIAL]),
    "special.ndtr-int": (lambda m, a: m.special.ndtr(a), [INTS]),
    "special.expit": (lambda m, a: m.special.expit(a), [X], True),
    "special.logit": (lambda m, a: m.special.logit(a, eps=0.1), [rand(5, low=0.0, high=1.0)]),
    "special.erf": (lambda m, a: m.special.erf(a), [X], True),
    "special.erfc": (lambda m, a: m.special.erfc(a), [X], True),
    "special.xlogy": (lambda m, a, b: m.special.xlogy(a, b), [X, rand(3, 4, low=0.1)], True),
    "special.sinc": (lambda m, a: m.special.sinc(a), [SPECIAL]),
    "special.round": (lambda m, a: m.special.round(a, decimals=1), [X]),
    "special.exp2": (lambda m, a: m.special.exp2(a), [X], True),
    "special.expm1": (lambda m, a: m.special.expm1(a), [X], True),
    "special.log1p": (lambda m, a: m.special.log1p(a), [rand(5, low=-0.5)], True),
    "special.logsumexp": (lambda m, a: m.special.logsumexp(a, 1), [X], True),
    "special.softmax": (lambda m, a: m.special.softmax(a, 0), [X], True),
    "special.log_softmax": (lambda m, a: m.special.log_softmax(a, -1), [X], True),
}


def _cases(*tables):
    return [pytest.param(key, case, id=key) for table in tables for key, case in table.items()]


@SILENT
@pytest.mark.parametrize(
    "key, case", _cases(SHAPES, INDEXED, POINTWISE, PRODUCTS, STATISTICS, SPECIAL_FUNCTIONS)
)
def test_against_torch(key, case):
    fn, values, *rest = case
    run_both(fn, values, second_order=bool(rest and rest[0]))


# -- the graphs of the composed ops: every node, in PyTorch's order ---------------------
GRAPHS = {
    "atleast_3d": lambda m, a: m.atleast_3d(a[0]),
    "hstack": lambda m, a: m.hstack([a, a]),
    "vstack": lambda m, a: m.vstack([a[0], a]),
    "dstack": lambda m, a: m.dstack([a, a * 2]),
    # a contiguous vector: PyTorch reshapes a strided one with ReshapeAliasBackward0, where
    # retrograd's reshape records ViewBackward0 (a known difference of reshape's)
    "column_stack": lambda m, a: m.column_stack([a[0, :3], a[:, :2]]),
    "tensor_split": lambda m, a: m.tensor_split(a, 2, 1)[1],
    "tile": lambda m, a: m.tile(a, (2, 1, 1)),
    "ravel": lambda m, a: a.t().ravel(),
    "diag": lambda m, a: m.diag(a[0], 1),
    "diagflat": lambda m, a: m.diagflat(a.t()),
    "diag-matrix": lambda m, a: m.diag(a),
    "broadcast_to": lambda m, a: m.broadcast_to(a[0], (2, 4)),
    "deg2rad": lambda m, a: m.deg2rad(a),
    "absolute": lambda m, a: m.absolute(a),
    "fmod-scalar": lambda m, a: m.fmod(a, 2),
    "select_scatter": lambda m, a: m.select_scatter(a, a[0] * 2, 0, 1),
    "repeat_interleave": lambda m, a: m.repeat_interleave(a, 2),
    "repeat_interleave-dim": lambda m, a: a.repeat_interleave(2, dim=1),
    "repeat_interleave-counts": lambda m, a: a.repeat_interleave(m.tensor([1, 2, 0]), dim=0),
    "special.ndtr": lambda m, a: m.special.ndtr(a),
    "unfold": lambda m, a: a.unfold(0, 2, 1),
}


@SILENT
@pytest.mark.parametrize("key", list(GRAPHS))
def test_composed_graphs_are_pytorchs(key):
    def graph(m):
        return graph_names(GRAPHS[key](m, m.tensor(X, requires_grad=True)))

    assert graph(retrograd) == graph(torch)


def test_printed_results_are_pytorchs():
    def printed(m):
        x = m.tensor(X, requires_grad=True)
        outs = (
            m.diagonal(x), m.diag(x), m.fmod(x, x + 3), m.fmax(x, x.t().t()), m.logaddexp2(x, x),
            m.acosh(x.abs() + 1), m.index_fill(x, 0, m.tensor([1]), m.tensor(2.0)),
            m.diagonal_scatter(x, x[0, :3]), m.slice_scatter(x, x[:1], 0, 0, 1), m.sgn(x),
            m.index_add(x, 0, m.tensor([1]), x[:1]), m.index_copy(x, 0, m.tensor([1]), x[:1]),
        )  # fmt: skip
        return [repr(t) for t in outs]

    assert printed(retrograd) == printed(torch)


# -- views and in-place forms ------------------------------------------------------------
def test_diagonal_is_a_view_writes_reach_the_base():
    for m in (retrograd, torch):
        x = m.tensor(X)
        d = x.diagonal(1)
        d.fill_(7.0)
        assert d._base is x
        assert x[0, 1].item() == 7.0 and x[2, 3].item() == 7.0


def test_writes_through_a_diagonal_view_are_differentiable():
    def grads(m):
        leaf = m.tensor(X, requires_grad=True)
        y = leaf * 1.0
        y.diagonal().mul_(m.tensor(Y[0, :3]))
        (y * m.tensor(C[0])).sum().backward()
        return leaf.grad

    assert np.allclose(grads(retrograd).numpy(), grads(torch).numpy())


IN_PLACE = {
    "index_add_": lambda m, a: a.index_add_(1, _idx(m, [0, 0]), m.ones(3, 2, dtype=m.float64)),
    "index_copy_": lambda m, a: a.index_copy_(0, _idx(m, [2]), m.zeros(1, 4, dtype=m.float64)),
    "index_fill_": lambda m, a: a.index_fill_(1, _idx(m, [1, 2]), -3.0),
    "fmod_": lambda m, a: a.fmod_(0.5),
    "fmod_-tensor": lambda m, a: a.fmod_(m.tensor(Y) + 3),
    "deg2rad_": lambda m, a: a.deg2rad_(),
    "rad2deg_": lambda m, a: a.rad2deg_(),
    "sgn_": lambda m, a: a.sgn_(),
    "absolute_": lambda m, a: a.absolute_(),
    "torch.exp_": lambda m, a: m.exp_(a),
    "torch.relu_": lambda m, a: m.relu_(a),
    "torch.sigmoid_": lambda m, a: m.sigmoid_(a),
    "torch.clamp_": lambda m, a: m.clamp_(a, -0.5, 0.5),
    "torch.deg2rad_": lambda m, a: m.deg2rad_(a),
    "erfc_": lambda m, a: a.erfc_(),
    "torch.erfc_": lambda m, a: m.erfc_(a),
    "masked_scatter_": lambda m, a: a.masked_scatter_(
        m.tensor([False, True, True, False]), m.tensor(Y)
    ),
    "addr_": lambda m, a: a.addr_(m.tensor(V[:3]), m.tensor(V), beta=0.5),
    "addbmm_": lambda m, a: a.addbmm_(m.tensor(B1), m.tensor(B2)),
}


@SILENT
@pytest.mark.parametrize("key", list(IN_PLACE))
def test_in_place_forms_match_and_return_self(key):
    """The in-place result on a non-leaf (values, ``grad_fn``, ``self`` returned) and the
    gradient through it."""

    def run(m):
        leaf = m.tensor(X, requires_grad=True)
        a = leaf * 1.0
        out = IN_PLACE[key](m, a)
        assert out is a
        out.sum().backward()
        # (clone: PyTorch's gradient of sgn_ is a lazy zero tensor, which numpy() refuses)
        return out.detach().numpy(), type(out.grad_fn).__name__, leaf.grad.clone().numpy()

    ours, theirs = run(retrograd), run(torch)
    assert np.allclose(ours[0], theirs[0], equal_nan=True)
    assert ours[1] == theirs[1]
    assert np.allclose(ours[2], theirs[2], equal_nan=True)


INVERSE_HYPERBOLIC_IN_PLACE = {
    "acosh_": (lambda a: a.abs_().add_(1).acosh_(), lambda a: (a.abs() + 1).acosh()),
    "arccosh_": (lambda a: a.abs_().add_(1.5).arccosh_(), lambda a: (a.abs() + 1.5).acosh()),
    "asinh_": (lambda a: a.asinh_(), lambda a: a.asinh()),
    "arcsinh_": (lambda a: a.arcsinh_(), lambda a: a.asinh()),
    "atanh_": (lambda a: a.mul_(0.4).atanh_(), lambda a: (a * 0.4).atanh()),
    "arctanh_": (lambda a: a.mul_(0.3).arctanh_(), lambda a: (a * 0.3).atanh()),
}


@SILENT
@pytest.mark.parametrize("key", list(INVERSE_HYPERBOLIC_IN_PLACE))
def test_in_place_inverse_hyperbolics_differentiate_where_pytorch_refuses(key):
    """PyTorch records ``acosh_`` & co. as AcoshBackward1 (...) and its backward raises
    NotImplementedError; retrograd records the same node and differentiates it from the
    result: the out-of-place op's gradient (a deliberate difference)."""
    in_place, out_of_place = INVERSE_HYPERBOLIC_IN_PLACE[key]
    theirs_leaf = torch.tensor(X, requires_grad=True)
    theirs = in_place(theirs_leaf * 1.0)
    with pytest.raises(NotImplementedError, match="inplace version of a"):
        theirs.sum().backward()
    reference_leaf = torch.tensor(X, requires_grad=True)
    out_of_place(reference_leaf).sum().backward()
    leaf = retrograd.tensor(X, requires_grad=True)
    ours = in_place(leaf * 1.0)
    assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__
    assert np.allclose(ours.detach().numpy(), theirs.detach().numpy(), equal_nan=True)
    ours.sum().backward()
    assert np.allclose(leaf.grad.numpy(), reference_leaf.grad.numpy())


BINCOUNTS = {
    "bincount": lambda m: m.bincount(m.tensor([1, 3, 3, 0, 7])),
    "bincount-minlength": lambda m: m.tensor([1, 3, 3, 0]).bincount(minlength=9),
    "bincount-empty": lambda m: m.bincount(m.tensor([], dtype=m.int64), minlength=2),
    "bincount-weights": lambda m: m.bincount(
        m.tensor([1, 3, 3, 0]), m.tensor([0.5, 1.0, 2.0, 3.0])
    ),
    "bincount-weights-float64": lambda m: m.bincount(
        m.tensor([2, 2]), m.tensor([0.25, 1.5], dtype=m.float64)
    ),
    "bincount-weights-int": lambda m: m.bincount(m.tensor([2, 0]), m.tensor([3, 4])),
    "bincount-int32": lambda m: m.bincount(m.tensor([2, 0, 2], dtype=m.int32)),
}


@pytest.mark.parametrize("key", list(BINCOUNTS))
def test_bincount_against_torch(key):
    assert _value(BINCOUNTS[key](retrograd)) == _value(BINCOUNTS[key](torch))


def test_std_mean_outputs_share_one_node_as_pytorchs():
    for m in (retrograd, torch):
        std, mean = m.std_mean(m.tensor(X, requires_grad=True), 1)
        assert std.grad_fn is mean.grad_fn
        assert type(std.grad_fn).__name__ == "StdMeanBackward0"


def test_chain_matmul_warns_and_multiplies_as_pytorch():
    def run(m):
        a, b, c = (m.tensor(v, requires_grad=True) for v in (X, Y.T.copy(), rand(3, 2)))
        with pytest.warns(UserWarning, match="torch.chain_matmul is deprecated"):
            out = m.chain_matmul(a, b, c)
        out.sum().backward()
        return out.detach().numpy(), a.grad.numpy(), c.grad.numpy()

    for ours, theirs in zip(run(retrograd), run(torch), strict=True):
        assert np.allclose(ours, theirs)


def test_positive_returns_its_input_and_broadcast_tensors_keeps_a_fitting_one():
    for m in (retrograd, torch):
        x = m.tensor(X, requires_grad=True)
        assert m.positive(x) is x
        assert m.broadcast_tensors(x, m.tensor(V))[0] is x
        assert m.atleast_1d(x) is x and m.atleast_3d(m.tensor(C)).dim() == 3


# -- predicates and dtype questions: Python values and bool tensors ----------------------
PAIRS = [
    (X, X), (X, X + 1e-9), (X, Y), (SPECIAL, SPECIAL), (SPECIAL, SPECIAL2),
    (INTS, INTS), (INTS, DIVISORS), (arr(INF, -INF, 1.0), arr(INF, INF, 1.0 + 1e-6)),
    (BOOLS, BOOLS), (X, X[:1]),
]  # fmt: skip
PREDICATES = {
    "isclose": lambda m, a, b: m.isclose(a, b),
    "isclose-equal_nan": lambda m, a, b: a.isclose(b, equal_nan=True),
    "isclose-tolerances": lambda m, a, b: m.isclose(a, b, rtol=0.5, atol=0.1),
    "isclose-exact": lambda m, a, b: m.isclose(a, b, rtol=0, atol=0),
    "allclose": lambda m, a, b: m.allclose(a, b),
    "allclose-equal_nan": lambda m, a, b: a.allclose(b, equal_nan=True),
    "equal": lambda m, a, b: m.equal(a, b),
    "equal-method": lambda m, a, b: a.equal(b),
    "is_same_size": lambda m, a, b: m.is_same_size(a, b),
    "isin": lambda m, a, b: m.isin(a, b),
    "isin-invert": lambda m, a, b: m.isin(a, b, invert=True),
    "isin-scalar": lambda m, a, b: m.isin(a, 1.5),
}


def _value(out):
    if isinstance(out, (bool, int, float)):
        return out
    return (str(out.dtype).removeprefix("torch."), tuple(out.shape), out.tolist())


@pytest.mark.parametrize("key", list(PREDICATES))
@pytest.mark.parametrize("pair", range(len(PAIRS)))
def test_binary_predicates_against_torch(key, pair):
    a, b = PAIRS[pair]

    def run(m):
        try:
            return _value(PREDICATES[key](m, m.tensor(a), m.tensor(b)))
        except RuntimeError as error:
            return ("error", str(error).splitlines()[0])

    assert run(retrograd) == run(torch)


UNARY_FACTS = {
    "isposinf": lambda m, a: m.isposinf(a),
    "isneginf": lambda m, a: a.isneginf(),
    "isreal": lambda m, a: m.isreal(a),
    "is_floating_point": lambda m, a: m.is_floating_point(a),
    "is_complex": lambda m, a: a.is_complex(),
    "is_signed": lambda m, a: m.is_signed(a),
    "is_signed-method": lambda m, a: a.is_signed(),
    "is_nonzero-first": lambda m, a: m.is_nonzero(a.reshape(-1)[:1]),
    "ndimension": lambda m, a: a.ndimension(),
}


@pytest.mark.parametrize("key", list(UNARY_FACTS))
@pytest.mark.parametrize("values", [SPECIAL, INTS, BOOLS, S0, INTS.astype("uint8")], ids=str)
def test_unary_facts_against_torch(key, values):
    def run(m):
        return _value(UNARY_FACTS[key](m, m.tensor(values)))

    assert run(retrograd) == run(torch)


def test_isin_of_a_number_and_mixed_dtypes():
    for fn in (
        lambda m: m.isin(3, m.tensor([1, 3])),
        lambda m: m.isin(m.tensor(INTS), m.tensor([2.0, 3.0])),
    ):
        assert _value(fn(retrograd)) == _value(fn(torch))


DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")


@pytest.mark.parametrize("first", DTYPES)
def test_dtype_questions_against_torch(first):
    for second in DTYPES:
        a, b = getattr(retrograd, first), getattr(retrograd, second)
        ta, tb = getattr(torch, first), getattr(torch, second)
        assert str(retrograd.promote_types(a, b)) == str(torch.promote_types(ta, tb))
        assert retrograd.can_cast(a, b) == torch.can_cast(ta, tb), (first, second)


@pytest.mark.parametrize(
    "operands",
    [
        lambda m: (m.tensor(INTS), 1.5), lambda m: (1, 2.0),
        lambda m: (m.tensor(INTS), m.tensor(X)),
        lambda m: (m.tensor(X, dtype=m.float32), m.tensor(1.0, dtype=m.float64)),
        lambda m: (m.tensor(BOOLS), 3), lambda m: (True, m.tensor(INTS, dtype=m.uint8)),
    ],
)  # fmt: skip
def test_result_type_against_torch(operands):
    assert str(retrograd.result_type(*operands(retrograd))) == str(
        torch.result_type(*operands(torch))
    )


def test_broadcast_shapes_against_torch():
    for shapes in (((3, 1), (2,)), (2, (3, 1)), (), ((1, 4), (3, 1), (1,)), ((0, 1), (3,))):
        assert retrograd.broadcast_shapes(*shapes) == torch.broadcast_shapes(*shapes)
    assert type(retrograd.broadcast_shapes((2,))) is retrograd.Size


# -- factories: values, dtype, requires_grad, warnings and errors -----------------------
FACTORIES = {
    "logspace": lambda m: m.logspace(0, 2, 5),
    "logspace-base": lambda m: m.logspace(-1.5, 3, 7, base=2),
    "logspace-one": lambda m: m.logspace(-1, 1, 1),
    "logspace-none": lambda m: m.logspace(0, 1, 0),
    "logspace-int": lambda m: m.logspace(0, 3, 4, dtype=m.int64),
    "logspace-float64": lambda m: m.logspace(0.5, -2, 6, dtype=m.float64, requires_grad=True),
    "scalar_tensor": lambda m: m.scalar_tensor(3),
    "scalar_tensor-bool": lambda m: m.scalar_tensor(True),
    "scalar_tensor-int64": lambda m: m.scalar_tensor(2.7, dtype=m.int64),
    "scalar_tensor-float64": lambda m: m.scalar_tensor(-1.5, dtype=m.float64),
    **{
        f"{name}-{n}-{periodic}": lambda m, name=name, n=n, periodic=periodic: getattr(
            m, f"{name}_window"
        )(n, periodic)
        for name in ("hann", "hamming", "blackman", "bartlett", "kaiser")
        for n in (0, 1, 2, 7, 10)
        for periodic in (True, False)
    },
    "hamming-params": lambda m: m.hamming_window(8, False, alpha=0.5, beta=0.4),
    "kaiser-beta": lambda m: m.kaiser_window(9, True, 3.5, dtype=m.float64),
    "hann-float64": lambda m: m.hann_window(6, dtype=m.float64),
    "hann-requires_grad": lambda m: m.hann_window(4, requires_grad=True),
}


@pytest.mark.parametrize("key", list(FACTORIES))
def test_factories_against_torch(key):
    ours, theirs = FACTORIES[key](retrograd), FACTORIES[key](torch)
    assert str(ours.dtype) == str(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    assert np.allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6, atol=1e-6)


RANGES = {
    "range": lambda m: m.range(0, 3),
    "range-step": lambda m: m.range(0, 1, 0.25),
    "range-down": lambda m: m.range(3, -1, -1.5),
    "range-int64": lambda m: m.range(1, 4, dtype=m.int64),
}


@pytest.mark.parametrize("key", list(RANGES))
def test_deprecated_range_is_inclusive_and_warns_as_pytorch(key):
    with pytest.warns(UserWarning, match="torch.range is deprecated") as ours_warned:
        ours = RANGES[key](retrograd)
    with pytest.warns(UserWarning) as theirs_warned:
        theirs = RANGES[key](torch)
    assert str(ours_warned[0].message) == str(theirs_warned[0].message)
    assert str(ours.dtype) == str(theirs.dtype)
    assert ours.tolist() == theirs.tolist()


# -- runtime settings: recorded and reported as PyTorch reports them --------------------
def test_runtime_settings_round_trip_and_defaults():
    assert retrograd.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    assert retrograd.are_deterministic_algorithms_enabled() is False
    threads, interop = retrograd.get_num_threads(), retrograd.get_num_interop_threads()
    assert threads >= 1 and interop >= 1
    try:
        retrograd.set_num_threads(1)
        retrograd.set_num_interop_threads(3)
        retrograd.use_deterministic_algorithms(True, warn_only=True)
        retrograd.set_float32_matmul_precision("medium")
        assert retrograd.get_num_threads() == 1 and retrograd.get_num_interop_threads() == 3
        assert retrograd.are_deterministic_algorithms_enabled()
        assert retrograd.is_deterministic_algorithms_warn_only_enabled()
        assert retrograd.get_float32_matmul_precision() == "medium"
        with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
            retrograd.set_float32_matmul_precision("fastest")
        assert retrograd.get_float32_matmul_precision() == "medium"
    finally:
        retrograd.set_num_threads(threads)
        retrograd.set_num_interop_threads(interop)
        retrograd.use_deterministic_algorithms(False)
        retrograd.set_float32_matmul_precision("highest")


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.set_num_threads(0), lambda m: m.set_num_threads(-2),
        lambda m: m.set_num_threads(1.5), lambda m: m.use_deterministic_algorithms(1),
    ],
)  # fmt: skip
def test_runtime_settings_errors_are_pytorchs(call):
    assert_same_error(call)


# -- errors: PyTorch's type and message --------------------------------------------------
ERRORS = {
    "hstack-empty": lambda m: m.hstack([]),
    "vstack-empty": lambda m: m.vstack([]),
    "dstack-empty": lambda m: m.dstack(()),
    "column_stack-empty": lambda m: m.column_stack([]),
    "tensor_split-0d": lambda m: m.tensor_split(m.tensor(1.0), 2),
    "tensor_split-zero-sections": lambda m: m.ones(3).tensor_split(0),
    "tensor_split-negative-sections": lambda m: m.ones(3).tensor_split(-1),
    "tensor_split-float-tensor": lambda m: m.ones(3).tensor_split(m.tensor([1.0])),
    "tensor_split-2d-tensor": lambda m: m.ones(3).tensor_split(m.tensor([[1]])),
    "tensor_split-bad-dim": lambda m: m.ones(3, 4).tensor_split(2, 5),
    "hsplit-0d": lambda m: m.hsplit(m.tensor(1.0), 2),
    "hsplit-indivisible": lambda m: m.ones(3, 4).hsplit(3),
    "hsplit-zero": lambda m: m.ones(3, 4).hsplit(0),
    "vsplit-1d": lambda m: m.ones(4).vsplit(2),
    "vsplit-indivisible": lambda m: m.ones(3, 4).vsplit(2),
    "dsplit-2d": lambda m: m.ones(3, 4).dsplit(2),
    "broadcast_shapes-mismatch": lambda m: m.broadcast_shapes((3, 2), (4,)),
    "broadcast_shapes-negative": lambda m: m.broadcast_shapes((-1,)),
    "broadcast_tensors-mismatch": lambda m: m.broadcast_tensors(m.ones(3, 4), m.ones(2)),
    "broadcast_to-too-few": lambda m: m.broadcast_to(m.ones(3, 4), (2,)),
    "tile-negative": lambda m: m.ones(3, 4).tile(-1),
    "repeat_interleave-negative": lambda m: m.ones(3, 4).repeat_interleave(-1),
    "repeat_interleave-negative-count": lambda m: m.ones(3).repeat_interleave(m.tensor([1, -2, 1])),
    "repeat_interleave-float-counts": lambda m: m.ones(3).repeat_interleave(m.tensor([1.0, 2, 1])),
    "repeat_interleave-count-size": lambda m: m.ones(3, 4).repeat_interleave(m.tensor([1, 2]), 1),
    "repeat_interleave-2d-counts": lambda m: m.ones(3).repeat_interleave(m.tensor([[2]])),
    "repeat_interleave-2d-indices": lambda m: m.repeat_interleave(m.tensor([[2]])),
    "repeat_interleave-output_size": lambda m: m.ones(3, 4).repeat_interleave(2, 1, output_size=7),
    "repeat_interleave-bad-dim": lambda m: m.ones(3, 4).repeat_interleave(2, dim=3),
    "diag-3d": lambda m: m.diag(m.ones(2, 2, 2)),
    "diag-0d": lambda m: m.diag(m.tensor(1.0)),
    "diagonal-same-dims": lambda m: m.diagonal(m.ones(3, 4), 0, 1, 1),
    "diagonal-bad-dim": lambda m: m.diagonal(m.ones(3, 4), 0, 0, 5),
    "diagonal-1d": lambda m: m.ones(4).diagonal(),
    "diagonal_scatter-size": lambda m: m.diagonal_scatter(m.ones(3, 4), m.ones(2)),
    "select_scatter-size": lambda m: m.select_scatter(m.ones(3, 4), m.ones(3), 0, 0),
    "slice_scatter-size": lambda m: m.slice_scatter(m.ones(3, 4), m.ones(3, 4), 1, 0, 2),
    "index_add-float-index": lambda m: m.ones(3, 4).index_add(1, m.tensor([0.0]), m.ones(3, 1)),
    "index_add-range": lambda m: m.ones(3, 4).index_add(1, m.tensor([0, 5]), m.ones(3, 2)),
    "index_add-count": lambda m: m.ones(3, 4).index_add(1, m.tensor([0, 1]), m.ones(3, 3)),
    "index_add-dtype": lambda m: m.ones(3, 4).index_add(
        1, m.tensor([0]), m.ones(3, 1, dtype=m.float64)
    ),
    "index_add-2d-index": lambda m: m.ones(3, 4).index_add(1, m.tensor([[0], [1]]), m.ones(3, 2)),
    "index_copy-int32-index": lambda m: m.ones(3, 4).index_copy(
        1, m.tensor([0], dtype=m.int32), m.ones(3, 1)
    ),
    "index_copy-range": lambda m: m.ones(3, 4).index_copy(1, m.tensor([0, 5]), m.ones(3, 2)),
    "index_copy-count": lambda m: m.ones(3, 4).index_copy(1, m.tensor([0, 1]), m.ones(3, 3)),
    "index_copy-dtype": lambda m: m.ones(3, 4).index_copy(
        1, m.tensor([0]), m.ones(3, 1, dtype=m.float64)
    ),
    "index_fill-int32-index": lambda m: m.ones(3, 4).index_fill(
        1, m.tensor([0], dtype=m.int32), 1.0
    ),
    "index_fill-range": lambda m: m.ones(3, 4).index_fill(1, m.tensor([0, 5]), 1.0),
    "index_fill-vector-value": lambda m: m.ones(3, 4).index_fill(1, m.tensor([0]), m.ones(2)),
    "fmod-int-zero": lambda m: m.fmod(m.tensor([5, 3]), m.tensor([3, 0])),
    "fmod-int-zero-scalar": lambda m: m.fmod(m.tensor([5, 3]), 0),
    "fmod-bool": lambda m: m.fmod(m.tensor([True]), m.tensor([True])),
    "fmod-number-first": lambda m: m.fmod(3, m.tensor([1.0])),
    "fmax-number": lambda m: m.fmax(m.tensor([1.0]), 2),
    "addr-2d-vec": lambda m: m.addr(m.ones(3, 4), m.ones(3, 1), m.ones(4)),
    "addr-size": lambda m: m.addr(m.ones(3, 4), m.ones(2), m.ones(4)),
    "vdot-sizes": lambda m: m.vdot(m.ones(3), m.ones(2)),
    "vdot-2d": lambda m: m.vdot(m.ones(3, 1), m.ones(3)),
    "vdot-dtypes": lambda m: m.vdot(m.ones(3), m.ones(3, dtype=m.float64)),
    "inner-sizes": lambda m: m.inner(m.ones(3, 4), m.ones(3)),
    "chain_matmul-empty": lambda m: m.chain_matmul(),
    "std_mean-int": lambda m: m.std_mean(m.tensor([1, 2])),
    "var_mean-bad-dim": lambda m: m.var_mean(m.ones(3), 2),
    "dist-int": lambda m: m.dist(m.tensor([1, 2]), m.tensor([3, 4])),
    "dist-shapes": lambda m: m.dist(m.ones(3), m.ones(2)),
    "cov-3d": lambda m: m.cov(m.ones(2, 3, 4)),
    "bincount-negative": lambda m: m.bincount(m.tensor([-1])),
    "bincount-float": lambda m: m.bincount(m.tensor([1.0])),
    "bincount-bool": lambda m: m.bincount(m.tensor([True])),
    "bincount-2d": lambda m: m.bincount(m.tensor([[1]])),
    "bincount-weights-length": lambda m: m.bincount(m.tensor([1, 2]), m.ones(3)),
    "bincount-minlength": lambda m: m.bincount(m.tensor([1]), minlength=-1),
    "unfold-too-big": lambda m: m.ones(3, 4).unfold(1, 5, 1),
    "masked_scatter-short": lambda m: m.ones(3).masked_scatter(
        m.tensor([True, True, False]), m.ones(1)
    ),
    "masked_scatter-float-mask": lambda m: m.ones(3).masked_scatter(m.ones(3), m.ones(3)),
    "masked_scatter-dtypes": lambda m: m.ones(3).masked_scatter(
        m.ones(3) > 0, m.ones(3, dtype=m.float64)
    ),
    "unfold-step-0": lambda m: m.ones(3, 4).unfold(1, 2, 0),
    "unfold-bad-dim": lambda m: m.ones(3, 4).unfold(2, 1, 1),
    "hann_window-negative": lambda m: m.hann_window(-1),
    "kaiser_window-negative": lambda m: m.kaiser_window(-2),
    "logspace-negative-steps": lambda m: m.logspace(0, 1, -1),
    "logaddexp2-int": lambda m: m.logaddexp2(m.tensor([1]), m.tensor([2])),
    "logaddexp2-bool": lambda m: m.logaddexp2(m.tensor([True]), m.tensor([False])),
    "positive-bool": lambda m: m.positive(m.tensor([True])),
    "absolute-bool": lambda m: m.absolute(m.tensor([True])),
    "isclose-dtypes": lambda m: m.isclose(m.ones(2), m.ones(2, dtype=m.int64)),
    "isclose-rtol": lambda m: m.isclose(m.ones(2), m.ones(2), rtol=-1.0),
    "isclose-atol": lambda m: m.isclose(m.ones(2), m.ones(2), atol=-1.0),
    "allclose-dtypes": lambda m: m.allclose(m.ones(2), m.ones(2, dtype=m.int64)),
    "is_nonzero-many": lambda m: m.is_nonzero(m.ones(2)),
    "is_nonzero-empty": lambda m: m.is_nonzero(m.ones(0)),
    "is_floating_point-number": lambda m: m.is_floating_point(3.0),
}


@SILENT  # chain_matmul warns before it raises
@pytest.mark.parametrize("key", list(ERRORS))
def test_errors_are_pytorchs(key):
    assert_same_error(ERRORS[key], whole=False)

"""The op surface beyond what the records generate, against PyTorch (the oracle), table by
table: the overloads and arguments of each op (rounding modes, bounds, ``dim``/``keepdim``,
Python-number operands), composite functions, PyTorch's conventions at
non-differentiable points, in-place forms, type promotion, and errors' types; and the
checks that every record with a ``grad_fn`` is reached by some case and that
``docs/ops.md`` is current. Generated per-record cases are tests/test_ops_vs_torch.py.

Each case is ``f(lib, *tensors)`` run by tests/torch_oracle.py's ``run_both`` with
``lib=retrograd`` and ``lib=torch`` on the same values (float inputs require grad).
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import retrograd
import retrograd.nn.functional as RF
from retrograd.graph import walk
from retrograd.ops import RECORDS
from torch_oracle import GENERATED, TORCH_VERSION, rand, run_both
from torch_oracle import assert_same as same
from torch_oracle import make as _make

torch = pytest.importorskip("torch")
TF = torch.nn.functional
ROOT = Path(__file__).resolve().parents[1]
SILENT = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")


# -- helpers -----------------------------------------------------------------------------


def ints(*values, dtype="int64"):
    return np.array(values, dtype=dtype)


def check_table(table, key):
    fn, values, *rest = table[key]
    run_both(fn, values, second_order=bool(rest and rest[0]))


X = rand(3, 4)
Y = rand(3, 4, seed=1)
V = rand(4, seed=2)
POS = rand(3, 4, seed=3, low=0.5, high=2.0)
ZEROS = np.array([[1.5, 0.0, -2.0], [0.0, 0.0, 3.0]])
TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.5]])
IDX = ints(2, 0, 2)


# -- 1. elementwise ----------------------------------------------------------------------
ELEMENTWISE = {
    "atan2": (lambda m, a, b: m.atan2(a, b), [X, Y], True),
    "arctan2": (lambda m, a, b: m.arctan2(a, b), [X, V], True),
    "maximum": (lambda m, a, b: m.maximum(a, b), [X, Y]),
    "minimum": (lambda m, a, b: m.minimum(a, b), [X, V]),
    "maximum-ties": (lambda m, a, b: m.maximum(a, b), [TIES, TIES.T.copy().T]),
    "max(a,b)": (lambda m, a, b: m.max(a, b), [X, Y]),
    "min-ties": (lambda m, a, b: a.min(b), [TIES, np.full((2, 3), 2.0)]),
    "div-floor": (lambda m, a, b: m.div(a, b, rounding_mode="floor"), [X, POS]),
    "div-trunc": (lambda m, a, b: a.div(b, rounding_mode="trunc"), [X, POS]),
    "div-floor-int": (lambda m, a: m.div(a, 2, rounding_mode="floor"), [ints(-7, -1, 0, 5)]),
    "div-trunc-int": (
        lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
        [ints(-7, -1, 0, 5), ints(2, -3, 4, -2)],
    ),
    "true_divide-int": (lambda m, a: m.true_divide(a, 2), [ints(-7, 1, 5)]),
    "//": (lambda m, a: (a // 0.7).detach(), [X]),
    "2//x": (lambda m, a: (2 // a).detach(), [POS]),
    "int//int": (lambda m, a, b: a // b, [ints(7, -7, 3), ints(2, 2, -2)]),
    "floor_divide": (lambda m, a, b: m.floor_divide(a, b).detach(), [X, POS]),
    "%": (lambda m, a: a % 0.7, [X]),
    "x%y": (lambda m, a, b: a % b, [X, POS]),
    "7%int": (lambda m, a: 7 % a, [ints(2, 3, -4)]),
    "2%x": (lambda m, a: 2 % a, [POS]),
    "x//y": (lambda m, a, b: a // b, [X, POS]),
    "remainder": (lambda m, a, b: m.remainder(a, b), [X, POS]),
    "2/x": (lambda m, a: 2 / a, [POS], True),
    "2**x": (lambda m, a: 2**a, [X], True),
    "x**y": (lambda m, a, b: a**b, [POS, Y], True),
    "2-x": (lambda m, a: 2 - a, [X]),
    "rsub(x,y)": (lambda m, a, b: m.rsub(a, b), [X, Y]),
    "rsub(x,y,alpha)": (lambda m, a, b: m.rsub(a, b, alpha=2), [X, Y]),
    "lerp": (lambda m, a, b: m.lerp(a, b, 0.3), [X, Y], True),
    "lerp-0.7": (lambda m, a, b: a.lerp(b, 0.7), [X, V], True),
    "lerp-tensor": (lambda m, a, b, w: m.lerp(a, b, w), [X, Y, rand(4, seed=4)], True),
    "clamp": (lambda m, a: m.clamp(a, -0.5, 0.5), [X]),
    "clamp-min": (lambda m, a: a.clamp(min=-0.5), [X]),
    "clamp-max": (lambda m, a: a.clamp(max=0.5), [X]),
    "clamp-inverted": (lambda m, a: a.clamp(1.0, -1.0), [X]),
    "clip": (lambda m, a: m.clip(a, -1, 1), [X]),
    "clamp-at-bounds": (lambda m, a: a.clamp(-1.0, 1.0), [np.array([-1.0, 0.0, 1.0, 2.0])]),
    "clamp-tensor": (lambda m, a, lo, hi: m.clamp(a, lo, hi), [X, Y - 1, Y + 1]),
    "clamp-tensor-min": (lambda m, a, lo: m.clamp(a, min=lo), [X, V]),
    "clamp-tensor-max": (lambda m, a, hi: a.clamp(max=hi), [X, Y]),
    "clamp-tensor-inverted": (lambda m, a, lo, hi: m.clamp(a, lo, hi), [X, Y + 1, Y - 1]),
    "clamp_min": (lambda m, a: m.clamp_min(a, 0.1), [X]),
    "clamp_max": (lambda m, a: a.clamp_max(0.1), [X]),
    "clamp-int": (lambda m, a: m.clamp(a, 0, 3), [ints(-2, 1, 5)]),
    "clamp-int-float-bound": (lambda m, a: m.clamp(a, min=1.5), [ints(-2, 1, 5)]),
    "clamp-bool": (lambda m, a: m.clamp(a, 0, 1), [np.array([True, False])]),
    "where-scalars": (lambda m, a: m.where(a > 0, 1.0, 0), [X]),
    "where-scalar-left": (lambda m, a: m.where(a > 0, 2.0, a), [X]),
    "where-broadcast": (lambda m, a, b: m.where(a > 0, a, b), [X, V]),
    "Tensor.where": (lambda m, a, b: a.where(a > 0, b), [X, Y]),
    "square": (lambda m, a: m.square(a), [X], True),
    "square-int": (lambda m, a: a.square(), [ints(-3, 2)]),
    "square-bool": (lambda m, a: a.square(), [np.array([True, False])]),
    "round-decimals": (lambda m, a: m.round(a * 10, decimals=1), [X]),
    "round-decimals-0": (lambda m, a: a.round(decimals=0), [X]),
    "round-negative-decimals": (lambda m, a: (a * 100).round(decimals=-1), [X]),
    "round-half-even": (lambda m, a: a.round(), [np.array([0.5, 1.5, 2.5, -0.5, -1.5])]),
    "floor-int": (lambda m, a: m.floor(a), [ints(-3, 4)]),
    "exp2-int": (lambda m, a: m.exp2(a), [ints(-1, 0, 3)]),
    "erf-int32": (lambda m, a: m.erf(a), [ints(-1, 0, 3, dtype="int32")]),
    # the overloads of retrograd/ops/pointwise_extra.py (tests/test_ops_more.py has more)
    "copysign-number": (lambda m, a: m.copysign(a, -1.5), [X]),
    "xlogy-number-self": (lambda m, b: m.xlogy(2.0, b), [POS], True),
    "xlogy-number-other": (lambda m, a: a.xlogy(3.0), [X], True),
    "addcmul": (lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), [X, Y, V], True),
    "addcdiv": (lambda m, a, b, c: a.addcdiv(b, c, value=2), [X, V, POS], True),
    # the special functions (retrograd/ops/special_functions.py; tests/test_ops_special.py
    # has wide ranges, special values and errors)
    "lgamma": (lambda m, a: m.lgamma(a), [POS], True),
    "digamma": (lambda m, a: a.digamma(), [POS], True),
    "polygamma": (lambda m, a: m.polygamma(2, a), [POS], True),
    "mvlgamma": (lambda m, a: m.mvlgamma(a + 1, 2), [POS], True),
    "erfinv": (lambda m, a: m.erfinv(a / 3), [X], True),
    "i0": (lambda m, a: m.i0(a), [X], True),
    "special-i0e": (lambda m, a: m.special.i0e(a), [X], True),
    "special-i1": (lambda m, a: m.special.i1(a), [X], True),
    "special-i1e": (lambda m, a: m.special.i1e(a), [X], True),
    "special-entr": (lambda m, a: m.special.entr(a), [POS], True),
    "special-xlog1py": (lambda m, a, b: m.special.xlog1py(a, b), [X, POS], True),
    "special-xlog1py-number-self": (lambda m, b: m.special.xlog1py(2.0, b), [POS], True),
    "special-xlog1py-number-other": (lambda m, a: m.special.xlog1py(a, 3.0), [X], True),
    "special-zeta": (lambda m, x, q: m.special.zeta(x.detach() + 2, q), [POS, POS], True),
    "igamma": (lambda m, a, x: m.igamma(a.detach(), x), [POS, POS], True),
    "igammac": (lambda m, a, x: m.igammac(a.detach(), x), [POS, POS], True),
    "special-gammainc": (lambda m, a, x: m.special.gammainc(a.detach(), x), [POS, POS], True),
    "special-gammaincc": (lambda m, a, x: m.special.gammaincc(a.detach(), x), [POS, POS], True),
    "special-zeta-number-x": (lambda m, q: m.special.zeta(2.5, q), [POS], True),
    "special-ndtri": (lambda m, a: m.special.ndtri(a / 5 + 0.5), [X], True),
    "special-log_ndtr": (lambda m, a: m.special.log_ndtr(a), [X], True),
    "special-erfcx": (lambda m, a: m.special.erfcx(a), [X], True),
}
PREDICATES = {
    "logical_or": lambda m, a, b: m.logical_or(a, b),
    "logical_xor": lambda m, a, b: m.logical_xor(a, b),
    "logical_not": lambda m, a, b: m.logical_not(a),
    "isnan": lambda m, a, b: m.isnan(a / b),
    "isinf": lambda m, a, b: (a / b).isinf(),
    "isfinite": lambda m, a, b: m.isfinite(a / b),
    "&": lambda m, a, b: (a > 0) & (b > 0),
    "|": lambda m, a, b: (a > 0) | (b > 0),
    "^": lambda m, a, b: (a > 0) ^ (b > 0),
    "~": lambda m, a, b: ~(a > 0),
    "greater": lambda m, a, b: m.greater(a, b),
    "less_equal": lambda m, a, b: m.less_equal(a, b),
    "not_equal": lambda m, a, b: m.not_equal(a, b),
}


@SILENT
@pytest.mark.parametrize("case", ELEMENTWISE, ids=str)
def test_elementwise(case):
    check_table(ELEMENTWISE, case)


@SILENT
@pytest.mark.parametrize("case", PREDICATES, ids=str)
def test_predicates_are_bool(case):
    a, b = np.array([0.0, 1.0, -2.0, 0.0, 3.0]), np.array([0.0, 0.0, 1.0, 2.0, 3.0])
    run_both(PREDICATES[case], [a, b])
    run_both(PREDICATES[case], [a.astype("int64"), b.astype("int64")])


# -- 2. reductions -----------------------------------------------------------------------
REDUCTIONS = {
    "prod": (lambda m, a: a.prod(), [rand(2, 3, low=0.5)], True),
    "prod-dim": (lambda m, a: m.prod(a, 1), [X], True),
    "prod-dim-keepdim": (lambda m, a: a.prod(-1, keepdim=True), [X], True),
    "prod-one-zero": (lambda m, a: a.prod(), [np.array([2.0, 0.0, 3.0])], True),
    "prod-two-zeros": (lambda m, a: a.prod(), [np.array([2.0, 0.0, 0.0])], True),
    "prod-dim-zeros": (lambda m, a: a.prod(1), [ZEROS], True),
    "prod-int": (lambda m, a: a.prod(), [ints(2, 3, 4, dtype="int32")]),
    "amax": (lambda m, a: a.amax(), [X]),
    "amax-dims": (lambda m, a: m.amax(a, (0, -1), keepdim=True), [rand(2, 3, 2)]),
    "amax-ties": (lambda m, a: a.amax(1), [TIES]),
    "amin-ties": (lambda m, a: m.amin(a, 0), [TIES]),
    "max-all-ties": (lambda m, a: a.max(), [TIES]),
    "min-all": (lambda m, a: m.min(a), [X]),
    "max-dim": (lambda m, a: a.max(1).values, [X]),
    "max-dim-ties": (lambda m, a: m.max(a, 1)[0], [TIES]),
    "max-dim-indices": (lambda m, a: a.max(dim=1).indices, [TIES]),
    "min-dim-keepdim": (lambda m, a: a.min(0, keepdim=True).values, [TIES]),
    "max-0d": (lambda m, a: a.max(0)[0], [np.array(2.0)]),
    "argmax": (lambda m, a: a.argmax(), [TIES]),
    "argmax-dim": (lambda m, a: m.argmax(a, 1, keepdim=True), [TIES]),
    "argmin-dim": (lambda m, a: a.argmin(dim=-1), [TIES]),
    "var": (lambda m, a: a.var(), [X], True),
    "var-dim": (lambda m, a: m.var(a, 1), [X], True),
    "var-unbiased-false": (lambda m, a: a.var(0, unbiased=False, keepdim=True), [X], True),
    "var-correction": (lambda m, a: a.var(dim=(0, 1), correction=0), [X], True),
    "var-positional-unbiased": (lambda m, a: a.var(False), [X], True),
    "std": (lambda m, a: a.std(), [X], True),
    "std-dim": (lambda m, a: m.std(a, -1, keepdim=True), [X], True),
    "std-at-zero": (lambda m, a: a.std(1), [np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]])]),
    "norm": (lambda m, a: a.norm(), [X], True),
    "norm-1": (lambda m, a: a.norm(p=1), [X]),
    "norm-inf": (lambda m, a: a.norm(float("inf")), [X]),
    "norm-inf-ties": (lambda m, a: a.norm(float("inf"), dim=1), [np.array([[1.0, -3.0, 3.0]])]),
    "norm-fro-dims": (lambda m, a: m.norm(a, p="fro", dim=(0, 1)), [X], True),
    "norm-3-dim": (lambda m, a: a.norm(3, dim=0, keepdim=True), [X], True),
    "norm-1.5": (lambda m, a: a.norm(1.5), [X]),
    "norm-0.5": (lambda m, a: a.norm(0.5), [X]),
    "norm-at-zero": (lambda m, a: a.norm(dim=1), [np.zeros((2, 3))]),
    "logsumexp": (lambda m, a: m.logsumexp(a, 1), [X], True),
    "logsumexp-dims-keepdim": (lambda m, a: a.logsumexp((0, 1), keepdim=True), [X], True),
    "logsumexp-huge": (lambda m, a: a.logsumexp(0), [np.array([1000.0, 1000.0, -1000.0])]),
    "logsumexp-int": (lambda m, a: m.logsumexp(a, 0), [ints(1, 2, 3)]),
    "logsumexp-empty-dim": (lambda m, a: m.logsumexp(a, 0), [np.zeros((0, 3))], True),
    "logsumexp-empty-keepdim": (lambda m, a: a.logsumexp(1, keepdim=True), [np.zeros((2, 0))]),
    "cumsum": (lambda m, a: a.cumsum(1), [X], True),
    "cumsum-neg-dim": (lambda m, a: m.cumsum(a, -2), [X], True),
    "cumsum-int": (lambda m, a: a.cumsum(0), [ints(1, 2, 3, dtype="int32")]),
    "cumsum-dtype": (lambda m, a: a.cumsum(0, dtype=m.float64), [rand(3, dtype="float32")]),
    "cumprod": (lambda m, a: a.cumprod(1), [X], True),
    "cumprod-zeros": (lambda m, a: m.cumprod(a, 1), [ZEROS], True),
    "sum-dims": (lambda m, a: a.sum((0, -1)), [rand(2, 3, 2)]),
    "mean-keepdim": (lambda m, a: a.mean(-1, keepdim=True), [X]),
}
LOGICAL = {
    "all": lambda m, a: a.all(),
    "any": lambda m, a: m.any(a),
    "all-dim": lambda m, a: a.all(1),
    "any-neg-dim-keepdim": lambda m, a: a.any(-1, keepdim=True),
    "all-tuple": lambda m, a: m.all(a, (0, 1)),
    "any-tuple-neg": lambda m, a: a.any(dim=(-1, 0), keepdim=True),
}


@SILENT
@pytest.mark.parametrize("case", REDUCTIONS, ids=str)
def test_reductions(case):
    check_table(REDUCTIONS, case)


@pytest.mark.parametrize("case", LOGICAL, ids=str)
@pytest.mark.parametrize(
    "value", [ZEROS, ZEROS > 0, np.ones((2, 3)).astype("int64")], ids=["float", "bool", "int"]
)
def test_all_and_any(case, value):
    run_both(LOGICAL[case], [value])


def test_max_with_dim_is_a_named_tuple_printed_as_torch():
    x = [[1.0, 3.0], [2.0, 0.5]]
    ours, theirs = retrograd.tensor(x).max(1), torch.tensor(x).max(1)
    assert repr(ours) == repr(theirs)
    values, indices = ours
    assert (
        values is ours.values and indices is ours.indices and ours._fields == ("values", "indices")
    )


# -- 3. linear algebra -------------------------------------------------------------------
def _mat(*shape, seed=0):
    return rand(*shape, seed=seed)


LINALG = {
    "1d@1d": (lambda m, a, b: a @ b, [_mat(3), _mat(3, seed=1)], True),
    "2d@1d": (lambda m, a, b: a @ b, [_mat(2, 3), _mat(3, seed=1)], True),
    "1d@2d": (lambda m, a, b: m.matmul(a, b), [_mat(3), _mat(3, 2, seed=1)], True),
    "2d@2d": (lambda m, a, b: a @ b, [_mat(2, 3), _mat(3, 4, seed=1)], True),
    "3d@3d": (lambda m, a, b: a @ b, [_mat(2, 2, 3), _mat(2, 3, 4, seed=1)], True),
    "broadcast": (lambda m, a, b: a @ b, [_mat(2, 1, 2, 3), _mat(3, 3, 4, seed=1)], True),
    "3d@2d": (lambda m, a, b: a @ b, [_mat(2, 2, 3), _mat(3, 4, seed=1)], True),
    "2d@3d": (lambda m, a, b: a @ b, [_mat(2, 3), _mat(2, 3, 4, seed=1)], True),
    "1d@3d": (lambda m, a, b: a @ b, [_mat(3), _mat(2, 3, 4, seed=1)], True),
    "3d@1d": (lambda m, a, b: a @ b, [_mat(2, 4, 3), _mat(3, seed=1)], True),
    "mm": (lambda m, a, b: m.mm(a, b), [_mat(2, 3), _mat(3, 4, seed=1)], True),
    "bmm": (lambda m, a, b: a.bmm(b), [_mat(2, 2, 3), _mat(2, 3, 4, seed=1)], True),
    "mv": (lambda m, a, b: m.mv(a, b), [_mat(2, 3), _mat(3, seed=1)], True),
    "dot": (lambda m, a, b: a.dot(b), [_mat(3), _mat(3, seed=1)], True),
    "outer": (lambda m, a, b: m.outer(a, b), [_mat(3), _mat(2, seed=1)], True),
    "addmm": (lambda m, c, a, b: m.addmm(c, a, b), [_mat(4), _mat(2, 3), _mat(3, 4, seed=1)], True),
    "addmm-scaled": (
        lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0),
        [_mat(2, 4), _mat(2, 3), _mat(3, 4, seed=1)],
        True,
    ),
    # retrograd.linalg's records (tests/test_linalg.py has the full set of cases)
    "det": (lambda m, a: a.det(), [_mat(3, 3) + 3 * np.eye(3)], True),
    "slogdet": (lambda m, a: m.slogdet(a).logabsdet, [_mat(3, 3) + 3 * np.eye(3)], True),
    "inverse": (lambda m, a: a.inverse(), [_mat(3, 3) + 3 * np.eye(3)], True),
    "solve": (lambda m, a, b: m.linalg.solve(a, b), [_mat(3, 3) + 3 * np.eye(3), _mat(3)], True),
    "cholesky_ex": (
        lambda m, a: m.linalg.cholesky(a @ a.mT + 1),
        [_mat(3, 3) + 3 * np.eye(3)],
        True,
    ),
    "cholesky": (
        lambda m, a: m.cholesky(a @ a.mT, upper=True).mT,
        [_mat(3, 3) + 3 * np.eye(3)],
        False,
    ),
    "qr": (lambda m, a: m.linalg.qr(a).R, [_mat(4, 3)], True),
    "svdvals": (lambda m, a: m.linalg.svdvals(a), [_mat(4, 3)], True),
    "eigvalsh": (lambda m, a: m.linalg.eigvalsh(a + a.mT), [_mat(3, 3)], True),
    "pinv": (lambda m, a: m.linalg.pinv(a), [_mat(3, 4)], True),
    "solve_triangular": (
        lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True),
        [_mat(3, 3) + 3 * np.eye(3), _mat(3, 2)],
        True,
    ),
    "cholesky_solve": (
        lambda m, b, a: m.cholesky_solve(b, a.tril()),
        [_mat(3, 2), _mat(3, 3) + 3 * np.eye(3)],
        True,
    ),
    "matrix_exp": (lambda m, a: a.matrix_exp(), [_mat(3, 3) / 4], True),
    "cholesky_inverse": (
        lambda m, a: a.tril().cholesky_inverse(),
        [_mat(3, 3) + 3 * np.eye(3)],
        True,
    ),
    "lu_factor": (lambda m, a: m.linalg.lu_factor(a).LU, [_mat(3, 3) + 3 * np.eye(3)], True),
    "lu": (lambda m, a: m.linalg.lu(a).U, [_mat(3, 4)], True),
    "lu_unpack": (lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a)).L, [_mat(4, 3)], True),
    "ldl_factor": (lambda m, a: m.linalg.ldl_factor(a + a.mT).LD, [_mat(3, 3)], False),
    "lstsq": (lambda m, a, b: m.linalg.lstsq(a, b).solution, [_mat(4, 3), _mat(4, 2)], True),
    "triangular_solve": (
        lambda m, b, a: b.triangular_solve(a).solution,
        [_mat(3, 2), _mat(3, 3) + 3 * np.eye(3)],
        True,
    ),
    "lu_solve": (
        lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b),
        [_mat(3, 3) + 3 * np.eye(3), _mat(3, 2)],
        True,
    ),
    "geqrf": (lambda m, a: m.geqrf(a).a, [_mat(4, 3)], False),
    "ldl_solve": (
        lambda m, a, b: m.linalg.ldl_solve(*m.linalg.ldl_factor(a + a.mT), b),
        [_mat(3, 3) + 3 * np.eye(3), _mat(3, 2)],
        False,
    ),
}
EINSUM = {
    "ij,jk->ik": [(3, 4), (4, 5)],
    "ij,kj->ik": [(3, 4), (5, 4)],
    "bij,bjk->bik": [(2, 3, 4), (2, 4, 5)],
    "i,j->ij": [(3,), (4,)],
    "i,i->": [(3,), (3,)],
    "ii": [(3, 3)],
    "ii->i": [(3, 3)],
    "ij->": [(3, 4)],
    "ij->ji": [(3, 4)],
    "ij->j": [(3, 4)],
    "...ij,...jk": [(2, 3, 4), (4, 5)],
    "ij,jk,kl->il": [(2, 3), (3, 4), (4, 5)],
    "bhqd,bhkd->bhqk": [(2, 2, 3, 4), (2, 2, 5, 4)],
    "ij,ij->ij": [(3, 4), (3, 4)],
    "iij->j": [(3, 3, 2)],
    "ik,kj->ij": [(3, 1), (4, 5)],  # a size-1 dim broadcasts (then sums) like PyTorch's
    "zij,zjk->zik": [(1, 2, 3), (2, 3, 4)],
    "ab,ab->ab": [(1, 3), (2, 1)],
}


@pytest.mark.parametrize("case", LINALG, ids=str)
def test_linear_algebra(case):
    check_table(LINALG, case)


@pytest.mark.parametrize("equation", EINSUM, ids=str)
def test_einsum(equation):
    arrays = [_mat(*s, seed=i) for i, s in enumerate(EINSUM[equation])]
    run_both(lambda m, *ts: m.einsum(equation, *ts), arrays, second_order=True, check_name=False)


# -- 4. shape and joining ----------------------------------------------------------------
def _joined(m, outs):
    """Several outputs as one tensor (each scaled differently, so gradients differ)."""
    return m.cat([o.reshape(-1) * (i + 1) for i, o in enumerate(outs)])


SHAPE = {
    "reshape-noncontiguous": (lambda m, a: a.t().reshape(12), [X]),
    "reshape-view": (lambda m, a: a.reshape(2, -1), [X]),
    "view_as": (lambda m, a, b: a.view_as(b), [X, rand(2, 6)]),
    "reshape_as": (lambda m, a, b: a.reshape_as(b), [X, rand(6, 2)]),
    "flatten": (lambda m, a: a.flatten(), [rand(2, 3, 2)]),
    "flatten-range": (lambda m, a: m.flatten(a, 1, -1), [rand(2, 3, 2)]),
    "flatten-0d": (lambda m, a: a.flatten(), [np.array(2.0)]),
    "unflatten": (lambda m, a: a.unflatten(1, (2, 2)), [X]),
    "unflatten-infer": (lambda m, a: m.unflatten(a, -1, (2, -1)), [X]),
    "T": (lambda m, a: a.T, [X]),
    "mT": (lambda m, a: a.mT, [rand(2, 3, 4)]),
    "t": (lambda m, a: a.t(), [X]),
    "transpose": (lambda m, a: a.transpose(0, -1), [rand(2, 3, 4)]),
    "permute": (lambda m, a: a.permute(2, 0, 1), [rand(2, 3, 4)]),
    "movedim": (lambda m, a: m.movedim(a, 0, -1), [rand(2, 3, 4)]),
    "squeeze": (lambda m, a: a.squeeze(), [rand(1, 3, 1)]),
    "squeeze-dims": (lambda m, a: a.squeeze((0, 2)), [rand(1, 3, 1)]),
    "unsqueeze": (lambda m, a: a.unsqueeze(-1), [X]),
    "expand": (lambda m, a: a.expand(3, 4), [V]),
    "expand_as": (lambda m, a, b: a.expand_as(b), [V, X]),
    "repeat": (lambda m, a: a.repeat(2, 3), [X], True),
    "repeat-new-dims": (lambda m, a: a.repeat(2, 1, 2), [V], True),
    "flip": (lambda m, a: a.flip(0), [X], True),
    "flip-dims": (lambda m, a: m.flip(a, [0, 1]), [X], True),
    "roll": (lambda m, a: a.roll(1, 0), [X], True),
    "roll-dims": (lambda m, a: m.roll(a, (1, -2), (0, 1)), [X], True),
    "roll-flat": (lambda m, a: a.roll(5), [X], True),
    "cat": (lambda m, a, b: m.cat([a, b]), [X, Y], True),
    "cat-dim": (lambda m, a, b: m.cat((a, b), dim=-1), [X, rand(3, 2)], True),
    "cat-promotes": (lambda m, a, b: m.cat([a, b]), [X, rand(1, 4, dtype="float32")]),
    "cat-three": (lambda m, a, b, c: m.cat([a, b, c], 1), [X, Y, X], True),
    "stack": (lambda m, a, b: m.stack([a, b]), [X, Y], True),
    "stack-last": (lambda m, a, b: m.stack([a, b], -1), [X, Y], True),
    "split": (lambda m, a: _joined(m, a.split(2)), [rand(5, 2)], True),
    "split-one-used": (lambda m, a: a.split(2)[1], [rand(5, 2)], True),
    "split-sizes": (lambda m, a: _joined(m, m.split(a, [1, 3], 1)), [X], True),
    "split-sizes-one-used": (lambda m, a: m.split(a, [1, 3], 1)[1], [X], True),
    "chunk": (lambda m, a: a.chunk(3)[1], [rand(5, 2)], True),
    "chunk-all": (lambda m, a: _joined(m, m.chunk(a, 2, 1)), [X], True),
    "unbind": (lambda m, a: a.unbind(1)[2], [X], True),
    "unbind-all": (lambda m, a: _joined(m, m.unbind(a)), [X], True),
    "narrow": (lambda m, a: a.narrow(1, 1, 2), [X], True),
    "narrow-negative": (lambda m, a: m.narrow(a, 0, -2, 2), [X], True),
    "contiguous": (lambda m, a: a.t().contiguous(), [X]),
    "clone": (lambda m, a: a.clone(), [X]),
    # the records of retrograd/ops/{shape,linalg,reductions,scans}_more.py (more cases in
    # tests/test_ops_shape_more.py)
    "rot90": (lambda m, a: a.rot90(1, [1, 0]), [X], True),
    "diag_embed": (lambda m, a: m.diag_embed(a, 1, 0, 2), [X], True),
    "block_diag": (lambda m, a, b: m.block_diag(a, b), [X, rand(2)], True),
    "trace": (lambda m, a: a.trace(), [X], True),
    "cross": (lambda m, a, b: m.cross(a, b, dim=0), [rand(3, 2), rand(3, 1, seed=5)], True),
    "nansum": (lambda m, a: a.nansum(1), [X], True),
    "aminmax": (lambda m, a: _joined(m, m.aminmax(a, dim=0)), [TIES]),
    "cummax": (lambda m, a: a.cummax(1).values, [TIES]),
    "cummin": (lambda m, a: m.cummin(a, 0)[0], [TIES]),
    "logcumsumexp": (lambda m, a: a.logcumsumexp(1), [X], True),
    # cdist's two records, retrograd/ops/numeric_more.py (more cases in
    # tests/test_ops_search_more.py; PyTorch's CdistBackward0 has no second derivative)
    "cdist": (lambda m, a, b: m.cdist(a, b, 1.5), [X, Y]),
    "cdist-euclidean": (
        lambda m, a, b: m.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
        [X, Y],
        True,
    ),
    # the records of retrograd/ops/{diagonals,index_ops,pointwise_misc}.py (more cases in
    # tests/test_ops_misc_more.py)
    "diagonal": (lambda m, a: a.diagonal(1), [X], True),
    "diag-matrix": (lambda m, a: m.diag(a, -1), [X], True),
    "diagonal_scatter": (lambda m, a, b: m.diagonal_scatter(a, b, 1), [X, rand(3)], True),
    "select_scatter": (lambda m, a, b: m.select_scatter(a, b, 0, 1), [X, rand(4)], True),
    "slice_scatter": (lambda m, a, b: a.slice_scatter(b, 1, 0, 2), [X, rand(3, 2)], True),
    "index_add": (lambda m, a, b: a.index_add(1, m.tensor([0, 2]), b), [X, rand(3, 2)], True),
    "index_copy": (lambda m, a, b: a.index_copy(0, m.tensor([1]), b), [X, rand(1, 4)], True),
    "index_fill": (lambda m, a: a.index_fill(1, m.tensor([3]), 2.0), [X], True),
    "index_fill-tensor": (
        lambda m, a, b: a.index_fill(1, m.tensor([0]), b),
        [X, rand(1).reshape(())],
    ),
    "fmod": (lambda m, a: a.fmod(0.7), [X]),
    "fmod-tensor": (lambda m, a, b: m.fmod(a, b), [X, rand(3, 4, seed=5) + 3]),
    "addmv": (lambda m, s, a, v: m.addmv(s, a, v, alpha=2), [rand(3), X, rand(4)], True),
    "addr": (lambda m, s, a, b: s.addr(a, b, beta=0.5), [X, rand(3), rand(4)], True),
    "baddbmm": (lambda m, s, a, b: m.baddbmm(s, a, b), [X, rand(2, 3, 2), rand(2, 2, 4)], True),
    "addbmm": (lambda m, s, a, b: s.addbmm(a, b), [X, rand(2, 3, 2), rand(2, 2, 4)], True),
    "vdot": (lambda m, a, b: m.vdot(a, b), [rand(4), rand(4, seed=3)], True),
    "std_mean": (lambda m, a: m.std_mean(a, 1)[0] + m.std_mean(a, 1)[1], [X], True),
    "var_mean": (lambda m, a: m.var_mean(a)[0] * m.var_mean(a)[1], [X], True),
    "dist": (lambda m, a, b: m.dist(a, b, 3), [X, rand(4)], True),
    "unfold": (lambda m, a: a.unfold(1, 2, 1), [X], True),
    "masked_scatter": (lambda m, a, s: a.masked_scatter(a.detach() > 0, s), [X, rand(12)], True),
    # the records of retrograd/ops/scatter_reductions.py (more cases in
    # tests/test_ops_tensorfns.py)
    "scatter_reduce": (
        lambda m, a, s: a.scatter_reduce(1, m.tensor([[0, 0], [3, 1], [2, 2]]), s, "amax"),
        [X, rand(3, 2)],
        True,
    ),
    "index_reduce": (
        lambda m, a, s: a.index_reduce(0, m.tensor([2, 0, 2]), s, "prod", include_self=False),
        [X, rand(3, 4, seed=2)],
        True,
    ),
    # the records of retrograd/ops/{unsafe_splits,flat_writes}.py (more cases in
    # tests/test_ops_tensorfns_shapes.py)
    "unsafe_split": (lambda m, a: a.unsafe_split(3, 1)[1] * 2, [X], True),
    "unsafe_split_with_sizes": (lambda m, a: m.unsafe_split_with_sizes(a, [2, 1])[0], [X], True),
    "put": (lambda m, a, s: a.put(m.tensor([1, -2]), s), [X, rand(2, seed=3)], True),
    # retrograd/ops/float_bits.py's frexp (ldexp and nextafter: test_ops_vs_torch.py)
    "frexp": (lambda m, a: m.frexp(a).mantissa * 3, [X], True),
    # retrograd/ops/renorm.py (more cases in tests/test_ops_tensorfns_shapes.py)
    "renorm": (lambda m, a: a.renorm(2, 0, 1.0), [X], True),
    # retrograd/ops/functional_fill.py (more cases in tests/test_ops_tensorfns_numeric.py)
    "fill_out": (lambda m, a: m.fill(a, 1.5) * a, [X], True),
    "fill_out_tensor": (lambda m, a, v: m.fill(a, v) * a, [X, np.array(0.5)], True),
}


@pytest.mark.parametrize("case", SHAPE, ids=str)
def test_shape_and_joining(case):
    check_table(SHAPE, case)


# the records of retrograd/ops/{sorting,selection,uniques}.py (more cases, ties, NaN and
# errors in tests/test_ops_sorting.py)
SORTING = {
    "sort": (lambda m, a: a.sort(1).values, [X], True),
    "sort-stable": (lambda m, a: m.sort(a, dim=0, descending=True, stable=True)[0], [TIES]),
    "topk": (lambda m, a: m.topk(a, 2).values, [X], True),
    "kthvalue": (lambda m, a: a.kthvalue(2, 0).values, [X], True),
    "median": (lambda m, a: a.median(), [TIES]),
    "median-dim": (lambda m, a: m.median(a, 1, True).values, [X], True),
    "nanmedian": (lambda m, a: m.nanmedian(a), [X]),
    "nanmedian-dim": (lambda m, a: a.nanmedian(0)[0], [X], True),
    "mode": (lambda m, a: m.mode(a, 1).values, [TIES]),
}
# recorded without a derivative (a backward raises PyTorch's NotImplementedError)
NO_DERIVATIVE = {
    "unique": lambda m, a: m.unique(a),
    "unique-dim": lambda m, a: m.unique(a, dim=1),
    "unique_consecutive": lambda m, a: a.unique_consecutive(),
    # PyTorch has no derivative of zeta in x (tests/test_ops_special.py checks the error)
    "special-zeta-number-q": lambda m, a: m.special.zeta(a + 1, 1.5),
}


@pytest.mark.parametrize("case", SORTING, ids=str)
def test_sorting_and_selection(case):
    check_table(SORTING, case)


def test_split_outputs_share_one_node_and_are_views():
    for lib in (retrograd, torch):
        x = lib.ones(5, 2, requires_grad=True) * 1
        parts = x.split(2)
        assert [type(p.grad_fn).__name__ for p in parts] == ["SplitBackward0"] * 3
        assert parts[0].grad_fn is parts[2].grad_fn
        assert [p._base is x for p in parts] == [True] * 3
    assert retrograd.ones(1).flatten() is not None


def test_flatten_of_a_vector_is_itself():
    x = retrograd.ones(3)
    assert x.flatten() is x and torch.ones(3).flatten() is not None


# -- 5. indexing -------------------------------------------------------------------------
M = rand(4, 5)
BOOLS = M > 0
INDEXING = {
    "int-tensor": (lambda m, a: a[m.tensor([0, 2, 2])], [M], True),
    "list": (lambda m, a: a[[3, 0]], [M], True),
    "mask": (lambda m, a: a[a > 0], [M], True),
    "mask-rows": (lambda m, a: a[m.tensor([True, False, True, True])], [M], True),
    "int-and-list": (lambda m, a: a[0, [1, 2]], [M], True),
    "list-and-int": (lambda m, a: a[[1, 2], 0], [M], True),
    "slice-and-list": (lambda m, a: a[:, [1, 4]], [M], True),
    "slice1-and-list": (lambda m, a: a[1:, [1, 4]], [M], True),
    "two-lists": (lambda m, a: a[[0, 1], [2, 3]], [M], True),
    "separated": (lambda m, a: a[[0, 1], :, [1, 0]], [rand(2, 3, 2)], True),
    "int-separates": (lambda m, a: a[:, [0, 1], 0, [1, 0]], [rand(2, 3, 2, 2)], True),
    "none-and-list": (lambda m, a: a[None, [0, 1], None], [M], True),
    "ellipsis-list": (lambda m, a: a[..., [0, 1]], [rand(2, 3, 4)], True),
    "2d-index": (lambda m, a: a[m.tensor([[0, 1], [1, 3]])], [M], True),
    "negative": (lambda m, a: a[[-1, -4]], [M], True),
    "repeated": (lambda m, a: a[[1, 1, 1]], [M], True),
    "gather": (lambda m, a: a.gather(1, m.tensor([[0, 0], [1, 4], [2, 2], [3, 1]])), [M], True),
    "gather-dim0": (lambda m, a: m.gather(a, 0, m.tensor([[3, 0, 1, 1, 2]])), [M], True),
    "gather-int32": (
        lambda m, a: a.gather(1, m.tensor([[0], [1], [2], [3]], dtype=m.int32)),
        [M],
    ),
    "scatter": (
        lambda m, a, s: a.scatter(1, m.tensor([[0, 1], [1, 2], [2, 3], [3, 4]]), s),
        [M, rand(4, 2, seed=5)],
        True,
    ),
    "scatter-value": (lambda m, a: m.scatter(a, 0, m.tensor([[1, 2, 3, 0, 1]]), 9.0), [M]),
    "scatter_add": (
        lambda m, a, s: a.scatter_add(1, m.tensor([[0, 0], [1, 1], [2, 4], [0, 4]]), s),
        [M, rand(4, 2, seed=5)],
        True,
    ),
    "index_select": (lambda m, a: a.index_select(1, m.tensor([4, 0, 0])), [M], True),
    "index_select-0": (lambda m, a: m.index_select(a, 0, m.tensor([2, 1])), [M], True),
    "masked_fill": (lambda m, a: a.masked_fill(a > 0, 0.5), [M], True),
    "masked_fill-broadcast": (
        lambda m, a: a.masked_fill(m.tensor([True, False, True, False, True]), -1.0),
        [M],
    ),
    "masked_fill-tensor": (lambda m, a, v: m.masked_fill(a, a < 0, v), [M, np.array(2.0)], True),
    "masked_select": (lambda m, a: a.masked_select(a > 0.5), [M], True),
    "masked_select-broadcast": (
        lambda m, a: m.masked_select(a, m.tensor([True, False, True, False, True])),
        [M],
    ),
    "take": (lambda m, a: a.take(m.tensor([[0, 19], [7, 7]])), [M], True),
    "tril": (lambda m, a: a.tril(), [M], True),
    "tril-k": (lambda m, a: m.tril(a, -1), [M], True),
    "triu-k": (lambda m, a: a.triu(2), [rand(2, 3, 4)], True),
    "index_put": (lambda m, a, v: m.index_put(a, (m.tensor([0, 2]),), v), [M, rand(5)], True),
    "index_put-acc": (
        lambda m, a, v: a.index_put((m.tensor([0, 0]), m.tensor([1, 1])), v, accumulate=True),
        [M, rand(2)],
        True,
    ),
}


@pytest.mark.parametrize("case", INDEXING, ids=str)
def test_indexing(case):
    check_table(INDEXING, case)


def _set(key, value_from=None):
    """``y = x * 1; y[key] = value`` (value: a constant or ``value_from(m, v)``)."""

    def case(m, x, v):
        y = x * 1
        y[key(m) if callable(key) else key] = 5.0 if value_from is None else value_from(m, v)
        return y

    return case


SETITEM = {
    "int": _set(0),
    "slice": _set((slice(None), slice(1, 3))),
    "list": _set(lambda m: [0, 2]),
    "mask": _set(lambda m: m.tensor([True, False, True, False])),
    "int-list": _set(lambda m: (1, [0, 4])),
    "value-row": _set(1, lambda m, v: v),
    "value-broadcast": _set((slice(None), 2), lambda m, v: v[0]),
    "value-leading-ones": _set(1, lambda m, v: v.reshape(1, 1, 5)),  # dropped, as PyTorch does
    "value-list": _set(lambda m: [3, 1], lambda m, v: v * 2),
    "value-mask": _set(lambda m: m.tensor([[True, False] * 2 + [True]] * 4), lambda m, v: v[0]),
}


@pytest.mark.parametrize("case", SETITEM, ids=str)
def test_setitem_is_differentiable_like_copy_slices(case):
    run_both(SETITEM[case], [M, rand(5, seed=9)], second_order=True)


def test_setitem_into_a_constant_makes_it_require_grad():
    for lib in (retrograd, torch):
        v = lib.ones(5, requires_grad=True)
        z = lib.zeros(4, 5)
        z[1] = v * 2
        assert type(z.grad_fn).__name__ == "CopySlices" and z._version == 1
        z.sum().backward()
        assert v.grad.tolist() == [2.0] * 5


def test_setitem_bumps_the_version_and_catches_stale_saves():
    for lib in (retrograd, torch):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        z = y * y  # saves y
        y.detach()[0] = 7.0
        assert y._version == 1
        with pytest.raises(RuntimeError):
            z.sum().backward()


def test_setitem_without_grad_writes_in_place():
    x = retrograd.zeros(2, 3)
    view = x[1]
    x[1, [0, 2]] = retrograd.tensor([1.0, 2.0])
    x[0] = 3
    assert x.tolist() == [[3.0, 3.0, 3.0], [1.0, 0.0, 2.0]] and view.tolist() == [1.0, 0.0, 2.0]
    with retrograd.no_grad():
        leaf = retrograd.ones(2, requires_grad=True)
        leaf[0] = 5.0
    assert leaf.tolist() == [5.0, 1.0] and leaf.is_leaf


@pytest.mark.parametrize("as_tuple", [False, True])
def test_nonzero(as_tuple):
    value = [[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]]
    ours = retrograd.tensor(value).nonzero(as_tuple=as_tuple)
    theirs = torch.tensor(value).nonzero(as_tuple=as_tuple)
    for o, t in zip(ours if as_tuple else [ours], theirs if as_tuple else [theirs]):
        same(o, t)
    same(retrograd.where(retrograd.tensor(value) > 0)[0], torch.where(torch.tensor(value) > 0)[0])


# -- 6. neural-network functions ---------------------------------------------------------
def _fn(name):
    """``F.name`` of either library."""
    return lambda m: RF if m is retrograd else TF


LOGITS = rand(4, 5, seed=3)
TARGET = ints(1, 0, 4, 1)
PROBS = np.random.default_rng(4).dirichlet(np.ones(5), size=4)
P01 = rand(4, 5, seed=5, low=0.05, high=0.95)
T01 = rand(4, 5, seed=6, low=0.0, high=1.0)
W5 = rand(5, seed=7, low=0.5, high=2.0)


def _float64(t):
    assert str(t.dtype) == "torch.float64", t.dtype
    return t


def F(m):
    return RF if m is retrograd else TF


NN = {
    "relu": (lambda m, a: F(m).relu(a), [X]),
    "leaky_relu": (lambda m, a: F(m).leaky_relu(a, 0.1), [X]),
    "leaky_relu-at-0": (lambda m, a: F(m).leaky_relu(a), [np.array([-1.0, 0.0, 1.0])]),
    "gelu": (lambda m, a: F(m).gelu(a), [X], True),
    "gelu-tanh": (lambda m, a: F(m).gelu(a, approximate="tanh"), [X], True),
    "silu": (lambda m, a: F(m).silu(a), [X], True),
    "softplus": (lambda m, a: F(m).softplus(a), [X], True),
    "softplus-beta-threshold": (lambda m, a: F(m).softplus(a * 10, beta=2, threshold=5), [X]),
    "elu": (lambda m, a: F(m).elu(a), [X]),
    "elu-alpha-at-0": (lambda m, a: F(m).elu(a, alpha=0.5), [np.array([-1.0, 0.0, 1.0])]),
    "sigmoid": (lambda m, a: F(m).sigmoid(a), [X], True),
    "tanh": (lambda m, a: F(m).tanh(a), [X], True),
    "softmax": (lambda m, a: F(m).softmax(a, dim=1), [X], True),
    "softmax-dim0": (lambda m, a: a.softmax(0), [X], True),
    "softmax-dtype": (
        lambda m, a: m.softmax(a, -1, dtype=m.float64),
        [rand(2, 3, dtype="float32")],
    ),
    "softmax-huge": (lambda m, a: F(m).softmax(a * 1000, -1), [X]),
    "softmax-0d": (lambda m, a: a.softmax(0), [np.array(3.0)]),
    "log_softmax": (lambda m, a: F(m).log_softmax(a, -1), [X], True),
    "log_softmax-huge": (lambda m, a: m.log_softmax(a * 1000, 1), [X]),
    # nn.functional's further activations and losses (tests/test_nn_functional_more.py
    # checks them in depth)
    "hardtanh": (lambda m, a: F(m).hardtanh(a), [X]),
    "hardsigmoid": (lambda m, a: F(m).hardsigmoid(a * 3), [X]),
    "hardswish": (lambda m, a: F(m).hardswish(a * 3), [X]),
    "threshold": (lambda m, a: F(m).threshold(a, 0.3, -1.0), [X]),
    "hardshrink": (lambda m, a: F(m).hardshrink(a), [X]),
    "softshrink": (lambda m, a: F(m).softshrink(a), [X]),
    "celu": (lambda m, a: F(m).celu(a, 0.5), [X]),
    "glu": (lambda m, a: F(m).glu(a), [X], True),
    "mish": (lambda m, a: F(m).mish(a), [X], True),
    "logsigmoid": (lambda m, a: F(m).logsigmoid(a), [X], True),
    "huber_loss": (lambda m, a, b: F(m).huber_loss(a, b * 2, delta=0.5), [X, Y]),
    "smooth_l1_loss": (lambda m, a, b: F(m).smooth_l1_loss(a, b * 2, beta=0.5), [X, Y]),
    "linear": (lambda m, a, w, b: F(m).linear(a, w, b), [X, rand(2, 4, seed=8), rand(2)], True),
    "linear-no-bias": (lambda m, a, w: F(m).linear(a, w), [X, rand(2, 4, seed=8)], True),
    "linear-3d": (lambda m, a, w, b: F(m).linear(a, w, b), [rand(2, 3, 4), rand(2, 4), rand(2)]),
    "linear-1d": (lambda m, a, w, b: F(m).linear(a, w, b), [V, rand(2, 4), rand(2)]),
    "mse": (lambda m, a, b: F(m).mse_loss(a, b), [X, Y], True),
    "mse-sum": (lambda m, a, b: F(m).mse_loss(a, b, reduction="sum"), [X, Y], True),
    "mse-none": (lambda m, a, b: F(m).mse_loss(a, b, reduction="none"), [X, Y], True),
    "l1": (lambda m, a, b: F(m).l1_loss(a, b), [X, Y]),
    "l1-none": (lambda m, a, b: F(m).l1_loss(a, b, reduction="none"), [X, Y]),
    "nll": (lambda m, a, t: F(m).nll_loss(a, t), [LOGITS, TARGET], True),
    "nll-sum": (lambda m, a, t: F(m).nll_loss(a, t, reduction="sum"), [LOGITS, TARGET]),
    "nll-none": (lambda m, a, t: F(m).nll_loss(a, t, reduction="none"), [LOGITS, TARGET]),
    "nll-weight": (lambda m, a, t, w: F(m).nll_loss(a, t, w.detach()), [LOGITS, TARGET, W5]),
    "nll-ignore": (lambda m, a, t: F(m).nll_loss(a, t, ignore_index=1), [LOGITS, TARGET]),
    "nll-1d": (lambda m, a: F(m).nll_loss(a, m.tensor(2)), [rand(5)]),
    "nll-spatial": (
        lambda m, a, t: F(m).nll_loss(a, t),
        [rand(2, 3, 4), ints(0, 2, 1, 1, 0, 0, 2, 2).reshape(2, 4)],
    ),
    "cross_entropy": (lambda m, a, t: F(m).cross_entropy(a, t), [LOGITS, TARGET], True),
    "cross_entropy-sum": (
        lambda m, a, t: F(m).cross_entropy(a, t, reduction="sum"),
        [LOGITS, TARGET],
    ),
    "cross_entropy-weight-ignore": (
        lambda m, a, t, w: F(m).cross_entropy(a, t, w.detach(), ignore_index=0),
        [LOGITS, TARGET, W5],
    ),
    "cross_entropy-smoothing": (
        lambda m, a, t: F(m).cross_entropy(a, t, label_smoothing=0.2),
        [LOGITS, TARGET],
        True,
    ),
    "cross_entropy-smoothing-weight-none": (
        lambda m, a, t, w: F(m).cross_entropy(
            a, t, w.detach(), reduction="none", label_smoothing=0.1
        ),
        [LOGITS, TARGET, W5],
    ),
    "cross_entropy-probs": (lambda m, a, p: F(m).cross_entropy(a, p), [LOGITS, PROBS], True),
    "cross_entropy-probs-none": (
        lambda m, a, p: F(m).cross_entropy(a, p, reduction="none"),
        [LOGITS, PROBS],
    ),
    "cross_entropy-probs-sum-smooth": (
        lambda m, a, p: F(m).cross_entropy(a, p, reduction="sum", label_smoothing=0.1),
        [LOGITS, PROBS],
    ),
    "cross_entropy-huge": (lambda m, a, t: F(m).cross_entropy(a * 1e4, t), [LOGITS, TARGET]),
    "bce": (lambda m, p, t: F(m).binary_cross_entropy(p, t), [P01, T01], True),
    "bce-weight-sum": (
        lambda m, p, t, w: F(m).binary_cross_entropy(p, t, w.detach(), reduction="sum"),
        [P01, T01, W5],
    ),
    "bce-at-0-and-1": (
        lambda m, p, t: F(m).binary_cross_entropy(p, t),
        [np.array([0.0, 1.0, 0.5]), np.array([1.0, 0.0, 0.5])],
    ),
    "bce_logits": (
        lambda m, a, t: F(m).binary_cross_entropy_with_logits(a, t),
        [X, Y.clip(0, 1)],
        True,
    ),
    "bce_logits-huge": (
        lambda m, a, t: F(m).binary_cross_entropy_with_logits(a * 1e3, t),
        [X, T01[:3, :4]],
    ),
    "bce_logits-pos_weight": (
        lambda m, a, t, w: F(m).binary_cross_entropy_with_logits(
            a, t, pos_weight=w.detach(), reduction="none"
        ),
        [LOGITS, T01, W5],
        True,
    ),
    "mse-f32-f64": (lambda m, a, b: F(m).mse_loss(a, b), [X.astype("float32"), Y]),
    # PyTorch computes part of it in float32 here: compare the float64 result as float32.
    "bce_logits-f32-f64": (
        lambda m, a, t: _float64(F(m).binary_cross_entropy_with_logits(a, t.detach())).float(),
        [X.astype("float32"), T01[:3, :4]],
    ),
    "cross_entropy-f32-f64-probs": (
        lambda m, a, p: F(m).cross_entropy(a, p.detach()),
        [LOGITS.astype("float32"), PROBS],
    ),
    "dropout-eval": (lambda m, a: F(m).dropout(a, 0.5, training=False), [X]),
    "dropout-0": (lambda m, a: F(m).dropout(a, 0.0), [X]),
    # margin and distance losses (tests/test_nn_losses_more.py checks them in depth)
    "pairwise_distance": (lambda m, a, b: F(m).pairwise_distance(a, b), [X, Y]),
    "soft_margin_loss": (lambda m, a, b: F(m).soft_margin_loss(a, b.detach().sign()), [X, Y]),
    "multi_margin_loss": (
        lambda m, a: F(m).multi_margin_loss(a, m.tensor([0, 3, 1]), p=2, margin=0.5),
        [X],
    ),
    "cosine_embedding_loss": (
        lambda m, a, b: F(m).cosine_embedding_loss(a, b, m.tensor([1.0, -1.0, -1.0]), -0.5),
        [X, Y],
    ),
    "poisson_nll_loss-full": (
        lambda m, a, b: F(m).poisson_nll_loss(a, b.abs() * 3, full=True),
        [X, Y],
    ),
    # normalization layers and rearrangements (tests/test_nn_norm_attention.py: in depth)
    "group_norm": (lambda m, a: F(m).group_norm(a.reshape(1, 4, 3), 2), [X]),
    "instance_norm": (lambda m, a: F(m).instance_norm(a.reshape(1, 3, 4)), [X]),
    "layer_norm": (lambda m, a: F(m).layer_norm(a.reshape(3, 4), (4,)), [X]),
    "batch_norm": (lambda m, a: F(m).batch_norm(a.reshape(3, 4), None, None, training=True), [X]),
    "pixel_shuffle": (lambda m, a: F(m).pixel_shuffle(a.reshape(1, 4, 3, 1), 2), [X]),
    "pixel_unshuffle": (lambda m, a: F(m).pixel_unshuffle(a.reshape(1, 1, 2, 6), 2), [X]),
    "channel_shuffle": (lambda m, a: F(m).channel_shuffle(a.reshape(1, 4, 3), 2), [X]),
    # packing a padded batch (tests/test_nn_recurrent.py: in depth)
    "pack_padded_sequence": (
        lambda m, a: m.nn.utils.rnn.pack_padded_sequence(a, [4, 2, 1], True).data,
        [X],
    ),
    # convolution and sliding blocks (tests/test_nn_convolution.py: in depth)
    "conv2d": (lambda m, a, w: F(m).conv2d(a.reshape(1, 1, 3, 4), w), [X, rand(2, 1, 2, 2)]),
    "conv_transpose1d": (lambda m, a, w: F(m).conv_transpose1d(a, w, stride=2), [X, rand(3, 2, 2)]),
    "unfold": (lambda m, a: F(m).unfold(a.reshape(1, 1, 3, 4), 2), [X]),
    "fold": (lambda m, a: F(m).fold(a.reshape(1, 4, 3), (2, 4), 2), [X]),
    # pooling and padding (tests/test_nn_pooling.py, tests/test_nn_padding.py: in depth)
    "max_pool2d": (lambda m, a: F(m).max_pool2d(a.reshape(1, 3, 4), 2, 1), [X]),
    "max_pool3d": (lambda m, a: F(m).max_pool3d(a.reshape(1, 3, 2, 2), 2, 1), [X]),
    "avg_pool2d": (lambda m, a: F(m).avg_pool2d(a.reshape(1, 3, 4), 2, 1, 1), [X]),
    "avg_pool3d": (lambda m, a: F(m).avg_pool3d(a.reshape(1, 3, 2, 2), 2, 1), [X]),
    "adaptive_avg_pool2d": (lambda m, a: F(m).adaptive_avg_pool2d(a.reshape(1, 3, 4), 2), [X]),
    "adaptive_avg_pool3d": (
        lambda m, a: F(m).adaptive_avg_pool3d(a.reshape(1, 3, 2, 2), 2),
        [X],
    ),
    "adaptive_max_pool2d": (lambda m, a: F(m).adaptive_max_pool2d(a.reshape(1, 3, 4), 2), [X]),
    "adaptive_max_pool3d": (
        lambda m, a: F(m).adaptive_max_pool3d(a.reshape(1, 3, 2, 2), 2),
        [X],
    ),
    "max_unpool2d": (
        lambda m, a: F(m).max_unpool2d(
            *F(m).max_pool2d(a.reshape(1, 3, 4), 2, 1, return_indices=True), 2, 1
        ),
        [X],
    ),
    "max_unpool3d": (
        lambda m, a: F(m).max_unpool3d(
            *F(m).max_pool3d(a.reshape(1, 3, 2, 2), 2, return_indices=True), 2
        ),
        [X],
    ),
    "constant_pad_nd": (lambda m, a: F(m).pad(a, (1, -1, 2, 0), value=0.5), [X]),
    "reflection_pad1d": (lambda m, a: F(m).pad(a, (2, 1), mode="reflect"), [X]),
    "reflection_pad2d": (lambda m, a: F(m).pad(a[None], (2, 1, 1, 2), mode="reflect"), [X]),
    "reflection_pad3d": (
        lambda m, a: F(m).pad(a.reshape(1, 3, 2, 2), (1, 1, 1, 0, 2, 0), mode="reflect"),
        [X],
    ),
    "replication_pad1d": (lambda m, a: F(m).pad(a, (3, 1), mode="replicate"), [X]),
    "replication_pad2d": (lambda m, a: F(m).pad(a[None], (1, 3, 2, 0), mode="replicate"), [X]),
    "replication_pad3d": (
        lambda m, a: F(m).pad(a.reshape(1, 3, 2, 2), (1, 0, 2, 1, 0, 3), mode="replicate"),
        [X],
    ),
    # in-place activations' "1" nodes, rrelu (tests/test_torch_level_nn_ops.py in depth)
    "elu_": (lambda m, a: F(m).elu_(a * 1, 0.5), [X]),
    "celu_": (lambda m, a: m.celu_(a * 1, 0.7), [X]),
    "leaky_relu_": (lambda m, a: F(m).leaky_relu_(a * 1, 0.2), [X]),
    "threshold_": (lambda m, a: m.threshold_(a * 1, 0.1, 2.0), [X]),
    "rrelu-eval": (lambda m, a: m.rrelu(a), [X]),
    "rrelu_-eval": (lambda m, a: m.rrelu_(a * 1, 0.1, 0.3), [X]),
    # attention and small layers (tests/test_nn_attention.py, test_nn_layers_more.py in depth)
    "scaled_dot_product_attention": (
        lambda m, a, b: F(m).scaled_dot_product_attention(
            a.reshape(1, 1, 3, 4), b.reshape(1, 1, 3, 4), b.reshape(1, 1, 3, 4)
        ),
        [X, Y],
    ),
    "prelu": (lambda m, a, w: F(m).prelu(a, w), [X, rand(4, seed=5)], True),
    "pdist": (lambda m, a: F(m).pdist(a, 1.5), [X]),
    # interpolation's resampling nodes (tests/test_nn_interpolate.py: in depth)
    **{
        f"interpolate-{mode}-{dims}d": (
            lambda m, a, mode=mode, dims=dims: F(m).interpolate(
                a.reshape(1, 1, *((12,), (3, 4), (3, 2, 2))[dims - 1]), scale_factor=2.5, mode=mode
            ),
            [X],
        )
        for mode, all_dims in (
            ("nearest", (1, 2, 3)),
            ("nearest-exact", (1, 2, 3)),
            ("linear", (1,)),
            ("bilinear", (2,)),
            ("bicubic", (2,)),
            ("trilinear", (3,)),
            ("area", (2, 3)),
        )
        for dims in all_dims
    },
    **{
        f"interpolate-{mode}-antialias": (
            lambda m, a, mode=mode: F(m).interpolate(
                a.reshape(1, 1, 3, 4), size=(2, 3), mode=mode, antialias=True
            ),
            [X],
        )
        for mode in ("bilinear", "bicubic")
    },
    "affine_grid": (
        lambda m, a: F(m).affine_grid(a.reshape(2, 2, 3), (2, 1, 3, 2), align_corners=True),
        [X],
    ),
    "grid_sample": (
        lambda m, a, b: F(m).grid_sample(
            a.reshape(1, 2, 2, 3), b.reshape(1, 3, 2, 2) * 0.6, align_corners=False
        ),
        [X, Y],
    ),
    "grid_sample-volume": (
        lambda m, a, b: F(m).grid_sample(
            a.reshape(1, 1, 2, 3, 2), b.reshape(1, 2, 2, 1, 3) * 0.6, align_corners=True
        ),
        [X, Y],
    ),
    "embedding-padding-frequency": (
        lambda m, w: F(m).embedding(m.tensor([[0, 2], [2, 1]]), w, 1, scale_grad_by_freq=True),
        [X],
    ),
    # bags of embeddings, multi-label and CTC losses (tests/test_nn_more_layers.py has more)
    "embedding_bag-sum": (
        lambda m, w, p: F(m).embedding_bag(
            m.tensor([0, 2, 1, 2]), w, m.tensor([0, 1]), mode="sum", per_sample_weights=p
        ),
        [X, V],
    ),
    "embedding_bag-max": (
        lambda m, w: F(m).embedding_bag(m.tensor([[0, 2], [1, 1]]), w, mode="max"),
        [X],
    ),
    "multilabel_margin_loss": (
        lambda m, a: F(m).multilabel_margin_loss(a, m.tensor([[3, 0, -1, 1]] * 3)),
        [X],
    ),
    "ctc_loss": (
        lambda m, a: F(m).ctc_loss(a.reshape(3, 1, 4).log_softmax(2), m.tensor([[1, 2]]), [3], [2]),
        [X],
    ),
    "fractional_max_pool2d": (
        lambda m, a: F(m).fractional_max_pool2d(
            a.reshape(1, 1, 3, 4), 2, 2, _random_samples=m.full((1, 1, 2), 0.3, dtype=a.dtype)
        ),
        [X],
    ),
    "fractional_max_pool3d": (
        lambda m, a: F(m).fractional_max_pool3d(
            a.reshape(1, 1, 3, 2, 2),
            (2, 1, 1),
            (1, 1, 1),
            _random_samples=m.full((1, 1, 3), 0.6, dtype=a.dtype),
        ),
        [X],
    ),
}


# PyTorch before 2.13 raises "Found dtype Double but expected Float" in these backwards.
MIXED_DTYPE_BACKWARD = {"mse-f32-f64", "cross_entropy-f32-f64-probs"}


@SILENT
@pytest.mark.parametrize("case", NN, ids=str)
def test_neural_network_functions(case):
    if case in MIXED_DTYPE_BACKWARD and TORCH_VERSION < (2, 13):
        pytest.skip("the oracle's PyTorch < 2.13 fails this mixed-dtype backward itself")
    check_table(NN, case)


def test_dropout_zeroes_and_scales():
    retrograd.manual_seed(0)
    x = retrograd.ones(2000, requires_grad=True)
    y = RF.dropout(x, 0.25)
    kept = y.detach().numpy() != 0
    assert type(y.grad_fn).__name__ == "MulBackward0"
    assert 0.70 < kept.mean() < 0.80 and np.allclose(y.detach().numpy()[kept], 1 / 0.75)
    y.sum().backward()
    assert np.array_equal(x.grad.numpy() != 0, kept)
    assert RF.dropout(x, 1.0).detach().numpy().sum() == 0
    with pytest.raises(ValueError):
        RF.dropout(x, 1.5)


def test_softmax_without_dim_warns_and_picks_torchs_dim():
    x = rand(2, 3)
    with pytest.warns(UserWarning):
        ours = RF.softmax(retrograd.tensor(x))
    with pytest.warns(UserWarning):
        theirs = TF.softmax(torch.tensor(x))
    same(ours, theirs)


# -- 7. dtypes ---------------------------------------------------------------------------
I64, I32 = ints(3, -1, 2), ints(3, -1, 2, dtype="int32")
F16, F32, F64 = (rand(3, seed=2, dtype=d) for d in ("float16", "float32", "float64"))
B = np.array([True, False, True])
DTYPES = {
    "int32+int64": (lambda m, a, b: a + b, [I32, I64]),
    "int32*0d-int64": (lambda m, a, b: a * b, [I32, np.array(2)]),
    "int32*2.5": (lambda m, a: a * 2.5, [I32]),
    "int32/int32": (lambda m, a, b: a / b, [I32, I32]),
    "int64//2": (lambda m, a: a // 2, [I64]),
    "f16+f32": (lambda m, a, b: a + b, [F16, F32]),
    "f16+1.5": (lambda m, a: a + 1.5, [F16]),
    "f16*0d-f64": (lambda m, a, b: a * b.detach(), [F16, np.array(2.0)]),
    "f16-exp": (lambda m, a: a.exp(), [F16]),
    "f16-sum": (lambda m, a: a.sum(), [F16]),
    "bool+bool": (lambda m, a, b: a + b, [B, B]),
    "bool*2": (lambda m, a: a * 2, [B]),
    "bool*f32": (lambda m, a, b: a * b, [B, F32]),
    "int-maximum-f32": (lambda m, a, b: m.maximum(a, b), [I64, F32]),
    "int32-atan2": (lambda m, a, b: m.atan2(a, b), [I32, I64]),
    "int-where-f64": (lambda m, a, b: m.where(a > 0, a, b), [I64, F64]),
    "clamp-f32-0d-f64-bounds": (lambda m, a, lo: m.clamp(a, lo), [F32, np.array(0.1)]),
    "cat-int-f32": (lambda m, a, b: m.cat([a, b]), [I64, F32]),
    "stack-i32-i64": (lambda m, a, b: m.stack([a, b]), [I32, I64]),
    "int()": (lambda m, a: a.int(), [F64]),
    "long()": (lambda m, a: a.long(), [F32]),
    "half()": (lambda m, a: a.half(), [F64]),
    "bool()": (lambda m, a: a.bool(), [F32]),
    "float()-of-bool": (lambda m, a: a.float(), [B]),
    "type_as": (lambda m, a, b: a.type_as(b), [F64, F32]),
    "type_as-int": (lambda m, a, b: a.type_as(b), [F64, I32]),
    "to-f16": (lambda m, a: a.to(m.float16), [F32]),
    "prod-bool": (lambda m, a: a.prod(), [B]),
    "amax-int": (lambda m, a: a.amax(), [I32]),
    "mean-int-dtype": (lambda m, a: a.mean(dtype=m.float64), [I64]),
}


@pytest.mark.parametrize("case", DTYPES, ids=str)
def test_type_promotion_and_conversions(case):
    check_table(DTYPES, case)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_gradients_keep_their_inputs_dtype(dtype):
    x, y = (
        retrograd.tensor([1.0, 2.0], dtype=getattr(retrograd, dtype), requires_grad=True)
        for _ in range(2)
    )
    z = retrograd.tensor([3.0, 4.0], dtype=retrograd.float64, requires_grad=True)
    (x * z + y.double().exp()).sum().backward()
    assert (x.grad.dtype, y.grad.dtype, z.grad.dtype) == (x.dtype, y.dtype, retrograd.float64)


def test_default_dtype_is_settable_and_used():
    assert retrograd.get_default_dtype() is retrograd.float32
    try:
        retrograd.set_default_dtype(retrograd.float64)
        assert retrograd.tensor([1.5]).dtype is retrograd.float64
        assert (retrograd.tensor([1, 2]) / 2).dtype is retrograd.float64
        assert retrograd.tensor([1, 2]).exp().dtype is retrograd.float64
    finally:
        retrograd.set_default_dtype(retrograd.float32)
    with pytest.raises(TypeError):
        retrograd.set_default_dtype(retrograd.int64)


# -- 8. conventions at non-differentiable points -----------------------------------------
KINKS = {
    "abs": lambda m, x: x.abs(),
    "relu": lambda m, x: m.relu(x),
    "clamp": lambda m, x: x.clamp(-1.0, 1.0),
    "clamp-inverted": lambda m, x: x.clamp(1.0, -1.0),
    "clamp_min": lambda m, x: m.clamp_min(x, 0.0),
    "leaky_relu": lambda m, x: F(m).leaky_relu(x, 0.2),
    "elu": lambda m, x: F(m).elu(x, 0.5),
    "floor": lambda m, x: x.floor(),
    "round": lambda m, x: (x + 0.5).round(),
    "frac": lambda m, x: x.frac(),
    "sign": lambda m, x: x.sign(),
    "maximum-tie": lambda m, x: m.maximum(x, x.detach()),
    "amax-ties": lambda m, x: x.abs().amax(),
    "max-ties": lambda m, x: x.abs().max(),
    "max-dim-ties": lambda m, x: x.abs().reshape(1, 5).max(1).values,
    "norm-zero": lambda m, x: (x * 0).norm(),
    "norm-inf-ties": lambda m, x: x.norm(float("inf")),
    "std-zero": lambda m, x: (x * 0).std(),
    "prod-zero": lambda m, x: x.prod(),
    "cumprod-zero": lambda m, x: x.cumprod(0),
    "pow-0": lambda m, x: x**0,
    "sqrt-0": lambda m, x: (x * 0).sqrt(),
    "div-floor": lambda m, x: m.div(x, 0.5, rounding_mode="floor"),
}


@SILENT
@pytest.mark.parametrize("case", KINKS, ids=str)
def test_gradients_at_kinks_are_pytorchs(case):
    """PyTorch's gradient at the non-differentiable points, exactly (see each record's
    ``doc`` and ``kinks``, rendered in docs/ops.md)."""
    run_both(KINKS[case], [np.array([-1.0, 0.0, 1.0, 0.0, -1.0])])


# -- 9. in-place forms -------------------------------------------------------------------
IN_PLACE = {
    "exp_": lambda t: t.exp_(),
    "log_": lambda t: t.abs_().log_(),
    "sigmoid_": lambda t: t.sigmoid_(),
    "relu_": lambda t: t.relu_(),
    "clamp_": lambda t: t.clamp_(-0.5, 0.5),
    "clamp_min_": lambda t: t.clamp_min_(0.1),
    "clip_": lambda t: t.clip_(max=0.2),
    "floor_": lambda t: t.floor_(),
    "neg_": lambda t: t.neg_(),
    "square_": lambda t: t.square_(),
    "pow_": lambda t: t.pow_(2),
    "atan2_": lambda t: t.atan2_(t.detach() + 3),
    "lerp_": lambda t: t.lerp_(t.detach() * 2, 0.25),
    "div_floor_": lambda t: t.div_(0.3, rounding_mode="floor"),
    "masked_fill_": lambda t: t.masked_fill_(t.detach() > 0, 1.0),
    "scatter_": lambda t: t.scatter_(1, t.detach().argmax(1, keepdim=True), 0.0),
    "tril_": lambda t: t.tril_(),
    "t_": lambda t: t.t_(),
    "transpose_": lambda t: t.transpose_(0, -1),
    "unsqueeze_-squeeze_": lambda t: t.unsqueeze_(0).squeeze_(),
    "squeeze_-tuple": lambda t: t.unsqueeze_(1).squeeze_((1,)),
    "zero_": lambda t: t.zero_(),
    "fill_": lambda t: t.fill_(2.5),
    "fill_-tensor": lambda t: t.fill_(
        t.detach()[0, 0] * 0 + (t[1, 1] * 3).detach().requires_grad_()
    ),
    "copy_": lambda t: t.copy_(t.detach().flip(0).requires_grad_()),
    "%=": lambda t: t.__imod__(0.5),
    "**=": lambda t: t.__ipow__(3),
}


@SILENT
@pytest.mark.parametrize("case", IN_PLACE, ids=str)
def test_in_place_forms(case):
    def fn(m, x):
        y = x * 1
        before = y._version
        out = IN_PLACE[case](y)
        assert out is y and y._version > before
        return y

    run_both(fn, [X], second_order=False)


def test_in_place_on_a_leaf_that_requires_grad_is_refused():
    for lib in (retrograd, torch):
        x = lib.ones(3, requires_grad=True)
        for op in (lambda t: t.exp_(), lambda t: t.clamp_(0, 1), lambda t: t.__setitem__(0, 2.0)):
            with pytest.raises(RuntimeError, match="leaf Variable"):
                op(x)


def test_in_place_result_that_cannot_be_cast_is_refused():
    for lib in (retrograd, torch):
        with pytest.raises(RuntimeError):
            lib.tensor([1, 2]).exp_()


# -- 10. errors --------------------------------------------------------------------------
def _raised(code, lib):
    try:
        code(lib)
    except Exception as error:  # noqa: BLE001 - the point is what is raised
        return error
    pytest.fail(f"{lib.__name__}: no exception raised")


def _m(lib, *shape, dtype=None):
    if not shape:
        return lib.tensor(1.0, dtype=dtype or lib.float32)
    return lib.ones(*shape, dtype=dtype or lib.float32)


ERRORS = {
    # (code, words retrograd's message must contain)
    "maximum-scalar": (lambda m: m.maximum(_m(m, 2), 1), ["maximum", "Tensor"]),
    "div-bad-mode": (lambda m: m.div(_m(m, 2), 2, rounding_mode="up"), ["rounding_mode"]),
    "clamp-no-bounds": (lambda m: m.clamp(_m(m, 2)), ["min", "max"]),
    "lerp-int": (
        lambda m: m.lerp(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64), 0.5),
        ["lerp", "Long"],
    ),
    "lerp-dtypes": (lambda m: m.lerp(_m(m, 2), _m(m, 2, dtype=m.float64), 0.5), ["lerp"]),
    "frac-int": (lambda m: m.ones(2, dtype=m.int64).frac(), ["frac", "Long"]),
    "floor-bool": (lambda m: m.ones(2, dtype=m.bool).floor(), ["floor", "Bool"]),
    "where-non-bool": (lambda m: m.where(_m(m, 2), _m(m, 2), _m(m, 2)), ["where", "bool"]),
    "add-shapes": (lambda m: _m(m, 2, 3) + _m(m, 4), ["(3)", "(4)"]),
    "atan2-shapes": (lambda m: m.atan2(_m(m, 2), _m(m, 3)), ["atan2"]),
    "sum-dim": (lambda m: _m(m, 2, 3).sum(2), ["Dimension out of range"]),
    "prod-dim": (lambda m: _m(m, 2, 3).prod(-3), ["Dimension out of range"]),
    "amax-dim-repeated": (lambda m: _m(m, 2, 3).amax((0, 0)), ["dim 0"]),
    "max-empty": (lambda m: m.ones(0).max(), ["max", "dim"]),
    "amax-empty-dim": (lambda m: m.ones(2, 0).amax(1), ["amax", "non-zero size"]),
    "argmax-dim": (lambda m: _m(m, 2).argmax(1), ["Dimension out of range"]),
    "var-int": (lambda m: m.ones(3, dtype=m.int64).var(), ["var"]),
    "mean-int": (lambda m: m.ones(3, dtype=m.int64).mean(), ["mean", "Long"]),
    "cumsum-dim": (lambda m: _m(m, 3).cumsum(1), ["Dimension out of range"]),
    "logsumexp-no-dim": (lambda m: m.logsumexp(_m(m, 3)), []),
    "mm-shapes": (lambda m: m.mm(_m(m, 2, 3), _m(m, 2, 3)), ["mm", "2x3"]),
    "bmm-dims": (lambda m: m.bmm(_m(m, 2, 3), _m(m, 3, 2)), ["bmm"]),
    "matmul-0d": (lambda m: m.matmul(_m(m), _m(m, 2)), ["1D"]),
    "einsum-operands": (lambda m: m.einsum("ij,jk->ik", _m(m, 2, 2)), ["einsum"]),
    "einsum-subscripts": (lambda m: m.einsum("ijk->i", _m(m, 2, 2)), ["einsum", "subscripts"]),
    "einsum-output": (lambda m: m.einsum("ij->k", _m(m, 2, 2)), ["einsum", "k"]),
    "view-shape": (lambda m: _m(m, 2, 3).view(4), ["invalid"]),
    "view-noncontiguous": (lambda m: _m(m, 2, 3).t().view(6), ["view", "reshape"]),
    "flatten-range": (lambda m: _m(m, 2, 3).flatten(1, 0), ["start_dim"]),
    "unflatten-sizes": (lambda m: _m(m, 2, 4).unflatten(1, (3, 3)), ["unflatten"]),
    "mT-1d": (lambda m: _m(m, 3).mT, []),
    "repeat-too-few": (lambda m: _m(m, 2, 3).repeat(2), ["repeat"]),
    "flip-repeated": (lambda m: _m(m, 2, 3).flip(0, 0), ["dim 0"]),
    "roll-mismatch": (lambda m: _m(m, 2, 3).roll((1, 2), 0), ["shifts"]),
    "cat-empty": (lambda m: m.cat([]), ["cat", "non-empty"]),
    "cat-not-tensor": (lambda m: m.cat([_m(m, 2), 1]), ["element 1"]),
    "cat-dims": (lambda m: m.cat([_m(m, 2, 3), _m(m, 3)]), ["same number of dimensions"]),
    "cat-sizes": (lambda m: m.cat([_m(m, 2, 3), _m(m, 2, 4)]), ["Sizes of tensors", "size 3"]),
    "cat-0d": (lambda m: m.cat([_m(m), _m(m)]), ["zero-dimensional"]),
    "cat-dim": (lambda m: m.cat([_m(m, 2), _m(m, 2)], 1), ["Dimension out of range"]),
    "stack-sizes": (lambda m: m.stack([_m(m, 2), _m(m, 3)]), ["stack", "equal size"]),
    "stack-empty": (lambda m: m.stack([]), ["stack"]),
    "split-zero": (lambda m: _m(m, 3).split(0), ["split_size"]),
    "split-sizes": (lambda m: _m(m, 3).split([1, 1]), ["split_sizes", "sum exactly"]),
    "chunk-zero": (lambda m: _m(m, 3).chunk(0), ["chunks"]),
    "unbind-0d": (lambda m: _m(m).unbind(), []),
    "narrow-start": (lambda m: _m(m, 3).narrow(0, 5, 1), ["start out of range"]),
    "narrow-length": (lambda m: _m(m, 3).narrow(0, 2, 5), ["exceeds dimension size"]),
    "index-int": (lambda m: _m(m, 3)[5], ["out of bounds", "size 3"]),
    "index-list": (lambda m: _m(m, 3)[[0, 5]], ["out of bounds"]),
    "index-tensor": (lambda m: _m(m, 3, 2)[:, m.tensor([2])], ["out of bounds", "dimension 1"]),
    "index-float": (lambda m: _m(m, 3)[m.tensor([1.0])], ["long, int, byte or bool"]),
    "index-mask-shape": (lambda m: _m(m, 3)[m.tensor([True, False])], ["mask"]),
    "index-too-many": (lambda m: _m(m, 3)[0, 0], ["too many indices"]),
    "index-0d": (lambda m: _m(m)[0], ["0-dim"]),
    "setitem-shape": (lambda m: _m(m, 2, 3).__setitem__(0, _m(m, 4)), []),
    "setitem-index": (lambda m: _m(m, 3).__setitem__([0, 7], 1.0), ["out of bounds"]),
    "setitem-leaf": (lambda m: m.ones(3, requires_grad=True).__setitem__([0], 1.0), ["leaf"]),
    "gather-dtype": (lambda m: _m(m, 2, 2).gather(1, m.tensor([[0.0]])), ["gather", "int64"]),
    "gather-ndim": (lambda m: _m(m, 2, 2).gather(1, m.tensor([0])), ["same number of dim"]),
    "gather-range": (lambda m: _m(m, 2, 2).gather(1, m.tensor([[5]])), ["out of bounds"]),
    "gather-size": (lambda m: _m(m, 2, 2).gather(1, m.tensor([[0], [0], [0]])), ["Size"]),
    "scatter-range": (lambda m: _m(m, 2, 2).scatter(0, m.tensor([[3]]), 1.0), ["out of bounds"]),
    "index_select-2d": (lambda m: _m(m, 3).index_select(0, m.tensor([[0]])), ["vector"]),
    "index_select-range": (lambda m: _m(m, 3).index_select(0, m.tensor([3])), ["out of range"]),
    "take-range": (lambda m: _m(m, 2, 3).take(m.tensor([6])), ["out of range", "6"]),
    "masked_fill-mask": (lambda m: _m(m, 3).masked_fill(m.tensor([1, 0, 1]), 0.0), ["boolean"]),
    "masked_fill-value": (lambda m: _m(m, 3).masked_fill(_m(m, 3) > 0, _m(m, 2)), ["0-dim"]),
    "tril-1d": (lambda m: _m(m, 3).tril(), ["tril", "2 dimensions"]),
    "nll-target-dtype": (
        lambda m: F(m).nll_loss(_m(m, 2, 3), m.tensor([0, 1], dtype=m.int32)),
        ["Long"],
    ),
    "nll-batch": (lambda m: F(m).nll_loss(_m(m, 2, 3), m.tensor([0])), ["batch_size"]),
    "nll-target-range": (lambda m: F(m).nll_loss(_m(m, 2, 3), m.tensor([0, 3])), ["Target 3"]),
    "nll-weight": (lambda m: F(m).nll_loss(_m(m, 2, 3), m.tensor([0, 1]), _m(m, 2)), ["weight"]),
    "cross_entropy-reduction": (
        lambda m: F(m).cross_entropy(_m(m, 2, 3), m.tensor([0, 1]), reduction="avg"),
        ["avg"],
    ),
    "bce-range": (lambda m: F(m).binary_cross_entropy(_m(m, 2) * 2, _m(m, 2)), ["between 0 and 1"]),
    "bce-shape": (lambda m: F(m).binary_cross_entropy(_m(m, 2) / 2, _m(m, 1)), ["target size"]),
    "bce-weight-grad": (
        lambda m: F(m).binary_cross_entropy(
            _m(m, 2) / 2, _m(m, 2), weight=m.ones(2, requires_grad=True)
        ),
        ["weight"],
    ),
    "bce-dtypes": (
        lambda m: F(m).binary_cross_entropy(_m(m, 2) / 2, _m(m, 2, dtype=m.float64)),
        ["Double"],
    ),
    "nll-weight-dtype": (
        lambda m: F(m).nll_loss(_m(m, 2, 3), m.tensor([0, 1]), _m(m, 3, dtype=m.float64)),
        ["Float"],
    ),
    "mse-reduction": (lambda m: F(m).mse_loss(_m(m, 2), _m(m, 2), reduction="x"), ["x"]),
    "softmax-int": (lambda m: F(m).softmax(m.ones(2, dtype=m.int64), 0), []),
    "gelu-approximate": (lambda m: F(m).gelu(_m(m, 2), approximate="fast"), ["approximate"]),
    "dropout-p": (lambda m: F(m).dropout(_m(m, 2), 1.5), ["dropout probability"]),
    "exp_-int": (lambda m: m.ones(2, dtype=m.int64).exp_(), ["Float", "Long"]),
    "pow-int-negative": (lambda m: m.ones(2, dtype=m.int64) ** -1, ["negative"]),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", ERRORS, ids=str)
def test_errors_are_pytorchs(case):
    code, words = ERRORS[case]
    ours, theirs = _raised(code, retrograd), _raised(code, torch)
    assert type(ours) is type(theirs), f"{type(ours).__name__} ({ours}) vs {type(theirs).__name__}"
    for word in words:
        assert word in str(ours), f"{word!r} not in: {ours}"


# -- every record reached; the docs page rendered from the records is current -----------
def _records_in(node) -> set:
    return {type(n).record.name for n in walk(node) if hasattr(type(n), "record")}


def _reached(fn, values) -> set:
    """The records in the graph of ``fn`` and in the graph of its gradient."""
    inputs = [_make(retrograd, v) for v in values]
    out = fn(retrograd, *inputs)
    names = _records_in(out.grad_fn)
    leaves = [t for t in inputs if isinstance(t, retrograd.Tensor) and t.requires_grad]
    if out.requires_grad and leaves and type(out.grad_fn).__name__ != "NotImplemented":
        # (a NotImplemented node, of an op without a derivative, raises on backward)
        up = retrograd.ones_like(out, requires_grad=True)
        try:
            grads = retrograd.autograd.grad(out, leaves, up, create_graph=True, allow_unused=True)
        except NotImplementedError:  # recorded without a derivative, as PyTorch's unique
            return names
        for g in grads:
            if g is not None:
                names |= _records_in(g.grad_fn)
    return names


def _table_cases():
    for table in (ELEMENTWISE, REDUCTIONS, LINALG, SHAPE, INDEXING, NN, DTYPES, SORTING):
        for fn, values, *_ in table.values():
            yield fn, values
    for fn in NO_DERIVATIVE.values():
        yield fn, [TIES]
    for equation, shapes in EINSUM.items():
        yield (lambda m, *ts, e=equation: m.einsum(e, *ts)), [_mat(*s) for s in shapes]
    for fn in SETITEM.values():
        yield fn, [M, rand(5, seed=9)]
    for fn in KINKS.values():
        yield fn, [np.array([-1.0, 0.0, 1.0, 0.0, -1.0])]
    for f in IN_PLACE.values():
        yield (lambda m, x, f=f: f(x * 1)), [X]


@SILENT
def test_every_surface_record_is_reached():
    """Each record with a ``grad_fn`` of the op surface is reached by the cases above
    (their first- and second-order graphs), so each is compared with PyTorch."""
    seen = set()
    for fn, values in _table_cases():
        seen |= _reached(fn, values)
    # The unary and two-tensor binary records are compared with PyTorch one by one,
    # generated from their records, in test_ops_vs_torch.py.
    missing = {r.name for r in RECORDS if r.grad_fn and r.name not in GENERATED} - seen
    # PyTorch's acosh_/asinh_/atanh_ raise on backward, so no case here can compare them:
    # tests/test_ops_misc_more.py checks their nodes and retrograd's gradients.
    missing -= {"acosh_result", "asinh_result", "atanh_result"}
    assert not missing, f"records no case reaches: {sorted(missing)}"


def test_the_ops_page_is_rendered_from_the_records_and_current():
    from retrograd.ops.catalog import render

    page = (ROOT / "docs" / "ops.md").read_text(encoding="utf-8")
    assert page == render(), (
        "docs/ops.md is stale: run python -m retrograd.ops.catalog > docs/ops.md"
    )
    for record in RECORDS:
        assert f"| `{record.name}` |" in page
    printed = subprocess.run(
        [sys.executable, "-m", "retrograd.ops.catalog"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert printed == page


# -- real autograd code, end to end ------------------------------------------------------
def _attention_classifier(m, x, wq, wk, w_out, b_out, labels):
    """Masked self-attention, a linear head, label-smoothed cross-entropy plus a penalty."""
    q, k = x @ wq, m.einsum("bsd,de->bse", x, wk)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    mask = m.ones(scores.shape[-2:], dtype=m.bool).tril().logical_not()
    attn = scores.masked_fill(mask, float("-inf")).softmax(-1)
    pooled = (attn @ x).amax(1)
    logits = F(m).linear(F(m).gelu(pooled), w_out, b_out)
    loss = F(m).cross_entropy(logits, labels, label_smoothing=0.1)
    return loss + 1e-3 * w_out.norm() ** 2 + F(m).mse_loss(pooled.std(0), m.ones(pooled.shape[1]))


def test_an_attention_classifier_step_matches_pytorch():
    if TORCH_VERSION < (2, 13):  # seen with PyTorch 2.11 on the GPU machine
        pytest.skip("PyTorch < 2.13 raises 'Found dtype Float but expected Double' here")
    values = [rand(3, 4, 5), rand(5, 5, seed=1), rand(5, 5, seed=2), rand(2, 5, seed=3),
              rand(2, seed=4), ints(0, 1, 1)]  # fmt: skip
    run_both(_attention_classifier, values)


def _train(m, x, w1, b1, w2, labels):
    """Three SGD steps of a two-layer MLP (in-place updates under no_grad)."""
    for _ in range(3):
        hidden = F(m).leaky_relu(F(m).linear(x, w1, b1), 0.1)
        loss = F(m).nll_loss(F(m).log_softmax(hidden @ w2.t(), dim=1), labels)
        loss.backward()
        with m.no_grad():
            for p in (w1, b1, w2):
                p -= 0.5 * p.grad.clamp(-1, 1)
                p.grad.zero_()
    return F(m).cross_entropy(F(m).linear(x, w1, b1).relu() @ w2.t(), labels, reduction="sum")


def test_a_small_training_loop_matches_pytorch():
    values = [rand(6, 4), rand(5, 4, seed=1), rand(5, seed=2), rand(3, 5, seed=3),
              ints(0, 2, 1, 1, 0, 2)]  # fmt: skip
    run_both(_train, values)

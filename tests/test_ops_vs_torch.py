"""The core ops against PyTorch (the oracle), most of them generated from the op records.

Covers: every unary, comparison and two-tensor binary record, generated from its record
(domain, kinks, smoothness), so a new record of those kinds is tested with no new case;
the arithmetic operators with broadcasting and Python scalars; the basic reductions,
matrix products, shape and indexing ops; and tensor basics against PyTorch (factories,
random streams, ``numpy()``, in-place version counts). The rest of the op surface
(overloads, arguments, conventions, promotion, errors) is tests/test_ops_surface.py.
Harness and tolerances: tests/torch_oracle.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import retrograd
from retrograd.graph import walk
from retrograd.ops import RECORDS
from retrograd.ops.record import COMPARISON, UNARY
from torch_oracle import BINARY_PAIR_RECORDS, UNARY_RECORDS, assert_same, run_both

torch = pytest.importorskip("torch")

# NumPy warns where PyTorch silently returns inf or nan (log(0), 1/0, 0 ** -1).
SILENT_INF = pytest.mark.filterwarnings("ignore::RuntimeWarning")


# -- helpers -----------------------------------------------------------------------------------
def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def sample(shape, dtype="float64", low=-2.0, high=2.0, seed=0, avoid=()):
    """Uniform values in [low, high], nudged at least 0.05 away from each kink."""
    a = _rng(seed).uniform(low, high, size=shape)
    for k in avoid:
        close = np.abs(a - k) < 0.05
        a[close] = k + 0.1
    return a.astype(dtype)


def _finite(lo: float, hi: float) -> tuple[float, float]:
    lo = -2.0 if math.isinf(lo) else lo + 0.1
    hi = 2.0 if math.isinf(hi) else hi
    return lo, hi


# -- unary ops, generated from their records ---------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("record", UNARY_RECORDS, ids=lambda r: r.name)
def test_unary_function_and_method(record, dtype):
    lo, hi = _finite(*record.domain)
    x = sample((3, 4), dtype, lo, hi, avoid=record.kinks)
    run_both(lambda m, t: getattr(m, record.name)(t), [x], second_order=record.smooth)
    run_both(lambda m, t: getattr(t, record.name)(), [x])


@SILENT_INF
@pytest.mark.parametrize("record", UNARY_RECORDS, ids=lambda r: r.name)
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_unary_on_integer_and_bool_tensors(record, dtype):
    x = np.array([0, 1, 2, 1]).astype(dtype)
    try:
        theirs = getattr(torch, record.name)(torch.tensor(x.tolist()))
    except RuntimeError:
        with pytest.raises(RuntimeError):
            getattr(retrograd, record.name)(retrograd.tensor(x.tolist()))
        return
    assert_same(getattr(retrograd, record.name)(retrograd.tensor(x.tolist())), theirs)


@pytest.mark.parametrize("record", BINARY_PAIR_RECORDS, ids=lambda r: r.name)
def test_binary_record_function_and_method(record):
    """Each binary record of two tensors, as function and method, broadcasting, with
    its second order where smooth; values in its domain, away from its kinks."""
    lo, hi = _finite(*record.domain)
    a = sample((3, 4), "float64", lo, hi, seed=5, avoid=record.kinks)
    b = sample((4,), "float64", lo, hi, seed=6, avoid=record.kinks)
    run_both(lambda m, x, y: getattr(m, record.public)(x, y), [a, b], second_order=record.smooth)
    run_both(lambda m, x, y: getattr(x, record.public)(y), [a, b])


@pytest.mark.parametrize("record", UNARY_RECORDS, ids=lambda r: r.name)
def test_unary_zero_dim(record):
    lo, hi = _finite(*record.domain)
    run_both(lambda m, t: getattr(m, record.name)(t), [sample((), "float64", lo, hi, seed=3)])


@SILENT_INF
@pytest.mark.parametrize(
    "name, values",
    [
        ("abs", [-1.0, 0.0, 2.0]),  # abs'(0) = 0
        ("relu", [-1.0, 0.0, 2.0]),  # relu'(0) = 0
        ("sign", [-1.0, 0.0, 2.0]),
        ("sqrt", [0.0, 1.0]),  # inf at 0
        ("log", [0.0, 1.0]),
    ],
)
def test_conventions_at_kinks(name, values):
    run_both(lambda m, t: getattr(m, name)(t), [np.array(values)])


# -- comparisons, generated from their records -------------------------------------------------
@pytest.mark.parametrize(
    "record", [r for r in RECORDS if r.kind == COMPARISON], ids=lambda r: r.name
)
@pytest.mark.parametrize(
    "a, b",
    [
        (np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])),
        (np.array([[1.0], [2.0]]), np.array([2.0, 1.0, 0.0])),
        (np.array([1, 0, 3]), 2),
        (np.array([1.5, 2.0]), 2.0),
        (np.array([True, False]), np.array([True, True])),
    ],
    ids=["same", "broadcast", "int-scalar", "float-scalar", "bool"],
)
def test_comparisons(record, a, b):
    if record.name.startswith("logical") and not isinstance(b, np.ndarray):
        pytest.skip("PyTorch refuses a Python scalar here; retrograd accepts it")
    run_both(lambda m, x, y: getattr(m, record.name)(x, y), [a, b])


def test_comparison_operators():
    a, b = sample((4,), seed=1), sample((4,), seed=2)
    for op in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
        run_both(lambda m, x, y, op=op: getattr(x, op)(y), [a, b])
    assert (retrograd.ones(2) == None) is False  # noqa: E711 - PyTorch's answer


# -- binary ops --------------------------------------------------------------------------------
BINARY = {
    "add": lambda m, a, b: m.add(a, b),
    "sub": lambda m, a, b: m.sub(a, b),
    "mul": lambda m, a, b: m.mul(a, b),
    "div": lambda m, a, b: m.div(a, b),
    "pow": lambda m, a, b: m.pow(a, b),
    "+": lambda m, a, b: a + b,
    "-": lambda m, a, b: a - b,
    "*": lambda m, a, b: a * b,
    "/": lambda m, a, b: a / b,
    "**": lambda m, a, b: a**b,
    "add_alpha": lambda m, a, b: m.add(a, b, alpha=2.5),
    "sub_alpha": lambda m, a, b: m.sub(a, b, alpha=-3),
    "method_add": lambda m, a, b: a.add(b),
    "method_mul": lambda m, a, b: a.mul(b),
    "method_div": lambda m, a, b: a.div(b),
    "method_pow": lambda m, a, b: a.pow(b),
}
SHAPES = [
    ((3,), (3,)),
    ((3, 1), (1, 4)),
    ((4,), (2, 3, 4)),
    ((2, 3, 4), (3, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((), ()),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("op", BINARY, ids=str)
def test_binary_broadcasting(op, shapes, dtype):
    a = sample(shapes[0], dtype, 0.5, 2.0, seed=1)
    b = sample(shapes[1], dtype, 0.5, 2.0, seed=2)
    run_both(BINARY[op], [a, b], second_order=dtype == "float64")


SCALAR_CASES = {
    "x+2": lambda m, x: x + 2,
    "2+x": lambda m, x: 2 + x,
    "x+2.5": lambda m, x: x + 2.5,
    "x-2": lambda m, x: x - 2,
    "2-x": lambda m, x: 2 - x,
    "2.5-x": lambda m, x: 2.5 - x,
    "x*2": lambda m, x: x * 2,
    "2*x": lambda m, x: 2 * x,
    "x/2": lambda m, x: x / 2,
    "2/x": lambda m, x: 2 / x,
    "x**2": lambda m, x: x**2,
    "x**3": lambda m, x: x**3,
    "x**0.5": lambda m, x: x**0.5,
    "x**-1": lambda m, x: x**-1,
    "x**0": lambda m, x: x**0,
    "x**1": lambda m, x: x**1,
    "2**x": lambda m, x: 2**x,
    "2.5**x": lambda m, x: 2.5**x,
    "x**x": lambda m, x: x**x,
    "-x": lambda m, x: -x,
    "abs(x)": lambda m, x: abs(x),
    "pow(x,2)": lambda m, x: m.pow(x, 2),
    "pow(2,x)": lambda m, x: m.pow(2, x),
    "rsub": lambda m, x: m.rsub(x, 2),
    "x+True": lambda m, x: x + True,
    "sub(x,2,alpha=2)": lambda m, x: m.sub(x, 2, alpha=2),
    "add(2,x)": lambda m, x: m.add(x, 2, alpha=3),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", SCALAR_CASES, ids=str)
def test_python_scalar_operands(case, dtype):
    x = sample((2, 3), dtype, 0.5, 2.0, seed=4)
    run_both(SCALAR_CASES[case], [x], second_order=dtype == "float64")
    run_both(SCALAR_CASES[case], [sample((), dtype, 0.5, 2.0, seed=5)])


@SILENT_INF
def test_pow_conventions_at_zero_base():
    x = np.array([0.0, 1.0, 2.0])
    for case in ("x**2", "x**0", "x**x", "x**1"):
        run_both(SCALAR_CASES[case], [x])
    run_both(lambda m, a, b: a**b, [np.array([0.0, 0.0, 2.0]), np.array([0.0, 2.0, 1.0])])


# -- type promotion ----------------------------------------------------------------------------
I64, F32, F64, BOOL = (
    np.array([1, 2, 3]),
    np.array([1.5, 2.0, -1.0], dtype="float32"),
    np.array([0.5, 2.0, 3.0]),
    np.array([True, False, True]),
)
PROMOTION = [
    ("int+2.5", lambda m, a: a + 2.5, [I64]),
    ("int*1.5", lambda m, a: a * 1.5, [I64]),
    ("int/int", lambda m, a, b: a / b, [I64, np.array([2, 2, 2])]),
    ("int/2", lambda m, a: a / 2, [I64]),
    ("2/int", lambda m, a: 2 / a, [I64]),
    ("int+int", lambda m, a: a + 7, [I64]),
    ("int-float32", lambda m, a, b: a - b, [I64, F32]),
    ("0d-f64+f32", lambda m, a, b: a + b, [np.array(2.0), F32]),
    ("0d-f32+f64", lambda m, a, b: a + b, [np.array(2.0, dtype="float32"), F64]),
    ("f32+f64", lambda m, a, b: a * b, [F32, F64]),
    ("0d-f64+int", lambda m, a, b: a + b, [np.array(2.0), I64]),
    ("0d-int+f32", lambda m, a, b: a + b, [np.array(2), F32]),
    ("0d-f64*2.0", lambda m, a: a * 2.0, [np.array(3.0)]),
    ("bool+1", lambda m, a: a + 1, [BOOL]),
    ("bool+True", lambda m, a: a + True, [BOOL]),
    ("bool*2.5", lambda m, a: a * 2.5, [BOOL]),
    ("bool+int", lambda m, a, b: a + b, [BOOL, I64]),
    ("bool*bool", lambda m, a, b: a * b, [BOOL, BOOL]),
    ("int**2", lambda m, a: a**2, [I64]),
    ("int**0.5", lambda m, a: a**0.5, [I64]),
    ("2**int", lambda m, a: 2**a, [I64]),
    ("2.0**int", lambda m, a: 2.0**a, [I64]),
    ("int32+int64", lambda m, a, b: a + b, [I64.astype("int32"), I64]),
    ("int32+5", lambda m, a: a + 5, [I64.astype("int32")]),
    ("int32+0d-int64", lambda m, a, b: a + b, [I64.astype("int32"), np.array(5)]),
    ("sum(int)", lambda m, a: a.sum(), [I64]),
    ("sum(bool)", lambda m, a: a.sum(), [BOOL]),
    ("sum(int32)", lambda m, a: a.sum(0), [I64.astype("int32")]),
    ("sum(f32,dtype=f64)", lambda m, a: a.sum(dtype=m.float64), [F32]),
    ("mean(f32,dtype=f64)", lambda m, a: a.mean(dtype=m.float64), [F32]),
    ("where(f32,f64)", lambda m, a, b: m.where(a > 0, a, b), [F32, F64]),
    ("where(f32,0.)", lambda m, a: m.where(a > 0, a, 0.0), [F32]),
]


@pytest.mark.parametrize("case", PROMOTION, ids=[c[0] for c in PROMOTION])
def test_type_promotion(case):
    _, fn, values = case
    run_both(fn, values)


# -- reductions --------------------------------------------------------------------------------
REDUCTIONS = {
    "sum()": lambda m, x: x.sum(),
    "sum(0)": lambda m, x: x.sum(0),
    "sum(-1)": lambda m, x: x.sum(-1),
    "sum(dim=1,keepdim)": lambda m, x: x.sum(dim=1, keepdim=True),
    "sum((0,2))": lambda m, x: x.sum((0, 2)),
    "sum((0,-1),keepdim)": lambda m, x: m.sum(x, (0, -1), keepdim=True),
    "sum([-2])": lambda m, x: x.sum([-2]),
    "mean()": lambda m, x: x.mean(),
    "mean(1)": lambda m, x: m.mean(x, 1),
    "mean(-1,keepdim)": lambda m, x: x.mean(-1, keepdim=True),
    "mean((0,2))": lambda m, x: x.mean((0, 2)),
    "mean((1,-1),keepdim)": lambda m, x: x.mean(dim=(1, -1), keepdim=True),
    "norm()": lambda m, x: x.norm(),
    "norm(p=1)": lambda m, x: x.norm(p=1),
    "norm(1)": lambda m, x: m.norm(x, 1),
    "norm(3)": lambda m, x: x.norm(3),
    "norm(dim=1)": lambda m, x: x.norm(dim=1),
    "norm(p=1,dim=-1)": lambda m, x: x.norm(p=1, dim=-1),
    "norm(dim=(0,2),keepdim)": lambda m, x: x.norm(dim=(0, 2), keepdim=True),
    "norm('fro')": lambda m, x: x.norm("fro"),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", REDUCTIONS, ids=str)
def test_reductions(case, dtype):
    x = sample((2, 3, 4), dtype, seed=6, avoid=(0.0,))
    run_both(REDUCTIONS[case], [x], second_order=dtype == "float64" and "p=1" not in case)


@pytest.mark.parametrize("case", ["sum()", "mean()", "norm()", "sum(0)", "mean(-1,keepdim)"])
def test_reductions_of_zero_dim_and_vectors(case):
    run_both(REDUCTIONS[case], [sample((5,), seed=7)])
    if "(" in case and case.endswith("()"):
        run_both(REDUCTIONS[case], [sample((), seed=8)])


@pytest.mark.parametrize("case", ["norm()", "norm(dim=1)", "norm(p=1)", "norm(3)"])
def test_norm_of_zero_vector_has_zero_gradient(case):
    x = np.zeros((2, 3))
    run_both(REDUCTIONS[case], [x])


# -- matrix products ---------------------------------------------------------------------------
MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (3,)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((2, 1, 2, 3), (5, 3, 4)),
    ((2, 3), (5, 3, 4)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("form", ["matmul", "@"])
def test_matmul(shapes, form):
    a, b = sample(shapes[0], seed=9), sample(shapes[1], seed=10)
    fn = (lambda m, x, y: m.matmul(x, y)) if form == "matmul" else (lambda m, x, y: x @ y)
    run_both(fn, [a, b], second_order=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "name, shapes",
    [
        ("mm", ((2, 3), (3, 4))),
        ("mv", ((2, 3), (3,))),
        ("dot", ((3,), (3,))),
        ("bmm", ((4, 2, 3), (4, 3, 5))),
        ("outer", ((3,), (4,))),
    ],
)
def test_named_products(name, shapes, dtype):
    a, b = sample(shapes[0], dtype, seed=11), sample(shapes[1], dtype, seed=12)
    run_both(lambda m, x, y: getattr(m, name)(x, y), [a, b], second_order=True)
    run_both(lambda m, x, y: getattr(x, name)(y), [a, b])


def test_product_with_one_constant_operand():
    a = sample((2, 3), seed=13)
    b = sample((3, 4), seed=14)
    run_both(lambda m, x: x @ m.tensor(b.tolist(), dtype=m.float64), [a])
    run_both(lambda m, y: m.tensor(a.tolist(), dtype=m.float64) @ y, [b])


# -- shape ops and indexing --------------------------------------------------------------------
SHAPE_OPS = {
    "t": lambda m, x: x[0].t(),
    "t_fn": lambda m, x: m.t(x[0]),
    "transpose(0,1)": lambda m, x: x.transpose(0, 1),
    "transpose(-1,0)": lambda m, x: m.transpose(x, -1, 0),
    "swapaxes": lambda m, x: x.swapaxes(1, 2),
    "permute(2,0,1)": lambda m, x: x.permute(2, 0, 1),
    "permute((1,2,0))": lambda m, x: x.permute((1, 2, 0)),
    "mT": lambda m, x: x.mT,
    "T": lambda m, x: x[0].T,
    "reshape(-1)": lambda m, x: x.reshape(-1),
    "reshape(4,-1)": lambda m, x: x.reshape(4, -1),
    "reshape((6,4))": lambda m, x: m.reshape(x, (6, 4)),
    "reshape non-contiguous": lambda m, x: x.transpose(0, 2).reshape(-1),
    "view(24)": lambda m, x: x.view(24),
    "view(2,-1)": lambda m, x: x.view(2, -1),
    "view([3,8])": lambda m, x: x.view([3, 8]),
    "view_as": lambda m, x: x.view_as(m.zeros(4, 6)),
    "reshape_as": lambda m, x: x.reshape_as(m.zeros(6, 4)),
    "expand": lambda m, x: x[:, :1].expand(2, 3, 4),
    "expand(-1)": lambda m, x: x[:, :, :1].expand(-1, -1, 5),
    "expand new dims": lambda m, x: x[0, 0].expand(3, 2, 4),
    "expand_as": lambda m, x: x[0, 0].expand_as(m.zeros(5, 4)),
    "unsqueeze(0)": lambda m, x: x.unsqueeze(0),
    "unsqueeze(-1)": lambda m, x: m.unsqueeze(x, -1),
    "squeeze()": lambda m, x: x[:, :1].squeeze(),
    "squeeze(1)": lambda m, x: x[:, :1].squeeze(1),
    "squeeze(0) no-op": lambda m, x: x.squeeze(0),
    "squeeze((1,))": lambda m, x: x[:, :1].squeeze((1,)),
    "sum_to_size": lambda m, x: x.sum_to_size(1, 3, 1),
    "sum_to_size same": lambda m, x: x.sum_to_size(2, 3, 4),
    "clone": lambda m, x: x.clone(),
    "contiguous": lambda m, x: x.transpose(0, 1).contiguous(),
    "double": lambda m, x: x.double(),
    "float": lambda m, x: x.float(),
    "to(float64)": lambda m, x: x.to(m.float64),
    "to(dtype=float32)": lambda m, x: x.to(dtype=m.float32),
    "to(float64, copy)": lambda m, x: x.to(m.float64, copy=True),
    "type_as": lambda m, x: x.type_as(m.zeros(1, dtype=m.float64)),
    "where": lambda m, x: m.where(x > 0, x, x * x),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", SHAPE_OPS, ids=str)
def test_shape_ops(case, dtype):
    run_both(SHAPE_OPS[case], [sample((2, 3, 4), dtype, seed=15)], second_order=True)


INDEXING = {
    "x[1]": lambda x: x[1],
    "x[-1]": lambda x: x[-1],
    "x[1:]": lambda x: x[1:],
    "x[:, 1]": lambda x: x[:, 1],
    "x[..., 0]": lambda x: x[..., 0],
    "x[None]": lambda x: x[None],
    "x[None, ..., 1:3]": lambda x: x[None, ..., 1:3],
    "x[1, ::2]": lambda x: x[1, ::2],
    "x[0][1]": lambda x: x[0][1],
    "x[::2, None, -1]": lambda x: x[::2, None, -1],
    "x[0, 1, 2]": lambda x: x[0, 1, 2],
    "x[:]": lambda x: x[:],
    "x[...]": lambda x: x[...],
    "x[1:1]": lambda x: x[1:1],
    "x[-5:10]": lambda x: x[-5:10],
    "x[:, -2:, 1:3]": lambda x: x[:, -2:, 1:3],
}


@pytest.mark.parametrize("case", INDEXING, ids=str)
def test_indexing(case):
    x = sample((2, 3, 4), seed=16)
    run_both(lambda m, t: INDEXING[case](t), [x])
    run_both(lambda m, t: INDEXING[case](t) ** 2, [x], second_order=True)


def test_indexing_with_zero_dim_integer_tensor():
    idx = retrograd.tensor(1)
    x = retrograd.arange(6.0).view(2, 3)
    assert x[idx].tolist() == torch.arange(6.0).view(2, 3)[torch.tensor(1)].tolist()


def test_same_leaf_used_many_times():
    def fn(m, x):
        y = x * x + x.exp() * x - x / (x + 3)
        return (y[0] * y[1]).sum() + y.t().mm(y).mean()

    run_both(fn, [sample((2, 2), seed=17)], second_order=True)


def test_where_gradients():
    a, b = sample((3, 4), seed=18), sample((3, 4), seed=19)
    run_both(lambda m, x, y: m.where(x > y, x, y), [a, b], second_order=True)
    run_both(lambda m, x: m.where(x > 0, 1.0, x), [a])


# -- creation ----------------------------------------------------------------------------------
CREATION = {
    "tensor(list)": lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "tensor(int list)": lambda m: m.tensor([1, 2, 3]),
    "tensor(bool list)": lambda m: m.tensor([True, False]),
    "tensor(mixed)": lambda m: m.tensor([1, 2.5, True]),
    "tensor(float)": lambda m: m.tensor(3.5),
    "tensor(int)": lambda m: m.tensor(3),
    "tensor(bool)": lambda m: m.tensor(True),
    "tensor(dtype)": lambda m: m.tensor([1, 2], dtype=m.float64),
    "tensor(dtype=float)": lambda m: m.tensor([1, 2], dtype=m.float),
    "tensor(dtype=double)": lambda m: m.tensor([1, 2], dtype=m.double),
    "tensor(dtype=long)": lambda m: m.tensor([1.7, -2.2], dtype=m.long),
    "tensor(dtype=bool)": lambda m: m.tensor([0.0, 2.0], dtype=m.bool),
    "tensor(tuple)": lambda m: m.tensor(((1, 2), (3, 4))),
    "tensor(empty)": lambda m: m.tensor([]),
    "tensor(tensor)": lambda m: m.tensor(m.ones(2, dtype=m.int64)),
    "tensor(list of 0d)": lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]),
    "Tensor(list)": lambda m: m.Tensor([1, 2]),
    "Tensor(sizes)": lambda m: m.Tensor(2, 3).zero_(),
    "Tensor()": lambda m: m.Tensor(),
    "FloatTensor": lambda m: m.FloatTensor([1, 2]),
    "DoubleTensor": lambda m: m.DoubleTensor([[1, 2]]),
    "LongTensor": lambda m: m.LongTensor([1, 2]),
    "FloatTensor(sizes)": lambda m: m.FloatTensor(3).fill_(2),
    "ones": lambda m: m.ones(2, 3),
    "ones(tuple)": lambda m: m.ones((2, 3)),
    "ones(list,dtype)": lambda m: m.ones([2], dtype=m.int64),
    "ones()": lambda m: m.ones(()),
    "zeros": lambda m: m.zeros(3, dtype=m.float64),
    "zeros(size 0)": lambda m: m.zeros(0, 3),
    "full(int)": lambda m: m.full((2, 2), 3),
    "full(float)": lambda m: m.full((2, 2), 3.0),
    "full(bool)": lambda m: m.full((2,), True),
    "full(dtype)": lambda m: m.full([3], 7, dtype=m.float64),
    "empty": lambda m: m.empty(2, 3).zero_(),
    "arange(5)": lambda m: m.arange(5),
    "arange(1,4)": lambda m: m.arange(1, 4),
    "arange(0,1,0.25)": lambda m: m.arange(0, 1, 0.25),
    "arange(5.)": lambda m: m.arange(5.0),
    "arange(10,0,-3)": lambda m: m.arange(10, 0, -3),
    "arange(dtype)": lambda m: m.arange(4, dtype=m.float64),
    "linspace": lambda m: m.linspace(0, 1, 5),
    "linspace(dtype)": lambda m: m.linspace(-1, 1, 3, dtype=m.float64),
    "linspace(1)": lambda m: m.linspace(2, 3, 1),
    "eye(3)": lambda m: m.eye(3),
    "eye(2,3)": lambda m: m.eye(2, 3),
    "eye(dtype)": lambda m: m.eye(2, dtype=m.int64),
    "ones_like": lambda m: m.ones_like(m.zeros(2, 3, dtype=m.float64)),
    "zeros_like": lambda m: m.zeros_like(m.ones(3, dtype=m.int64)),
    "full_like": lambda m: m.full_like(m.zeros(2), 4.5),
    "empty_like": lambda m: m.empty_like(m.zeros(2, 2)).fill_(1),
    "ones_like(dtype)": lambda m: m.ones_like(m.zeros(2), dtype=m.int64),
}


@pytest.mark.parametrize("case", CREATION, ids=str)
@pytest.mark.filterwarnings("ignore:To copy construct from a tensor")
def test_creation(case):
    ours, theirs = CREATION[case](retrograd), CREATION[case](torch)
    assert_same(ours, theirs)
    assert ours.is_leaf and not ours.requires_grad


@pytest.mark.parametrize("factory", ["ones", "zeros", "randn", "rand", "empty"])
def test_factories_take_requires_grad(factory):
    t = getattr(retrograd, factory)(2, 3, requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad_fn is None
    assert t.shape == (2, 3) and t.dtype is retrograd.float32
    assert getattr(retrograd, factory)(2, dtype=retrograd.float64).dtype is retrograd.float64


def test_random_factories_are_seeded():
    retrograd.manual_seed(0)
    a, b = retrograd.randn(3, 4), retrograd.rand(5)
    retrograd.manual_seed(0)
    assert a.tolist() == retrograd.randn(3, 4).tolist()
    assert b.tolist() == retrograd.rand(5).tolist()
    assert a.tolist() != retrograd.randn(3, 4).tolist()
    values = np.array(retrograd.rand(1000).tolist())
    assert values.min() >= 0 and values.max() < 1
    normal = np.array(retrograd.randn(10000).tolist())
    assert abs(normal.mean()) < 0.05 and abs(normal.std() - 1) < 0.05
    like = retrograd.randn_like(retrograd.zeros(2, 3, dtype=retrograd.float64))
    assert like.shape == (2, 3) and like.dtype is retrograd.float64
    assert retrograd.rand_like(retrograd.zeros(4)).shape == (4,)


# -- dtypes and conversions --------------------------------------------------------------------
def test_dtype_aliases_match_torch():
    for name in ("float32", "float", "float64", "double", "int64", "long", "bool", "int32"):
        assert repr(getattr(retrograd, name)) == repr(getattr(torch, name))
    assert retrograd.float is retrograd.float32 and retrograd.double is retrograd.float64
    assert retrograd.long is retrograd.int64


@pytest.mark.parametrize("method", ["float", "double", "long", "bool", "int"])
@pytest.mark.parametrize("source", [F64, I64, BOOL, F32], ids=["f64", "i64", "bool", "f32"])
def test_conversion_methods(method, source):
    run_both(lambda m, x: getattr(x, method)(), [source])


@pytest.mark.parametrize("target", ["float32", "float64", "int64", "bool", "int32"])
def test_to_dtype(target):
    run_both(lambda m, x: x.to(getattr(m, target)), [np.array([1.5, -2.0, 0.0])])
    run_both(lambda m, x: x.to(dtype=getattr(m, target)), [I64])


def test_to_same_dtype_returns_self():
    x = retrograd.ones(2)
    assert x.to(retrograd.float32) is x and x.float() is x
    assert x.to(retrograd.float32, copy=True) is not x
    assert x.to(retrograd.zeros(1, dtype=retrograd.float64)).dtype is retrograd.float64


def test_gradient_dtype_follows_input_through_conversion():
    x = retrograd.ones(3, requires_grad=True)
    (x.double() * retrograd.ones(3, dtype=retrograd.float64)).sum().backward()
    assert x.grad.dtype is retrograd.float32
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


# -- metadata and conversion to Python ---------------------------------------------------------
def test_metadata_matches_torch():
    for m_value in ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1, 2], 3.0, [[True]]):
        ours, theirs = retrograd.tensor(m_value), torch.tensor(m_value)
        assert ours.tolist() == theirs.tolist()
        assert ours.shape == theirs.shape and ours.size() == theirs.size()
        assert repr(ours.shape) == repr(theirs.shape) and str(ours.size()) == str(theirs.size())
        assert ours.dim() == theirs.dim() and ours.ndim == theirs.ndim
        assert ours.numel() == theirs.numel() and retrograd.numel(ours) == theirs.numel()
        assert ours.is_floating_point() == theirs.is_floating_point()
        assert ours.element_size() == theirs.element_size()
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.numpy().dtype == theirs.numpy().dtype
        if ours.numel() == 1:
            assert ours.item() == theirs.item()
            assert type(ours.item()) is type(theirs.item())


def test_size_and_shape():
    x = retrograd.zeros(2, 3, 4)
    assert x.size(1) == 3 and x.size(-1) == 4 and x.shape[0] == 2
    assert isinstance(x.shape, retrograd.Size) and isinstance(x.shape, tuple)
    assert repr(retrograd.Size([2, 3])) == repr(torch.Size([2, 3])) == "torch.Size([2, 3])"
    assert repr(retrograd.Size([])) == repr(torch.Size([]))
    assert retrograd.Size([2, 3, 4]).numel() == 24
    assert repr(x.shape[1:]) == "torch.Size([3, 4])"
    assert x.shape == (2, 3, 4) == torch.zeros(2, 3, 4).shape
    assert len(x) == 2
    assert [t.shape for t in x] == [(3, 4), (3, 4)]


def test_python_number_conversions():
    x = retrograd.tensor([[2.5]])
    assert float(x) == 2.5 and int(x) == 2 and bool(x) is True
    assert f"{retrograd.tensor(1.23456):.2f}" == f"{torch.tensor(1.23456):.2f}"
    assert [1, 2, 3][retrograd.tensor(1)] == 2
    assert retrograd.tensor([1.0, 2.0]).tolist() == [1.0, 2.0]
    assert retrograd.tensor(3).item() == 3 and isinstance(retrograd.tensor(3).item(), int)


def test_numpy_shares_memory_and_refuses_grad():
    x = retrograd.zeros(3, backend="numpy")  # sharing is the NumPy backend's (JAX: read-only)
    x.numpy()[0] = 5.0
    assert x.tolist() == [5.0, 0.0, 0.0]
    y = retrograd.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        y.numpy()
    assert y.detach().numpy().tolist() == [0.0, 0.0, 0.0]


def test_variable_returns_a_tensor():
    v = retrograd.autograd.Variable(retrograd.ones(2), requires_grad=True)
    assert type(v) is retrograd.Tensor and v.requires_grad and v.is_leaf
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0]
    assert retrograd.autograd.Variable(retrograd.ones(2)).requires_grad is False


def test_legacy_typed_constructors():
    assert isinstance(retrograd.FloatTensor([1]), retrograd.FloatTensor)
    assert not isinstance(retrograd.ones(1, dtype=retrograd.float64), retrograd.FloatTensor)
    assert isinstance(retrograd.ones(1, dtype=retrograd.float64), retrograd.DoubleTensor)
    assert isinstance(retrograd.tensor([1]), retrograd.LongTensor)
    assert type(retrograd.LongTensor([1])) is retrograd.Tensor
    assert retrograd.is_tensor(retrograd.Tensor([1.0])) and not retrograd.is_tensor([1.0])


# -- in-place ops ------------------------------------------------------------------------------
INPLACE = {
    "add_": lambda x, y: x.add_(y),
    "add_(alpha)": lambda x, y: x.add_(y, alpha=2),
    "add_(scalar)": lambda x, y: x.add_(1.5),
    "sub_": lambda x, y: x.sub_(y),
    "mul_": lambda x, y: x.mul_(y),
    "mul_(scalar)": lambda x, y: x.mul_(3),
    "div_": lambda x, y: x.div_(y),
    "zero_": lambda x, y: x.zero_(),
    "fill_": lambda x, y: x.fill_(2.5),
    "fill_(0d tensor)": lambda x, y: x.fill_(y[0, 0]),
    "copy_": lambda x, y: x.copy_(y),
    "copy_(broadcast)": lambda x, y: x.copy_(y[0]),
}
AUGMENTED = {
    "+=": lambda x, y: x.__iadd__(y),
    "-=": lambda x, y: x.__isub__(y),
    "*=": lambda x, y: x.__imul__(y),
    "/=": lambda x, y: x.__itruediv__(y),
}


@pytest.mark.parametrize("case", {**INPLACE, **AUGMENTED}, ids=str)
def test_in_place_ops_bump_version_and_rebase_history(case):
    fn = {**INPLACE, **AUGMENTED}[case]
    a, b = sample((2, 3), seed=20, low=0.5), sample((2, 3), seed=21, low=0.5)

    def build(m, x, y):
        z = x * 1.5  # a non-leaf, so in-place ops on it are allowed in grad mode
        version = z._version
        out = fn(z, y)
        assert out is z and z._version == version + 1
        return z * x

    run_both(build, [a, b], second_order=True)


@pytest.mark.parametrize("case", {**INPLACE, **AUGMENTED}, ids=str)
def test_in_place_ops_without_grad(case):
    fn = {**INPLACE, **AUGMENTED}[case]
    for lib in (retrograd, torch):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        y = lib.tensor([[2.0, 2.0, 2.0], [4.0, 1.0, 0.5]])
        fn(x, y)
        assert x._version == 1
        if lib is retrograd:
            ours = x.tolist()
    assert ours == x.tolist()


def test_in_place_on_integer_tensor_keeps_its_dtype():
    for lib in (retrograd, torch):
        x = lib.tensor([1, 2, 3])
        x += 2
        x *= x
        assert x.dtype is lib.int64
        with pytest.raises(RuntimeError):
            x /= 2
        with pytest.raises(RuntimeError):
            x.add_(1.5)
    assert x.tolist() == [9, 16, 25]


def test_record_coverage():
    """Every record with a ``grad_fn`` is reached by the cases above (found by walking the
    graphs they build, second-order graphs included)."""
    cases = [*SHAPE_OPS.values(), *REDUCTIONS.values(), *SCALAR_CASES.values()]
    cases += [lambda m, x, r=r: getattr(m, r.name)(x.abs() + 0.5) for r in UNARY_RECORDS]
    cases += [lambda m, x, f=f: f(m, x, x) for f in BINARY.values()]
    cases += [lambda m, x, f=f: _grad_graph(m, x, f) for f in INDEXING.values()]
    cases += [lambda m, x, f=f: f(m, x[0], x[1]) for f in (lambda m, a, b: a.mm(b.t()),)]
    cases += [lambda m, x, n=n: getattr(m, n)(x[0, 0], x[1, 0]) for n in ("dot", "outer")]
    cases += [lambda m, x: x[0].mv(x[1, 0]), lambda m, x: x.bmm(x.transpose(1, 2))]
    cases += [lambda m, x: x[0, 0, :3] @ x[0]]
    # the in-place inverse hyperbolics' result records (tests/test_ops_misc_more.py)
    cases += [lambda m, x, n=n: getattr(x * 1, n)() for n in ("acosh_", "asinh_", "atanh_")]
    # torch.special's and the parameterised special functions (compared with PyTorch in
    # tests/test_ops_special.py)
    special = ("entr", "erfcx", "i0e", "i1", "i1e", "log_ndtr")
    cases += [lambda m, x, n=n: getattr(m.special, n)(x.abs() + 0.5) for n in special]
    cases += [lambda m, x: m.special.ndtri(x.sigmoid()), lambda m, x: m.polygamma(2, x + 2)]
    cases += [lambda m, x: m.mvlgamma(x.abs() + 1.5, 2)]
    seen = set()
    for fn in cases:
        seen |= _records_in(fn(retrograd, retrograd.rand(2, 3, 4, requires_grad=True)).grad_fn)
    y = retrograd.ones(2, requires_grad=True) * 1
    for op in (lambda: y.zero_(), lambda: y.fill_(1), lambda: y.copy_(y * 2),
               lambda: y.fill_(retrograd.tensor(2.0, requires_grad=True))):  # fmt: skip
        seen |= _records_in(op().grad_fn)
    # The records of every other kind are reached by the table cases of
    # tests/test_ops_surface.py (test_every_surface_record_is_reached), which also cover
    # the ones reached here; the unary records are compared with PyTorch in this file.
    missing = {r.name for r in RECORDS if r.grad_fn and r.kind == UNARY} - seen
    assert not missing, f"records no test reaches: {sorted(missing)}"


def _grad_graph(m, x, index):
    y = index(x)
    (g,) = m.autograd.grad((y * y).sum(), x, create_graph=True)
    return g + y.sum()


def _records_in(node) -> set:
    return {type(n).record.name for n in walk(node) if hasattr(type(n), "record")}


def test_relu_keeps_nan_and_negative_zero_as_pytorch():
    values = [float("nan"), -0.0, 0.0, -1.0, 2.0]
    ours = retrograd.tensor(values).relu().tolist()
    theirs = torch.tensor(values).relu().tolist()
    assert [math.copysign(1, v) for v in ours] == [math.copysign(1, v) for v in theirs]
    assert str(ours) == str(theirs)

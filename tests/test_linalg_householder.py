"""``geqrf``, ``linalg.householder_product``/``orgqr`` and ``ormqr`` against PyTorch:
LAPACK's reflectors and scales (batched, tall, wide, square, zero columns), the products
and their first and second derivatives in ``A`` and ``tau``, ``geqrf``'s node (whose
backward raises PyTorch's error) and the errors.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, make, rand, run_both

torch = pytest.importorskip("torch")

SHAPES = [(3, 3), (5, 3), (3, 5), (2, 4, 3), (2, 3, 3, 2), (1, 1), (4, 1), (1, 4), (0, 3)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_geqrf_as_lapack(shape):
    value = rand(*shape, seed=sum(shape))
    ours = retrograd.geqrf(make(retrograd, value, False))
    theirs = torch.geqrf(make(torch, value, False))
    assert type(ours).__name__ == "geqrf" and ours._fields == ("a", "tau")
    assert_same(ours.a, theirs.a, "a")
    assert_same(ours.tau, theirs.tau, "tau")


def test_geqrf_zero_columns_and_float32():
    value = rand(4, 3, seed=3)
    value[1:, 0] = 0.0  # x[1:] zero: tau = 0, the column left as it is
    value[:, 2] = 0.0
    for v in (value, value.astype(np.float32), -value):
        ours = make(retrograd, v, False).geqrf()
        theirs = make(torch, v, False).geqrf()
        assert_same(ours.a, theirs.a, "a")
        assert_same(ours.tau, theirs.tau, "tau")


def test_geqrf_no_derivative_as_pytorch():
    for lib in (retrograd, torch):
        a, tau = lib.geqrf(make(lib, rand(3, 2, seed=2)))
        assert type(a.grad_fn).__name__ == "GeqrfBackward0" and tau.requires_grad
        with pytest.raises(NotImplementedError, match="the derivative for 'geqrf' is not"):
            a.sum().backward()


def _reflectors(shape, k, seed):
    a = rand(*shape, seed=seed)
    tau = rand(*shape[:-2], k, seed=seed + 1, low=0.2, high=1.8)
    return a, tau


@pytest.mark.parametrize(
    "shape,k", [((4, 3), 3), ((4, 3), 2), ((3, 3), 3), ((2, 5, 2), 2), ((4, 2), 0)], ids=str
)
def test_householder_product_gradients(shape, k):
    a, tau = _reflectors(shape, k, seed=k + shape[-2])
    run_both(lambda m, x, t: m.linalg.householder_product(x, t), [a, tau],
             second_order=True, check_name=False)  # fmt: skip
    run_both(lambda m, x, t: m.orgqr(x, t), [a, tau], check_name=False)


def test_householder_product_of_geqrf_is_q():
    value = rand(2, 5, 3, seed=7)
    ours = retrograd.linalg.householder_product(*retrograd.geqrf(make(retrograd, value, False)))
    theirs = torch.linalg.householder_product(*torch.geqrf(make(torch, value, False)))
    assert_same(ours, theirs)
    assert_same(ours.mT @ ours, torch.eye(3, dtype=torch.float64).expand(2, 3, 3))


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
def test_ormqr_gradients(left, transpose):
    a, tau = _reflectors((2, 4, 3), 3, seed=11)
    c = rand(2, 4, 5, seed=12) if left else rand(2, 5, 4, seed=12)
    run_both(lambda m, x, t, o: m.ormqr(x, t, o, left=left, transpose=transpose),
             [a, tau, c], second_order=True, check_name=False)  # fmt: skip


def test_ormqr_fewer_reflectors_and_method():
    a, tau = _reflectors((4, 2), 2, seed=13)
    c = rand(4, 3, seed=14)
    run_both(lambda m, x, t, o: x.ormqr(t, o, True, True), [a, tau, c], check_name=False)


@pytest.mark.parametrize(
    "fn,values",
    [
        (lambda m, a: m.geqrf(a), [rand(3)]),
        (lambda m, a, t: m.linalg.householder_product(a, t), [rand(2, 3), rand(2)]),
        (lambda m, a, t: m.linalg.householder_product(a, t), [rand(3, 2), rand(3)]),
        (lambda m, a, t: m.linalg.householder_product(a, t), [rand(3, 2), rand(1, 2)]),
        (lambda m, a, t: m.linalg.householder_product(a, t), [rand(3), rand(1)]),
        (lambda m, a, t, c: m.ormqr(a, t, c), [rand(3, 2), rand(2), rand(4, 2)]),
        (lambda m, a, t, c: m.ormqr(a, t, c, left=False), [rand(3, 2), rand(2), rand(2, 4)]),
    ],
)
def test_errors_as_pytorch(fn, values):
    assert_same_error(fn, *values)


def test_geqrf_integer_error():
    assert_same_error(lambda m: m.geqrf(m.ones(3, 3, dtype=m.long)), whole=False)

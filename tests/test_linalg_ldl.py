"""``linalg.ldl_factor``/``ldl_factor_ex`` against PyTorch: ``LD``, the Bunch-Kaufman
pivots (1x1 and 2x2 blocks, LAPACK's encoding) and ``info`` on random, symmetric,
indefinite, zero-holed and singular batches; PyTorch's node (``NotImplemented``, whose
backward raises PyTorch's error) and errors.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, make, rand

torch = pytest.importorskip("torch")


def _cases() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    cases = [np.zeros((2, 2)), np.array([[0.0, 1.0], [1.0, 0.0]]), np.eye(3)]
    for trial in range(30):
        n, batch = int(rng.integers(1, 7)), int(rng.integers(1, 4))
        a = rng.standard_normal((batch, n, n))
        if trial % 3 == 0:
            a = a + np.swapaxes(a, -1, -2)
        if trial % 5 == 0:
            a[..., 0, 0] = 0.0  # forces 2x2 pivots
        if trial % 7 == 0:
            a = a * (rng.random(a.shape) > 0.5)  # zero columns, singular blocks
        cases.append(a)
    return cases


@pytest.mark.parametrize("value", _cases(), ids=lambda v: f"{v.shape}-{abs(v).sum():.2f}")
def test_factor_pivots_and_info(value):
    ours = retrograd.linalg.ldl_factor_ex(make(retrograd, value, False))
    theirs = torch.linalg.ldl_factor_ex(make(torch, value, False))
    assert ours.pivots.dtype is retrograd.int32 and ours.info.dtype is retrograd.int32
    assert ours.pivots.tolist() == theirs.pivots.tolist()
    assert ours.info.tolist() == theirs.info.tolist()
    assert_same(ours.LD, theirs.LD)


def test_float32_and_return_types():
    value = rand(2, 4, 4, seed=1).astype(np.float32)
    ours = retrograd.linalg.ldl_factor(make(retrograd, value, False))
    theirs = torch.linalg.ldl_factor(make(torch, value, False))
    assert type(ours).__name__ == "linalg_ldl_factor" and ours._fields == ("LD", "pivots")
    assert ours.pivots.tolist() == theirs.pivots.tolist()
    assert_same(ours.LD, theirs.LD)


def test_no_derivative_as_pytorch():
    for lib in (retrograd, torch):
        a = make(lib, rand(3, 3, seed=2))
        ld = lib.linalg.ldl_factor(a).LD
        assert type(ld.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_factor_ex is not"):
            ld.sum().backward()


ERRORS = {
    "zero-check_errors": (
        lambda m, a: m.linalg.ldl_factor_ex(a, check_errors=True),
        [np.zeros((2, 2))],
    ),
    "zero": (lambda m, a: m.linalg.ldl_factor(a), [np.zeros((2, 2))]),
    "zero-batched": (
        lambda m, a: m.linalg.ldl_factor(a),
        [np.stack([np.eye(2), np.zeros((2, 2))])],
    ),
    "vector": (lambda m, a: m.linalg.ldl_factor(a), [rand(3)]),
    "not-square": (lambda m, a: m.linalg.ldl_factor(a), [rand(3, 4)]),
    "integer": (lambda m, a: m.linalg.ldl_factor(a), [np.ones((3, 3), dtype=np.int64)]),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    fn, values = ERRORS[name]
    assert_same_error(fn, *values)

"""``linalg.ldl_solve`` against PyTorch: solutions with 1x1 and 2x2 Bunch-Kaufman blocks
and interchanges (each matrix of a batch its own), broadcast batches, float32, PyTorch's
node (``NotImplemented``, whose backward raises PyTorch's error) and errors.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, make, rand

torch = pytest.importorskip("torch")


def _cases() -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    cases = [np.array([[0.0, 1.0], [1.0, 0.0]]), np.eye(3)]
    for trial in range(24):
        n, batch = int(rng.integers(1, 7)), int(rng.integers(1, 4))
        a = rng.standard_normal((batch, n, n))
        a = a + np.swapaxes(a, -1, -2)
        if trial % 3 == 0:
            a[..., 0, 0] = 0.0  # forces a 2x2 pivot first
        cases.append(a)
    return cases


@pytest.mark.parametrize("value", _cases(), ids=lambda v: f"{v.shape}-{abs(v).sum():.2f}")
def test_solve_as_pytorch(value):
    b = rand(*value.shape[:-1], 3, seed=value.shape[-1])
    theirs_ld, theirs_piv = torch.linalg.ldl_factor(make(torch, value, False))
    ours_ld = make(retrograd, theirs_ld.numpy(), False)
    ours_piv = retrograd.tensor(theirs_piv.tolist(), dtype=retrograd.int32)
    ours = retrograd.linalg.ldl_solve(ours_ld, ours_piv, make(retrograd, b, False))
    theirs = torch.linalg.ldl_solve(theirs_ld, theirs_piv, make(torch, b, False))
    rtol = 1e-8 * max(1.0, float(np.linalg.cond(value).max()))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=1e-10)


def test_factor_then_solve_float32():
    # (PyTorch 2.13 crashes, a segmentation fault, on batches that broadcast: LD (2, 1, n,
    # n) with B (3, n, k); retrograd broadcasts them, but there is no oracle to compare.)
    a = rand(2, 3, 4, 4, seed=3).astype(np.float32)
    a = a + np.swapaxes(a, -1, -2) + 8 * np.eye(4, dtype=np.float32)
    b = rand(2, 3, 4, 2, seed=4).astype(np.float32)
    results = []
    for lib in (retrograd, torch):
        ld, piv = lib.linalg.ldl_factor(make(lib, a, False))
        results.append(lib.linalg.ldl_solve(ld, piv, make(lib, b, False), hermitian=False))
    assert_same(*results)


def test_int64_pivots_as_pytorch():
    value = rand(4, 4, seed=7)
    value = value + value.T
    ld, piv = torch.linalg.ldl_factor(make(torch, value, False))
    b = rand(4, 2, seed=8)
    ours_ld, ours_piv = make(retrograd, ld.numpy(), False), retrograd.tensor(piv.tolist())
    ours = retrograd.linalg.ldl_solve(ours_ld, ours_piv, make(retrograd, b, False))
    assert_same(ours, torch.linalg.ldl_solve(ld, piv.long(), make(torch, b, False)))


def test_no_derivative_as_pytorch():
    value = rand(3, 3, seed=6)
    value = value + value.T
    for lib in (retrograd, torch):
        ld, piv = lib.linalg.ldl_factor(make(lib, value, False))
        x = lib.linalg.ldl_solve(ld.requires_grad_(), piv, make(lib, rand(3, 1)))
        assert type(x.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_solve is not"):
            x.sum().backward()


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3, dtype=m.int32), m.ones(2, 2)),
        lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3), m.ones(3, 2)),
        lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(2, dtype=m.int32), m.ones(3, 2)),
        lambda m: m.linalg.ldl_solve(
            m.eye(3, dtype=m.long), m.ones(3, dtype=m.int32), m.ones(3, 2, dtype=m.long)
        ),
        lambda m: m.linalg.ldl_solve(m.ones(3), m.ones(3, dtype=m.int32), m.ones(3, 2)),
        lambda m: m.linalg.ldl_solve(m.ones(2, 3), m.ones(3, dtype=m.int32), m.ones(3, 2)),
        lambda m: m.linalg.ldl_solve(m.eye(3), m.ones(3, dtype=m.int32), m.ones(3)),
        lambda m: m.linalg.ldl_solve(
            m.eye(3), m.ones(3, dtype=m.int32), m.ones(3, 2, dtype=m.float64)
        ),
    ],
)
def test_errors_as_pytorch(fn):
    assert_same_error(fn, whole=False)

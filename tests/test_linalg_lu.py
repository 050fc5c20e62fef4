"""The LU family against PyTorch: ``linalg.lu_factor``/``lu_factor_ex``, ``linalg.lu``,
``linalg.lu_solve``, ``lu_unpack`` and the deprecated ``torch.lu``/``torch.lu_solve``.

Values, first- and second-order gradients and ``grad_fn`` names on the same inputs
(square, tall, wide, batched, float32 and float64; harness: tests/torch_oracle.py),
pivots (1-based int32) and ``info`` exactly, and PyTorch's errors (a singular matrix:
``info`` from ``lu_factor_ex``, a RuntimeError from ``lu_factor``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, make, rand, run_both

torch = pytest.importorskip("torch")


def _well_conditioned(*shape: int, seed: int = 0) -> np.ndarray:
    return rand(*shape, seed=seed) + 3 * np.eye(shape[-1])


M, MB = _well_conditioned(4, 4), _well_conditioned(2, 3, 3, seed=1)
M32 = M.astype(np.float32)
TALL, WIDE = rand(5, 3, seed=2), rand(3, 5, seed=3)
TALLB, WIDEB = rand(2, 1, 4, 2, seed=4), rand(2, 2, 4, seed=5)
RHS, RHSB = rand(4, 2, seed=6), rand(2, 3, 2, seed=7)
SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])


def L(m):  # noqa: N802 - the namespace under test
    return m.linalg


def _lu_joined(m, a):
    """L and U of ``linalg.lu`` in one tensor (weighted apart), P checked separately."""
    _, lower, upper = L(m).lu(a)
    return m.cat([lower.reshape(-1), 2 * upper.reshape(-1)])


def _unpack_joined(m, a):
    lu, pivots = L(m).lu_factor(a)
    _, lower, upper = m.lu_unpack(lu, pivots)
    return m.cat([lower.reshape(-1), 2 * upper.reshape(-1)])


def _lu_solve(m, a, b, **kw):
    lu, pivots = L(m).lu_factor(a)
    return L(m).lu_solve(lu, pivots, b, **kw)


# name -> (call, inputs, second order)
CASES = {
    "lu_factor": (lambda m, a: L(m).lu_factor(a).LU, [M], True),
    "lu_factor-batched": (lambda m, a: L(m).lu_factor(a).LU, [MB], True),
    "lu_factor-float32": (lambda m, a: L(m).lu_factor(a).LU, [M32], False),
    "lu_factor-tall": (lambda m, a: L(m).lu_factor(a).LU, [TALL], True),
    "lu_factor-wide-batched": (lambda m, a: L(m).lu_factor(a).LU, [WIDEB], True),
    "lu_factor_ex": (lambda m, a: L(m).lu_factor_ex(a).LU, [TALLB], True),
    "lu-square": (_lu_joined, [M], True),
    "lu-batched": (_lu_joined, [MB], True),
    "lu-tall": (_lu_joined, [TALL], True),
    "lu-wide": (_lu_joined, [WIDE], True),
    "lu-tall-batched": (_lu_joined, [TALLB], True),
    "lu-wide-batched": (_lu_joined, [WIDEB], True),
    "lu-L-only": (lambda m, a: L(m).lu(a).L, [TALL], True),
    "lu-U-only": (lambda m, a: L(m).lu(a).U, [WIDE], True),
    "lu_unpack-square": (_unpack_joined, [MB], True),
    "lu_unpack-tall": (_unpack_joined, [TALL], False),
    "lu_unpack-wide": (_unpack_joined, [WIDE], False),
    "lu_unpack-U": (lambda m, a: m.lu_unpack(*L(m).lu_factor(a)).U, [WIDEB], False),
    "lu_solve": (_lu_solve, [M, RHS], True),
    "lu_solve-batched-broadcast": (_lu_solve, [MB, RHSB[:1]], True),
    "lu_solve-adjoint": (lambda m, a, b: _lu_solve(m, a, b, adjoint=True), [M, RHS], True),
    "lu_solve-right": (lambda m, a, b: _lu_solve(m, a, b, left=False), [M, RHS.T.copy()], True),
    "lu_solve-right-adjoint": (
        lambda m, a, b: _lu_solve(m, a, b, left=False, adjoint=True),
        [MB, np.swapaxes(RHSB, -1, -2).copy()],
        True,
    ),
    "lu_solve-float32": (_lu_solve, [M32, RHS.astype(np.float32)], False),
}


@pytest.mark.parametrize("name", CASES)
def test_against_torch(name):
    fn, values, second_order = CASES[name]
    run_both(fn, values, second_order=second_order)


def test_lu_solve_gradient_through_the_factors_only():
    """The gradient w.r.t. a given ``LU`` (a leaf), not through ``lu_factor``."""

    def fn(m, a, b):
        lu, pivots = L(m).lu_factor(a.detach())
        return L(m).lu_solve(lu.requires_grad_(), pivots, b, adjoint=True)

    run_both(fn, [MB, RHSB], check_name=True)


@pytest.mark.parametrize("value", [M, MB, TALL, WIDE, TALLB, WIDEB, SINGULAR, M32])
def test_pivots_info_and_permutation(value):
    ours = L(retrograd).lu_factor_ex(make(retrograd, value))
    theirs = L(torch).lu_factor_ex(make(torch, value))
    assert ours.pivots.dtype is retrograd.int32 and ours.info.dtype is retrograd.int32
    assert ours.pivots.tolist() == theirs.pivots.tolist()
    assert ours.info.tolist() == theirs.info.tolist()
    assert_same(ours.LU, theirs.LU)
    p_ours, p_theirs = L(retrograd).lu(make(retrograd, value)).P, L(torch).lu(make(torch, value)).P
    assert p_ours.tolist() == p_theirs.tolist() and not p_ours.requires_grad
    unpacked = retrograd.lu_unpack(ours.LU, ours.pivots)
    assert unpacked.P.tolist() == p_theirs.tolist()


def test_zero_columns_and_empty_matrices():
    for value in (np.zeros((3, 3)), np.array([[0.0, 1, 2], [0, 3, 4], [0, 5, 7]])):
        ours, theirs = (L(lib).lu_factor_ex(make(lib, value)) for lib in (retrograd, torch))
        assert ours.pivots.tolist() == theirs.pivots.tolist()
        assert ours.info.item() == theirs.info.item()
        assert_same(ours.LU, theirs.LU)
    for shape in ((0, 0), (2, 0, 3)):
        ours, theirs = (L(lib).lu_factor(lib.zeros(shape)) for lib in (retrograd, torch))
        assert tuple(ours.pivots.shape) == tuple(theirs.pivots.shape)
        assert tuple(ours.LU.shape) == tuple(theirs.LU.shape)


def test_return_types_and_unpack_flags():
    a = make(retrograd, M)
    assert type(L(retrograd).lu_factor(a)).__name__ == "linalg_lu_factor"
    assert L(retrograd).lu_factor_ex(a)._fields == ("LU", "pivots", "info")
    assert L(retrograd).lu(a)._fields == ("P", "L", "U")
    lu, pivots = L(retrograd).lu_factor(a)
    for kw in ({"unpack_data": False}, {"unpack_pivots": False}):
        ours = retrograd.lu_unpack(lu, pivots, **kw)
        theirs = torch.lu_unpack(*L(torch).lu_factor(make(torch, M)), **kw)
        assert [tuple(t.shape) for t in ours] == [tuple(t.shape) for t in theirs]


def test_deprecated_torch_lu_and_lu_solve():
    for lib in (retrograd, torch):
        with pytest.warns(UserWarning, match="torch.lu is deprecated"):
            lib.lu(make(lib, M))
        with pytest.warns(UserWarning, match="torch.lu_solve is deprecated"):
            lib.lu_solve(make(lib, RHS), *L(lib).lu_factor(make(lib, M)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = retrograd.lu(make(retrograd, SINGULAR), get_infos=True)
        theirs = torch.lu(make(torch, SINGULAR), get_infos=True)
        assert len(ours) == 3 and ours[2].tolist() == theirs[2].tolist()
        assert ours[1].tolist() == theirs[1].tolist()
        assert_same(ours[0], theirs[0])
        run_both(lambda m, b, a: m.lu_solve(b, *L(m).lu_factor(a)), [RHS, M])


def _solve_call(m, a, pivots, b, **kw):
    return L(m).lu_solve(a, pivots.int(), b, **kw)


ERRORS = {
    "singular": (lambda m, a: L(m).lu_factor(a), [SINGULAR]),
    "singular-batched": (lambda m, a: L(m).lu_factor(a), [np.stack([M[:3, :3], SINGULAR])]),
    "singular-check_errors": (lambda m, a: L(m).lu_factor_ex(a, check_errors=True), [SINGULAR]),
    "vector": (lambda m, a: L(m).lu_factor(a), [M[0]]),
    "vector-lu": (lambda m, a: L(m).lu(a), [M[0]]),
    "integer": (lambda m, a: L(m).lu_factor(a), [M.astype(np.int64)]),
    "integer-lu": (lambda m, a: L(m).lu(a), [M.astype(np.int32)]),
    "no-pivot": (lambda m, a: L(m).lu_factor(a, pivot=False), [M]),
    "no-pivot-lu": (lambda m, a: L(m).lu(a, pivot=False), [M]),
    "unpack-int64-pivots": (lambda m, a, p: m.lu_unpack(a, p), [M, np.ones(4, dtype=np.int64)]),
    "unpack-pivot-0": (lambda m, a, p: m.lu_unpack(a, p.int()), [M, np.array([0, 2, 3, 4])]),
    "unpack-pivot-too-large": (lambda m, a, p: m.lu_unpack(a, p.int()), [MB, np.full((2, 3), 4)]),
    "unpack-vector": (lambda m, a, p: m.lu_unpack(a, p.int()), [M[0], np.ones(4)]),
    "solve-shapes": (_solve_call, [M, np.ones(4), rand(3, 2)]),
    "solve-shapes-right": (
        lambda m, a, p, b: _solve_call(m, a, p, b, left=False),
        [M, np.ones(4), rand(4, 2)],
    ),  # fmt: skip
    "solve-vector-B": (_solve_call, [M, np.ones(4), rand(4)]),
    "solve-not-square": (_solve_call, [WIDE, np.ones(3), rand(3, 2)]),
    "solve-pivots-count": (_solve_call, [M, np.ones(3), rand(4, 2)]),
    "solve-pivots-batch": (_solve_call, [M, np.ones((2, 4)), rand(4, 2)]),
    "solve-dtypes": (_solve_call, [M, np.ones(4), rand(4, 2, dtype="float32")]),
    "solve-int64-pivots": (
        lambda m, a, p, b: L(m).lu_solve(a, p.long(), b),
        [M, np.ones(4), rand(4, 2)],
    ),  # fmt: skip
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    fn, values = ERRORS[name]
    assert_same_error(fn, *values)

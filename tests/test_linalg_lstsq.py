"""``linalg.lstsq``, the deprecated ``torch.triangular_solve``, ``linalg.tensorinv`` and
``linalg.tensorsolve`` against PyTorch.

Values, first- and second-order gradients and ``grad_fn`` names (harness:
tests/torch_oracle.py) on well-conditioned tall, square, wide and batched inputs; every
output of ``lstsq`` per driver (shape, dtype, values: ``rank`` and ``singular_values``
as PyTorch's CPU drivers give them, 'gelsy' by default), a rank-deficient matrix (the
minimum-norm solution, its rank), and PyTorch's errors.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, make, rand, run_both

torch = pytest.importorskip("torch")


def _tall(*shape: int, seed: int = 0) -> np.ndarray:
    """Columns far from dependent: the identity stacked above, plus noise."""
    m, n = shape[-2:]
    return rand(*shape, seed=seed, low=-0.5, high=0.5) + 2 * np.eye(m, n)


TALL, TALLB, SQUARE = _tall(5, 3), _tall(2, 4, 3, seed=1), _tall(3, 3, seed=2)
WIDE = np.swapaxes(_tall(5, 3, seed=3), -1, -2).copy()
RHS, RHSB = rand(5, 2, seed=4), rand(2, 4, 2, seed=5)
DEFICIENT = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])


def L(m):  # noqa: N802 - the namespace under test
    return m.linalg


def _with_residuals(m, a, b, driver="gelsd"):
    out = L(m).lstsq(a, b, driver=driver)
    return m.cat([out.solution.reshape(-1), 3 * out.residuals.reshape(-1)])


CASES = {
    "lstsq-tall": (lambda m, a, b: L(m).lstsq(a, b).solution, [TALL, RHS], True),
    "lstsq-square": (lambda m, a, b: L(m).lstsq(a, b).solution, [SQUARE, RHS[:3]], True),
    "lstsq-wide": (lambda m, a, b: L(m).lstsq(a, b).solution, [WIDE, RHS[:3]], True),
    "lstsq-batched-broadcast": (
        lambda m, a, b: L(m).lstsq(a, b).solution,
        [TALLB, RHSB[:1]],
        True,
    ),
    "lstsq-vector": (lambda m, a, b: L(m).lstsq(a, b).solution, [TALL, RHS[:, 0].copy()], True),
    "lstsq-float32": (
        lambda m, a, b: L(m).lstsq(a, b).solution,
        [TALL.astype(np.float32), RHS.astype(np.float32)],
        False,
    ),
    "lstsq-residuals-gelsd": (_with_residuals, [TALL, RHS], True),
    "lstsq-residuals-gels-batched": (
        lambda m, a, b: _with_residuals(m, a, b, "gels"),
        [TALLB, RHSB],
        False,
    ),
    "lstsq-residuals-vector": (_with_residuals, [TALLB, RHSB[..., 0].copy()], False),
}


@pytest.mark.parametrize("name", CASES)
def test_against_torch(name):
    fn, values, second_order = CASES[name]
    run_both(fn, values, second_order=second_order)


@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize(
    "values", [(TALL, RHS), (TALLB, RHSB), (WIDE, RHS[:3]), (DEFICIENT, RHS[:3])]
)
def test_every_output_per_driver(driver, values):
    if driver == "gels" and values[0] is DEFICIENT:
        pytest.skip("'gels' assumes full rank: its solution is not defined here")
    ours = L(retrograd).lstsq(*(make(retrograd, v) for v in values), driver=driver)
    theirs = L(torch).lstsq(*(make(torch, v) for v in values), driver=driver)
    for i, field in enumerate(("solution", "residuals", "rank", "singular_values")):
        assert_same(ours[i], theirs[i], field)
        assert getattr(ours, field) is ours[i]
    assert type(ours).__name__ == "linalg_lstsq"


def test_rcond_cuts_small_singular_values():
    a = np.diag([1.0, 1e-3, 1.0])[:, :2] + 0.0
    for rcond in (None, 1e-2):
        ours = L(retrograd).lstsq(make(retrograd, a), make(retrograd, RHS[:3]), rcond=rcond)
        theirs = L(torch).lstsq(make(torch, a), make(torch, RHS[:3]), rcond=rcond)
        assert ours.rank.item() == theirs.rank.item()
        assert_same(ours.solution, theirs.solution)


def _triangular(m, b, a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = m.triangular_solve(b, a, **kw)
    return m.cat([out.solution.reshape(-1), 2 * out.cloned_coefficient.reshape(-1)])


M, MB = rand(3, 3, seed=6) + 3 * np.eye(3), rand(2, 3, 3, seed=7) + 3 * np.eye(3)
TRIANGULAR = {
    "upper": ({}, [RHS[:3], M]),
    "lower-batched": ({"upper": False}, [RHS[:3], MB]),
    "transpose-broadcast": ({"transpose": True}, [RHSB[:, :3], M]),
    "unit-lower-transpose": (
        {"upper": False, "transpose": True, "unitriangular": True},
        [RHSB[:, :3], MB],
    ),
}


@pytest.mark.parametrize("name", TRIANGULAR)
def test_triangular_solve(name):
    kw, values = TRIANGULAR[name]
    run_both(lambda m, b, a: _triangular(m, b, a, **kw), values, second_order=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = retrograd.triangular_solve(*(make(retrograd, v) for v in values), **kw)
    assert type(out.solution.grad_fn).__name__ == "TriangularSolveBackward0"
    assert out.cloned_coefficient.grad_fn is out.solution.grad_fn


def test_triangular_solve_warns():
    """PyTorch's deprecation warning (PyTorch's own warns once per process, so only the
    start of its text, as PyTorch 2.13 words it, is checked here)."""
    with pytest.warns(UserWarning, match="torch.triangular_solve is deprecated in favor of"):
        retrograd.triangular_solve(make(retrograd, RHS[:3]), make(retrograd, M))
    assert hasattr(retrograd.Tensor, "triangular_solve")
    assert hasattr(torch.Tensor, "triangular_solve")


ERRORS = {
    "lstsq-vector-A": (lambda m, a, b: L(m).lstsq(a, b), [RHS[:, 0], RHS[:, 0]]),
    "lstsq-rows": (lambda m, a, b: L(m).lstsq(a, b), [TALL, RHS[:4]]),
    "lstsq-dims": (lambda m, a, b: L(m).lstsq(a, b), [TALL, RHSB[None]]),
    "lstsq-dtypes": (lambda m, a, b: L(m).lstsq(a, b), [TALL, RHS.astype(np.float32)]),
    "lstsq-integer": (
        lambda m, a, b: L(m).lstsq(a, b),
        [TALL.astype(np.int64), RHS.astype(np.int64)],
    ),
    "lstsq-driver": (lambda m, a, b: L(m).lstsq(a, b, driver="foo"), [TALL, RHS]),
    "triangular-vector-b": (lambda m, b, a: m.triangular_solve(b, a), [RHS[:3, 0], M]),
    "triangular-rows": (lambda m, b, a: m.triangular_solve(b, a), [RHS[:4], M]),
    "triangular-square": (lambda m, b, a: m.triangular_solve(b, a), [RHS[:3], WIDE]),
    "triangular-dtypes": (
        lambda m, b, a: m.triangular_solve(b, a),
        [RHS[:3], M.astype(np.float32)],
    ),
    "triangular-integer": (
        lambda m, b, a: m.triangular_solve(b, a),
        [RHS[:3].astype(np.int64), M.astype(np.int64)],
    ),
}


@pytest.mark.parametrize("name", ERRORS)
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_errors(name):
    fn, values = ERRORS[name]
    assert_same_error(fn, *values)


# linalg.tensorinv and linalg.tensorsolve (composed: reshape, inv or solve, reshape)
T4 = rand(4, 6, 2, 12, seed=8) + np.eye(24).reshape(4, 6, 2, 12) * 4
TENSOR = {
    "tensorinv": (lambda m, a: L(m).tensorinv(a), [T4]),
    "tensorinv-ind-1": (lambda m, a: L(m).tensorinv(a, ind=1), [T4.reshape(24, 2, 3, 4)]),
    "tensorsolve": (lambda m, a, b: L(m).tensorsolve(a, b), [T4, rand(4, 6, seed=9)]),
    "tensorsolve-dims": (
        lambda m, a, b: L(m).tensorsolve(a, b, dims=(0,)),
        [T4.reshape(4, 6, 24).transpose(2, 0, 1).copy(), rand(4, 6, seed=10)],
    ),
}


@pytest.mark.parametrize("name", TENSOR)
def test_tensorinv_and_tensorsolve(name):
    fn, values = TENSOR[name]
    run_both(fn, values, second_order=True, check_name=False)


@pytest.mark.parametrize(
    "fn, values",
    [
        (lambda m, a: L(m).tensorinv(a, ind=0), [T4]),
        (lambda m, a: L(m).tensorinv(a, ind=1), [T4]),
        (lambda m, a, b: L(m).tensorsolve(a, b), [T4[..., :5], rand(4, 6)]),
    ],
)
def test_tensor_errors(fn, values):
    assert_same_error(fn, *values)

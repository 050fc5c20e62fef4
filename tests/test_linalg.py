"""``retrograd.linalg`` and the torch-level linear algebra (``det``, ``slogdet``,
``logdet``, ``inverse``, ``cholesky``, ``qr``, ``svd``, ``pinverse``, ``matrix_power``)
against PyTorch.

Values, first- and second-order gradients and ``grad_fn`` names on the same inputs
(single, batched, float32 and float64); the singular-vector and eigenvector cases go
through gauge-invariant functions of the factors (``U diag(w) Vh``, ``V * V``), whose
values and gradients do not depend on the sign LAPACK picks. Errors: PyTorch's type
(``LinAlgError`` for singular and non-positive-definite matrices, a RuntimeError) and
PyTorch's message. Harness: tests/torch_oracle.py.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same_error, rand, run_both

torch = pytest.importorskip("torch")


def _well_conditioned(*shape: int, seed: int = 0) -> np.ndarray:
    return rand(*shape, seed=seed) + 3 * np.eye(shape[-1])


def _spd(*shape: int, seed: int = 0) -> np.ndarray:
    b = rand(*shape, seed=seed)
    return b @ np.swapaxes(b, -1, -2) + np.eye(shape[-1])


M, MB = _well_conditioned(3, 3), _well_conditioned(2, 3, 3, seed=1)
M32 = M.astype(np.float32)
S, SB = _spd(3, 3, seed=2), _spd(2, 3, 3, seed=3)
TALL, WIDE, TALLB = rand(4, 3, seed=4), rand(3, 4, seed=5), rand(2, 4, 3, seed=6)
V, VB = rand(3, seed=7), rand(2, 3, seed=8)
RHS = rand(3, 2, seed=9)


def L(m):  # noqa: N802 - the namespace under test
    return m.linalg


def _weights(m, t, k):
    """Distinct weights 1..k, one per singular value or eigenvalue."""
    return m.arange(1, k + 1, dtype=t.dtype)


def _svd_invariant(m, a, full=False):
    u, s, vh = L(m).svd(a, full_matrices=full)
    k = s.shape[-1]
    u, vh = u[..., :k], vh[..., :k, :]
    return m.cat([((u * _weights(m, a, k)) @ vh).reshape(-1), s.reshape(-1) ** 2])


def _eigh_invariant(m, a, uplo="L"):
    w, v = L(m).eigh(a, UPLO=uplo)
    return m.cat([((v * _weights(m, a, w.shape[-1])) @ v.mT).reshape(-1), w.reshape(-1)])


def _torch_svd_invariant(m, a, some=True):
    u, s, v = m.svd(a, some=some)
    k = s.shape[-1]
    return (u[..., :k] * s) @ v[..., :k].mT


def _qr_joined(m, a, mode="reduced"):
    q, r = L(m).qr(a, mode=mode)
    return m.cat([q.reshape(-1), 2 * r.reshape(-1)])


# name -> (call, inputs, second order)
CASES = {
    "det": (lambda m, a: L(m).det(a), [M], True),
    "det-batched": (lambda m, a: L(m).det(a), [MB], True),
    "det-float32": (lambda m, a: m.det(a), [M32], False),
    "Tensor.det": (lambda m, a: a.det(), [M], True),
    "slogdet-logabsdet": (lambda m, a: L(m).slogdet(a).logabsdet, [MB], True),
    "slogdet-sign": (lambda m, a: m.slogdet(a)[0] * m.slogdet(a)[1], [-M], True),
    "logdet": (lambda m, a: m.logdet(a), [SB], True),
    "logdet-negative-det": (lambda m, a: a.logdet(), [-M], False),
    "inv": (lambda m, a: L(m).inv(a), [M], True),
    "inv-batched": (lambda m, a: L(m).inv(a), [MB], True),
    "inv-float32": (lambda m, a: m.inverse(a), [M32], False),
    "Tensor.inverse": (lambda m, a: a.inverse(), [MB], True),
    "inv_ex": (lambda m, a: L(m).inv_ex(a).inverse, [M], True),
    "solve-matrix": (lambda m, a, b: L(m).solve(a, b), [M, RHS], True),
    "solve-vector": (lambda m, a, b: L(m).solve(a, b), [M, V], True),
    "solve-batched-vector": (lambda m, a, b: L(m).solve(a, b), [MB, VB], True),
    "solve-broadcast": (lambda m, a, b: L(m).solve(a, b), [MB, RHS], True),
    "solve-right": (lambda m, a, b: L(m).solve(a, b, left=False), [M, RHS.T.copy()], True),
    "solve_ex": (lambda m, a, b: L(m).solve_ex(a, b).result, [MB, RHS], True),
    "cholesky": (lambda m, a: L(m).cholesky(a), [S], True),
    "cholesky-batched-upper": (lambda m, a: L(m).cholesky(a, upper=True), [SB], True),
    "cholesky_ex": (lambda m, a: L(m).cholesky_ex(a).L, [SB], True),
    "qr-square": (_qr_joined, [M], True),
    "qr-tall": (_qr_joined, [TALL], True),
    "qr-wide": (_qr_joined, [WIDE], True),
    "qr-batched-complete-square": (lambda m, a: _qr_joined(m, a, "complete"), [MB], True),
    "Tensor.qr": (lambda m, a: a.qr()[1], [TALLB], False),
    "svd-square": (_svd_invariant, [M], True),
    "svd-tall": (_svd_invariant, [TALL], True),
    "svd-wide-full": (lambda m, a: _svd_invariant(m, a, True), [WIDE], True),
    "svd-batched": (_svd_invariant, [TALLB], True),
    "svdvals": (lambda m, a: L(m).svdvals(a), [TALLB], True),
    "torch.svd": (_torch_svd_invariant, [TALL], True),
    "Tensor.svd-full": (lambda m, a: _torch_svd_invariant(m, a, False), [WIDE], False),
    "eigh": (_eigh_invariant, [S], True),
    "eigh-batched-upper": (lambda m, a: _eigh_invariant(m, a, "U"), [SB], True),
    "eigh-not-symmetric": (_eigh_invariant, [M], False),
    "eigvalsh": (lambda m, a: L(m).eigvalsh(a), [SB], True),
    "pinv-tall": (lambda m, a: L(m).pinv(a), [TALL], True),
    "pinv-wide-batched": (lambda m, a: L(m).pinv(a), [np.swapaxes(TALLB, -1, -2)], True),
    "pinverse": (lambda m, a: m.pinverse(a), [M], False),
    "matrix_power-0": (lambda m, a: L(m).matrix_power(a, 0) + a, [M], False),
    "matrix_power-1": (lambda m, a: L(m).matrix_power(a, 1), [M], False),
    "matrix_power-2": (lambda m, a: a.matrix_power(2), [M], True),
    "matrix_power-5": (lambda m, a: m.matrix_power(a, 5), [MB / 3], True),
    "matrix_power-neg": (lambda m, a: L(m).matrix_power(a, -2), [M], True),
    "vector_norm": (lambda m, a: L(m).vector_norm(a), [TALLB], True),
    "vector_norm-dims": (lambda m, a: L(m).vector_norm(a, 3, (0, 2), True), [TALLB], True),
    "vector_norm-inf": (lambda m, a: L(m).vector_norm(a, math.inf, -1), [TALL], False),
    "vector_norm--inf": (lambda m, a: L(m).vector_norm(a, -math.inf, -1), [TALL], False),
    "vector_norm-negative": (lambda m, a: L(m).vector_norm(a, -1.5, 1), [TALL], True),
    "vector_norm-1": (lambda m, a: L(m).vector_norm(a, 1), [TALL], False),
    "matrix_norm-fro": (lambda m, a: L(m).matrix_norm(a), [TALLB], True),
    "matrix_norm-nuc": (lambda m, a: L(m).matrix_norm(a, "nuc"), [TALLB], True),
    "matrix_norm-2": (lambda m, a: L(m).matrix_norm(a, 2), [TALLB], True),
    "matrix_norm--2-keepdim": (lambda m, a: L(m).matrix_norm(a, -2, keepdim=True), [TALLB], True),
    "matrix_norm-1": (lambda m, a: L(m).matrix_norm(a, 1), [TALLB], False),
    "matrix_norm--1": (lambda m, a: L(m).matrix_norm(a, -1, (0, 2)), [TALLB], False),
    "matrix_norm-inf-keepdim": (
        lambda m, a: L(m).matrix_norm(a, math.inf, keepdim=True),
        [TALLB],
        False,
    ),
    "matrix_norm--inf": (lambda m, a: L(m).matrix_norm(a, -math.inf, (2, 0)), [TALLB], False),
    "norm": (lambda m, a: L(m).norm(a), [TALLB], True),
    "norm-vector-dim": (lambda m, a: L(m).norm(a, 3, 1), [TALLB], True),
    "norm-matrix-ord": (lambda m, a: L(m).norm(a, "nuc"), [TALL], True),
    "norm-vector-ord": (lambda m, a: L(m).norm(a, 1), [V], False),
    "cond": (lambda m, a: L(m).cond(a), [MB], True),
    # (PyTorch cannot differentiate it: its inverse is written in place)
    "cond-fro": (lambda m, a: L(m).cond(a.detach(), "fro"), [M], False),
    "matrix_norm-nuc-keepdim-dims": (
        lambda m, a: L(m).matrix_norm(a, "nuc", (2, 0), keepdim=True),
        [TALLB],
        True,
    ),
    "matrix_rank": (lambda m, a: L(m).matrix_rank(a), [np.stack([M, np.ones((3, 3))])], False),
    "vecdot": (lambda m, a, b: L(m).vecdot(a, b), [TALL, V], True),
    "multi_dot": (lambda m, a, b, c: L(m).multi_dot([a, b, c]), [TALL, WIDE, RHS], True),
    "multi_dot-vectors": (lambda m, a, b, c: L(m).multi_dot([a, b, c]), [V, M, V], True),
    "vander": (lambda m, a: L(m).vander(a), [VB], True),
    "vander-N": (lambda m, a: L(m).vander(a, N=4), [V], True),
    "cross": (lambda m, a, b: L(m).cross(a, b), [VB, V], True),
    "matmul": (lambda m, a, b: L(m).matmul(a, b), [MB, RHS], True),
    "matrix_exp": (lambda m, a: L(m).matrix_exp(a), [M / 4], True),
    "matrix_exp-large-batched": (lambda m, a: m.matrix_exp(a), [MB * 2], True),
    "matrix_exp-float32": (lambda m, a: a.matrix_exp(), [M32 / 2], False),
    "solve_triangular-upper": (
        lambda m, a, b: L(m).solve_triangular(a, b, upper=True),
        [M, RHS],
        True,
    ),
    "solve_triangular-lower-batched": (
        lambda m, a, b: L(m).solve_triangular(a, b, upper=False),
        [MB, RHS],
        True,
    ),
    "solve_triangular-right-unit": (
        lambda m, a, b: L(m).solve_triangular(a, b, upper=False, left=False, unitriangular=True),
        [M, RHS.T.copy()],
        True,
    ),
    "cholesky_solve": (lambda m, b, f: m.cholesky_solve(b, f), [RHS, np.linalg.cholesky(S)], True),
    "cholesky_solve-upper-batched": (
        lambda m, b, f: b.cholesky_solve(f, upper=True),
        [RHS, np.swapaxes(np.linalg.cholesky(SB), -1, -2).copy()],
        True,
    ),
    "cholesky_inverse": (lambda m, f: m.cholesky_inverse(f), [np.linalg.cholesky(SB)], True),
    "cholesky_inverse-upper": (
        lambda m, f: f.cholesky_inverse(upper=True),
        [np.linalg.cholesky(S).T.copy()],
        True,
    ),
}
# PyTorch composes these with nodes retrograd does not copy (see the report).
OTHER_NODES = {"matrix_power-0", "cond", "cond-fro"}


@pytest.mark.parametrize("name", CASES, ids=str)
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_values_gradients_grad_fn(name):
    fn, inputs, second = CASES[name]
    run_both(fn, list(inputs), second_order=second, check_name=name not in OTHER_NODES)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_torch_level_cholesky_and_qr_record_their_nodes():
    for m in (torch, retrograd):
        factor = m.cholesky(m.tensor(S, requires_grad=True))
        assert type(factor.grad_fn).__name__ == "CholeskyBackward0"
        q, r = m.qr(m.tensor(TALL, requires_grad=True), some=False)
        assert q.shape == (4, 4) and type(r.grad_fn).__name__ == "LinalgQrBackward0"


def test_torch_level_cholesky_and_qr_warn_with_pytorchs_text():
    """PyTorch warns once per process, so its text is compared as written in its source."""
    with pytest.warns(UserWarning, match="torch.cholesky is deprecated in favor of") as caught:
        retrograd.cholesky(retrograd.tensor(S))
    assert "U = torch.linalg.cholesky(A).mH" in str(caught[0].message)
    with pytest.warns(UserWarning, match="torch.qr is deprecated in favor of torch.linalg.qr"):
        retrograd.qr(retrograd.tensor(TALL))
    run_both(lambda m, a: m.cholesky(a, upper=True), [S])


def test_decompositions_return_pytorchs_named_tuples():
    outs = {
        "slogdet": lambda m: L(m).slogdet(m.tensor(M)),
        "inv_ex": lambda m: L(m).inv_ex(m.tensor(M)),
        "qr": lambda m: L(m).qr(m.tensor(TALL)),
        "eigh": lambda m: L(m).eigh(m.tensor(S)),
        "svd": lambda m: L(m).svd(m.tensor(TALL)),
        "torch.svd": lambda m: m.svd(m.tensor(TALL)),
        "torch.slogdet": lambda m: m.slogdet(m.tensor(M)),
    }
    for name, fn in outs.items():
        ours, theirs = fn(retrograd), fn(torch)
        assert type(ours).__name__ == type(theirs).__name__, name
        assert ours._fields == theirs._fields if hasattr(theirs, "_fields") else True
    info = L(retrograd).inv_ex(retrograd.tensor(M)).info
    assert info.dtype is retrograd.int32 and info.item() == 0
    q, r = L(retrograd).qr(retrograd.tensor(TALL, requires_grad=True), mode="r")
    assert q.shape == (0,) and r.shape == (3, 3)
    assert type(q.grad_fn).__name__ == "LinalgQrBackward0"


def test_svd_without_uv_gives_zero_factors():
    for m in (torch, retrograd):
        u, s, v = m.svd(m.tensor(TALL), compute_uv=False)
        assert tuple(u.shape) == (4, 4) and tuple(v.shape) == (3, 3)
        assert not u.abs().sum().item() and not v.abs().sum().item()


def _same_linalg_error(fn, *values):
    """PyTorch's LinAlgError and message: retrograd's is its own class (a RuntimeError)."""
    with pytest.raises(torch.linalg.LinAlgError) as theirs:
        fn(torch, *(torch.tensor(v) for v in values))
    with pytest.raises(retrograd.linalg.LinAlgError) as ours:
        fn(retrograd, *(retrograd.tensor(v) for v in values))
    assert str(ours.value) == str(theirs.value)


SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
NOT_PD = np.array([[1.0, 2.0], [2.0, 1.0]])
LINALG_ERRORS = {
    "inv": (lambda m, a: L(m).inv(a), SINGULAR),
    "inv-batched": (lambda m, a: m.inverse(a), np.stack([np.eye(2), SINGULAR])),
    "inv-3x3": (lambda m, a: L(m).inv(a), np.array([[1.0, 2, 3], [0, 0, 0], [4, 5, 6]])),
    "inv_ex-check": (lambda m, a: L(m).inv_ex(a, check_errors=True), SINGULAR),
    "solve": (lambda m, a: L(m).solve(a, m.ones(2, dtype=a.dtype)), SINGULAR),
    "cholesky": (lambda m, a: L(m).cholesky(a), NOT_PD),
    "cholesky-batched": (lambda m, a: L(m).cholesky(a), np.stack([np.eye(2), NOT_PD])),
    "cholesky-nan": (lambda m, a: L(m).cholesky(a), np.array([[np.nan, 1.0], [1.0, 1.0]])),
    "torch.cholesky": (lambda m, a: m.cholesky(a), NOT_PD),
    "matrix_power": (lambda m, a: L(m).matrix_power(a, -1), SINGULAR),
}


@pytest.mark.parametrize("name", LINALG_ERRORS, ids=str)
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_singular_and_not_positive_definite_raise_linalg_error(name):
    fn, value = LINALG_ERRORS[name]
    _same_linalg_error(fn, value)


def test_linalg_error_is_a_runtime_error_and_ex_forms_report_info():
    assert issubclass(retrograd.linalg.LinAlgError, RuntimeError)
    for m in (torch, retrograd):
        batch = m.tensor(np.stack([np.eye(2), SINGULAR]))
        assert L(m).inv_ex(batch).info.tolist() == [0, 2]
        assert L(m).cholesky_ex(m.tensor(np.stack([NOT_PD, np.eye(2)]))).info.tolist() == [2, 0]
        assert L(m).solve_ex(batch, m.ones(2, 2, dtype=batch.dtype)).info.tolist() == [0, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a singular matrix's det is 0, silently
        assert L(retrograd).det(retrograd.tensor(SINGULAR)).item() == 0


RECT = rand(2, 3)
ERRORS = {
    "inv-not-square": (lambda m, a: L(m).inv(a), RECT),
    "inv-vector": (lambda m, a: L(m).inv(a), rand(3)),
    "inv-integer": (lambda m, a: L(m).inv(a), np.eye(2, dtype=np.int64)),
    "det-not-square": (lambda m, a: L(m).det(a), RECT),
    "det-integer": (lambda m, a: m.det(a), np.eye(2, dtype=np.int64)),
    "slogdet-not-square": (lambda m, a: L(m).slogdet(a), RECT),
    "cholesky-not-square": (lambda m, a: L(m).cholesky(a), RECT),
    "eigh-not-square": (lambda m, a: L(m).eigh(a), RECT),
    "svd-vector": (lambda m, a: L(m).svd(a), rand(3)),
    "svd-integer": (lambda m, a: L(m).svd(a), np.eye(2, dtype=np.int64)),
    "qr-vector": (lambda m, a: L(m).qr(a), rand(3)),
    "qr-mode": (lambda m, a: L(m).qr(a, mode="x"), RECT),
    "solve-shapes": (lambda m, a: L(m).solve(a, m.ones(2, dtype=a.dtype)), np.eye(3)),
    "solve-not-square": (lambda m, a: L(m).solve(a, m.ones(2, dtype=a.dtype)), RECT),
    "solve-dtypes": (lambda m, a: L(m).solve(a, m.ones(2)), np.eye(2)),
    "matrix_power-not-square": (lambda m, a: L(m).matrix_power(a, 2), RECT),
    "matrix_power-vector": (lambda m, a: L(m).matrix_power(a, 2), rand(3)),
    "matrix_norm-order": (lambda m, a: L(m).matrix_norm(a, 3), RECT),
    "matrix_norm-vector": (lambda m, a: L(m).matrix_norm(a), rand(3)),
    "vector_norm-integer": (lambda m, a: L(m).vector_norm(a), np.ones(3, dtype=np.int64)),
    "norm-3d-with-ord": (lambda m, a: L(m).norm(a, 2), rand(2, 2, 2)),
    "qr-r-backward": (
        lambda m, a: L(m).qr(a.requires_grad_(), mode="r")[1].sum().backward(),
        rand(3, 3),
    ),
    "qr-complete-tall-backward": (
        lambda m, a: L(m).qr(a.requires_grad_(), mode="complete")[0].sum().backward(),
        rand(4, 3),
    ),
}


@pytest.mark.parametrize("name", ERRORS, ids=str)
def test_errors_are_pytorchs(name):
    fn, value = ERRORS[name]
    assert_same_error(fn, value)


def test_torch_norm_nuclear_is_linalgs():
    run_both(lambda m, a: m.norm(a, "nuc"), [TALL], second_order=True)
    run_both(lambda m, a: a.norm("nuc", dim=(0, 2), keepdim=True), [TALLB], second_order=True)


def test_dask_defers_the_singularity_check_to_compute():
    pytest.importorskip("dask")
    a = retrograd.tensor(np.stack([np.eye(2), SINGULAR]), backend="dask", chunks=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inverse = L(retrograd).inv(a)  # recorded, not computed: no error yet
    with pytest.raises(retrograd.linalg.LinAlgError, match=r"\(Batch element 1\): The diag"):
        inverse.tolist()
    good = retrograd.tensor(S, backend="dask", chunks=2, requires_grad=True)
    theirs = torch.tensor(S, requires_grad=True)
    for m, t in ((retrograd, good), (torch, theirs)):
        L(m).det(L(m).cholesky(t)).backward()
    np.testing.assert_allclose(good.grad.numpy(), theirs.grad.numpy(), rtol=1e-10)


VMAPPED = {
    "inv": lambda m, a, b: m.linalg.inv(a),
    "det": lambda m, a, b: m.linalg.det(a),
    "slogdet": lambda m, a, b: m.linalg.slogdet(a)[1],
    "solve": lambda m, a, b: m.linalg.solve(a, b),
    "qr": lambda m, a, b: m.linalg.qr(a)[1],
    "svdvals": lambda m, a, b: m.linalg.svd(a)[1],
    "eigh": lambda m, a, b: m.linalg.eigh(a + a.mT)[0],
    "cholesky": lambda m, a, b: m.linalg.cholesky(a @ a.mT),
}


@pytest.mark.parametrize("batched_b", [True, False])
@pytest.mark.parametrize("name", sorted(VMAPPED))
def test_vmap_of_linalg_matches_torch_vmap(name, batched_b):
    """Each matrix kernel's batching rule: vmap over a batch of (possibly batched)
    matrices gives ``torch.vmap``'s values and per-sample gradients."""
    a, b = (
        _well_conditioned(4, 2, 3, 3, seed=1),
        rand(*((4,) if batched_b else ()), 2, 3, 2, seed=2),
    )
    fn = VMAPPED[name]
    results = []
    for lib in (torch, retrograd):
        at, bt = lib.tensor(a, requires_grad=True), lib.tensor(b)
        out = lib.vmap(lambda x, y, lib=lib: fn(lib, x, y), in_dims=(0, 0 if batched_b else None))(
            at, bt
        )
        (out * out).sum().backward()
        results.append((out.detach().numpy(), at.grad.numpy()))
    (mine, mine_grad), (theirs, theirs_grad) = results[1], results[0]
    np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(mine_grad, theirs_grad, rtol=1e-8, atol=1e-8)


def test_vmap_of_inv_raises_for_a_singular_sample():
    a = _well_conditioned(3, 3, 3, seed=3)
    a[1] = 0.0
    with pytest.raises(retrograd.linalg.LinAlgError, match="linalg.inv: .*singular"):
        retrograd.vmap(retrograd.linalg.inv)(retrograd.tensor(a))


@pytest.mark.parametrize("batch", [(), (2,)], ids=["one matrix", "two matrices"])
def test_vmap_singular_error_names_the_batch_element_as_torch(batch):
    # PyTorch counts vmap's samples (times each sample's own matrices) as batch elements.
    a = np.stack([_well_conditioned(*batch, 3, 3, seed=s) for s in range(3)])
    a[(1, *((1,) if batch else ()))] = 0.0
    _same_linalg_error(lambda lib, x: lib.vmap(lib.linalg.inv)(x), a)
    _same_linalg_error(lambda lib, x: lib.vmap(lib.linalg.cholesky)(x), -a)

"""Samples, calls and references of ``retrograd.linalg``'s records
(``retrograd/ops/linalg_solvers.py``, ``linalg_spectral.py``).

Matrices are drawn well away from the points where the ops are not differentiable: a
square matrix gets ``n`` added on its diagonal (far from singular), a symmetric one is
``B B^T + n I`` (positive-definite, eigenvalues apart), so finite differences and
float32 stay accurate. The symmetric ops read one triangle, while PyTorch's gradient is
the symmetric one: they are called on ``A + A^T``, which both agree on. Singular vectors
and eigenvectors are compared as they come: each library's LAPACK picks the same signs
(NumPy's and JAX's agree; the gradient checks are local, so any sign choice passes).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import retrograd
from retrograd.ops.record import OpRecord

from .samples import Sample, values_for

_BATCHES = ((), (2,), (1, 2))


def _square(record: OpRecord, draw: Any, dtype: str, n: int, batch: tuple) -> np.ndarray:
    return values_for(record, draw, (*batch, n, n), dtype) + n * np.eye(n)


def square(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """One batch of well-conditioned square matrices (n from 1 to 3)."""
    n, batch = draw.integer(1, 3), draw.choice(_BATCHES)
    return Sample((_square(record, draw, dtype, n, batch),))


def symmetric(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """Half of a positive-definite ``B B^T + n I`` (the call adds its transpose)."""
    n, batch = draw.integer(1, 3), draw.choice(_BATCHES)
    b = values_for(record, draw, (*batch, n, n), dtype)
    return Sample(((b @ np.swapaxes(b, -1, -2) + n * np.eye(n)) / 2,))


def system(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``A X = B``: A square, B a vector or matrices, the batches broadcast."""
    n, batch = draw.integer(1, 3), draw.choice(_BATCHES)
    a = _square(record, draw, dtype, n, batch)
    shape = draw.choice(((n,), (n, 2), (*batch, n, 1), (1, n, 3)))
    return Sample((a, values_for(record, draw, shape, dtype)))


def rectangular(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A batch of (m, n) matrices, tall, square or wide."""
    m, n, batch = draw.integer(1, 4), draw.integer(1, 4), draw.choice(_BATCHES)
    return Sample((values_for(record, draw, (*batch, m, n), dtype),))


def qr_sample(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``qr(A, mode)``: 'complete' only where it is differentiable (m <= n)."""
    sample = rectangular(record, draw, dtype)
    m, n = sample.arrays[0].shape[-2:]
    return Sample(sample.arrays, {"mode": draw.choice(("reduced", "complete") if m <= n
                                                      else ("reduced",))})  # fmt: skip


def solve_ref(xp: Any, a: Any, b: Any) -> Any:
    if b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]):
        return xp.linalg.solve(a, b[..., None])[..., 0]
    return xp.linalg.solve(a, b)


def svd_call(a: Any) -> tuple:
    return tuple(retrograd.linalg.svd(a, full_matrices=False))


def svd_ref(xp: Any, a: Any) -> tuple:
    return tuple(xp.linalg.svd(a, full_matrices=False))


def eigh_call(a: Any) -> tuple:
    return tuple(retrograd.linalg.eigh(a + a.mT))


def eigh_ref(xp: Any, a: Any) -> tuple:
    return tuple(xp.linalg.eigh(a + xp.matrix_transpose(a)))


def cholesky_ref(xp: Any, a: Any) -> Any:
    return xp.linalg.cholesky(a + xp.matrix_transpose(a))


def torch_cholesky(a: Any) -> Any:
    """``torch.cholesky`` of ``A + A^T``, its deprecation warning silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return retrograd.cholesky(a + a.mT)


def triangular_system(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``solve_triangular(A, B, upper, left, unitriangular)``: A square (its triangle is
    well-conditioned: n on the diagonal), B matrices, the batches broadcast."""
    a, b = system(record, draw, dtype).arrays
    if b.ndim < 2:
        b = b[:, None]
    left = draw.choice((True, False))
    if not left:
        b = np.swapaxes(b, -1, -2)
    params = {"upper": draw.choice((True, False)), "left": left,
              "unitriangular": draw.choice((False, True))}  # fmt: skip
    return Sample((a, b), params)


def triangular_ref(xp: Any, a: Any, b: Any, upper: bool, left: bool, unitriangular: bool) -> Any:
    tri = xp.triu(a) if upper else xp.tril(a)
    if unitriangular:
        eye = xp.eye(a.shape[-1], dtype=a.dtype)
        tri = tri * (1 - eye) + eye
    if left:
        return xp.linalg.solve(tri, b)
    t = xp.matrix_transpose
    return t(xp.linalg.solve(t(tri), t(b)))


def cholesky_factor(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A lower Cholesky factor (its diagonal n and up: well-conditioned)."""
    n, batch = draw.integer(1, 3), draw.choice(_BATCHES)
    return Sample((np.tril(_square(record, draw, dtype, n, batch)),), {"upper": False})


def cholesky_system(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``cholesky_solve(B, L, upper)``: B matrices, L a factor (lower, or its transpose)."""
    factor = cholesky_factor(record, draw, dtype).arrays[0]
    upper = draw.choice((False, True))
    if upper:
        factor = np.swapaxes(factor, -1, -2)
    b = values_for(record, draw, (factor.shape[-1], draw.integer(1, 3)), dtype)
    return Sample((b, factor), {"upper": upper})


def _gram(xp: Any, f: Any, upper: bool) -> Any:
    t = xp.matrix_transpose(f)
    return t @ f if upper else f @ t


def cholesky_solve_ref(xp: Any, b: Any, f: Any, upper: bool) -> Any:
    return xp.linalg.solve(_gram(xp, f, upper), b)


def cholesky_inverse_ref(xp: Any, f: Any, upper: bool) -> Any:
    return xp.linalg.inv(_gram(xp, f, upper))


def small_square(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """Square matrices of small norm (``matrix_exp``: its values stay moderate)."""
    n, batch = draw.integer(1, 3), draw.choice(_BATCHES)
    return Sample((values_for(record, draw, (*batch, n, n), dtype) / 2,))


def matrix_exp_ref(xp: Any, a: Any) -> Any:
    """exp(A) by its Taylor series after scaling by 2^-8, then squaring back."""
    scaled = a / 256.0
    term = total = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    for k in range(1, 20):
        term = term @ scaled / k
        total = total + term
    for _ in range(8):
        total = total @ total
    return total


# -- the LU family (retrograd/ops/linalg_lu.py, linalg_lu_solve.py) -----------------------


def lu_parts(xp: Any, a: Any) -> tuple:
    """``(P, L, U)`` with ``A = P L U``: SciPy's ``linalg.lu`` for NumPy, JAX's
    ``lax.linalg.lu`` (differentiable, LAPACK's pivots) for ``jax.numpy``."""
    if xp is np:
        try:
            import scipy.linalg
        except ImportError:  # SciPy is the test extra's dependency, not retrograd's
            pytest.skip("scipy is not installed: no reference for the LU factorization")
        return tuple(scipy.linalg.lu(a))
    import jax

    m, n = a.shape[-2:]
    k = min(m, n)
    packed, _, order = jax.lax.linalg.lu(a)
    eye = xp.eye(m, k, dtype=a.dtype)
    lower = xp.tril(packed[..., :, :k], -1) + eye
    p = (order[..., None, :] == xp.arange(m)[:, None]).astype(a.dtype)
    return p, lower, xp.triu(packed[..., :k, :])


def lu_packed_ref(xp: Any, a: Any) -> Any:
    """``linalg.lu_factor``'s ``LU``: L's strict lower triangle and U in one matrix."""
    _, lower, upper = lu_parts(xp, a)
    m, n = a.shape[-2:]
    k = min(m, n)
    strict = xp.tril(lower, -1)
    if n > k:
        strict = xp.concat([strict, xp.zeros((*a.shape[:-2], m, n - k), dtype=a.dtype)], axis=-1)
    if m > k:
        upper = xp.concat([upper, xp.zeros((*a.shape[:-2], m - k, n), dtype=a.dtype)], axis=-2)
    return strict + upper


def lu_ref(xp: Any, a: Any) -> tuple:
    return lu_parts(xp, a)[1:]


def lu_call(a: Any) -> tuple:
    return tuple(retrograd.linalg.lu(a))[1:]


def lu_unpack_call(a: Any) -> tuple:
    return tuple(retrograd.lu_unpack(*retrograd.linalg.lu_factor(a)))[1:]


def lu_system(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``lu_solve(lu_factor(A), B, left, adjoint)``: A square, B matrices (the batches
    broadcast)."""
    a, b = system(record, draw, dtype).arrays
    if b.ndim < 2:
        b = b[:, None]
    left = draw.choice((True, False))
    if not left:
        b = np.swapaxes(b, -1, -2)
    return Sample((a, b), {"left": left, "adjoint": draw.choice((False, True))})


def lu_solve_call(a: Any, b: Any, left: bool, adjoint: bool) -> Any:
    return retrograd.linalg.lu_solve(*retrograd.linalg.lu_factor(a), b, left=left, adjoint=adjoint)


def lu_solve_ref(xp: Any, a: Any, b: Any, left: bool, adjoint: bool) -> Any:
    t = xp.matrix_transpose
    a = t(a) if adjoint else a
    return xp.linalg.solve(a, b) if left else t(xp.linalg.solve(t(a), t(b)))


# -- least squares and the legacy triangular solve (linalg_lstsq.py, linalg_triangular_solve.py)


def least_squares(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``lstsq(A, B)``: A tall or square with independent columns (n on its diagonal),
    B matrices of A's batch (a B of one dim less is a batch of vectors)."""
    n, batch = draw.integer(1, 3), draw.choice(_BATCHES)
    m = n + draw.integer(0, 2)
    a = values_for(record, draw, (*batch, m, n), dtype) + n * np.eye(m, n)
    return Sample((a, values_for(record, draw, (*batch, m, draw.integer(1, 3)), dtype)))


def lstsq_ref(xp: Any, a: Any, b: Any) -> Any:
    """The normal equations' solution (A has full column rank)."""
    t = xp.matrix_transpose(a)
    return xp.linalg.solve(t @ a, t @ b)


def legacy_triangular_system(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``triangular_solve(b, A, upper, transpose, unitriangular)``."""
    a, b = system(record, draw, dtype).arrays
    if b.ndim < 2:
        b = b[:, None]
    params = {"upper": draw.choice((True, False)), "transpose": draw.choice((False, True)),
              "unitriangular": draw.choice((False, True))}  # fmt: skip
    return Sample((b, a), params)


def legacy_triangular_call(b: Any, a: Any, **params: Any) -> tuple:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return tuple(retrograd.triangular_solve(b, a, **params))


def legacy_triangular_ref(
    xp: Any, b: Any, a: Any, upper: bool, transpose: bool, unitriangular: bool
) -> tuple:
    tri = xp.matrix_transpose(a) if transpose else a
    x = triangular_ref(xp, tri, b, upper != transpose, True, unitriangular)
    batch = xp.broadcast_shapes(x.shape[:-2], a.shape[:-2])
    return x, xp.broadcast_to(a, (*batch, *a.shape[-2:]))


# -- LDL^T (linalg_ldl.py): no derivative; the forward on diagonally dominant matrices


def dominant(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """Half of a symmetric, strictly diagonally dominant matrix (the call adds its
    transpose): every Bunch-Kaufman step is then a 1x1 pivot without interchange (a
    Schur complement of such a matrix stays so), which :func:`ldl_ref` assumes."""
    n, batch = draw.integer(1, 3), draw.choice(_BATCHES)
    b = values_for(record, draw, (*batch, n, n), dtype)
    sym = b + np.swapaxes(b, -1, -2)
    sym = sym + (np.abs(sym).sum(-1, keepdims=True) + 1.0) * np.eye(n)
    return Sample((sym / 2,))


def ldl_ref(xp: Any, a: Any) -> Any:
    """``LD`` of ``A + A^T`` without pivoting (see :func:`dominant`): L's strict lower
    triangle plus D's diagonal, from ``A = L D L^T`` computed column by column."""
    n = a.shape[-1]
    lower = a + xp.matrix_transpose(a)
    columns, diagonal = [], []
    for j in range(n):
        column = lower[..., :, j]
        for c, d in zip(columns, diagonal):
            column = column - c * (d * c[..., j : j + 1])
        d = column[..., j : j + 1]
        scaled = xp.where(xp.arange(n) > j, column / d, 0.0)
        columns.append(scaled + xp.where(xp.arange(n) == j, 1.0, 0.0))
        diagonal.append(d)
    factor = xp.stack(columns, axis=-1)
    d = xp.concat(diagonal, axis=-1)
    return xp.tril(factor, k=-1) + d[..., None, :] * xp.eye(n, dtype=a.dtype)

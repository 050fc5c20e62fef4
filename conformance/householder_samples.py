"""Samples, calls and references of ``geqrf`` (``retrograd/ops/linalg_householder.py``)
and ``linalg.ldl_solve`` (``linalg_ldl_solve.py``); PyTorch has no derivative for either.

``geqrf``'s ``a`` is compared with the same reflectors built as explicit matrices and
multiplied onto ``A`` (``tests/test_linalg_householder.py`` compares both outputs with
PyTorch's).
``ldl_solve`` is called on the factors of ``A + A^T`` (diagonally dominant) and checked
against the plain solve.
"""

from __future__ import annotations

from typing import Any

import retrograd
from retrograd.ops.record import OpRecord

from .linalg_samples import dominant
from .samples import Sample, values_for


def geqrf_call(a: Any) -> Any:
    return retrograd.geqrf(a).a


def geqrf_ref(xp: Any, a: Any) -> Any:
    """``geqrf``'s ``a`` from explicit reflector matrices: ``H_j = I - tau v v^T`` (LAPACK's
    ``beta = -sign(alpha) ||x||``) multiplied onto ``A`` one column at a time; R above the
    diagonal, each ``v`` below it."""
    m, n = a.shape[-2:]
    rows, r, vectors = xp.arange(m), a, []
    for j in range(min(m, n)):
        alpha = r[..., j, j]
        tail = xp.where(rows > j, r[..., :, j], 0.0)
        xnorm = xp.sqrt(xp.sum(tail * tail, axis=-1))
        beta = xp.where(alpha >= 0, -1.0, 1.0) * xp.sqrt(alpha * alpha + xnorm * xnorm)
        flat = xnorm == 0
        tau = xp.where(flat, 0.0, (beta - alpha) / xp.where(flat, 1.0, beta))
        v = xp.where(rows == j, 1.0, tail / xp.where(flat, 1.0, alpha - beta)[..., None])
        reflector = xp.eye(m, dtype=a.dtype) - tau[..., None, None] * (
            v[..., :, None] * v[..., None, :]
        )
        r = reflector @ r
        vectors.append(v[..., None])
    k = len(vectors)
    below = xp.where(rows[:, None] > xp.arange(k)[None, :], xp.concat(vectors, axis=-1), 0.0)
    if k < n:
        below = xp.concat([below, xp.zeros((*below.shape[:-1], n - k), dtype=a.dtype)], axis=-1)
    return xp.triu(r) + below


def ldl_system(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``ldl_solve(ldl_factor(A + A^T), B)``: A as :func:`dominant`, B of A's batch."""
    (a,) = dominant(record, draw, dtype).arrays
    b = values_for(record, draw, (*a.shape[:-1], draw.integer(1, 3)), dtype)
    return Sample((a, b))


def ldl_solve_call(a: Any, b: Any) -> Any:
    return retrograd.linalg.ldl_solve(*retrograd.linalg.ldl_factor(a + a.mT), b)


def ldl_solve_ref(xp: Any, a: Any, b: Any) -> Any:
    return xp.linalg.solve(a + xp.matrix_transpose(a), b)

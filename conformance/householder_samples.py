"""Samples, calls and references of ``geqrf`` (``retrograd/ops/linalg_householder.py``)
and ``linalg.ldl_solve`` (``linalg_ldl_solve.py``); PyTorch has no derivative for either.

``geqrf``'s factors are checked through what they must reproduce, whatever signs a
LAPACK picks: the product of its reflectors times its R is the matrix (``Q R = A``).
``ldl_solve`` is called on the factors of ``A + A^T`` (diagonally dominant) and checked
against the plain solve.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import retrograd
from retrograd.ops.record import OpRecord

from .linalg_samples import dominant
from .samples import Sample, values_for

_BATCHES = ((), (2,), (1, 2))


def tall(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A batch of (m, n) matrices, m >= n, with n on the diagonal (full column rank)."""
    n, batch = draw.integer(1, 3), draw.choice(_BATCHES)
    m = n + draw.integer(0, 2)
    return Sample((values_for(record, draw, (*batch, m, n), dtype) + n * np.eye(m, n),))


def qr_product_call(a: Any) -> Any:
    """``Q R`` from ``geqrf(a)``: ``householder_product`` of its reflectors times R."""
    h, tau = retrograd.geqrf(a)
    r = h.narrow(-2, 0, h.shape[-1]).triu()
    return retrograd.linalg.householder_product(h, tau) @ r


def qr_product_ref(xp: Any, a: Any) -> Any:
    return a


def ldl_system(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``ldl_solve(ldl_factor(A + A^T), B)``: A as :func:`dominant`, B of A's batch."""
    (a,) = dominant(record, draw, dtype).arrays
    b = values_for(record, draw, (*a.shape[:-1], draw.integer(1, 3)), dtype)
    return Sample((a, b))


def ldl_solve_call(a: Any, b: Any) -> Any:
    return retrograd.linalg.ldl_solve(*retrograd.linalg.ldl_factor(a + a.mT), b)


def ldl_solve_ref(xp: Any, a: Any, b: Any) -> Any:
    return xp.linalg.solve(a + xp.matrix_transpose(a), b)

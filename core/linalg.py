"""``retrograd.linalg``: PyTorch's ``torch.linalg`` over batches of real matrices
``(*, m, n)`` in float32 or float64 (retrograd has no complex dtype).

Decompositions and solvers are op records with PyTorch's nodes
(``retrograd/ops/linalg_solvers.py``, ``linalg_spectral.py``; the LU family in
``linalg_lu.py`` and ``linalg_lu_solve.py``, LDL^T in ``linalg_ldl.py``, least squares in
``linalg_lstsq.py``); the rest is composed as PyTorch composes it
(``retrograd/ops/linalg_composed.py``, ``linalg_tensor.py``). A singular or
non-positive-definite matrix raises :class:`LinAlgError` on every backend (on Dask, when
the result is computed).
"""

from __future__ import annotations

from .ops.linalg import matmul
from .ops.linalg_checks import LinAlgError
from .ops.linalg_composed import (
    cond,
    matrix_norm,
    matrix_rank,
    multi_dot,
    norm,
    vander,
    vecdot,
    vector_norm,
)
from .ops.linalg_diagonal import diagonal
from .ops.linalg_exp import matrix_exp
from .ops.linalg_householder import householder_product
from .ops.linalg_ldl import ldl_factor, ldl_factor_ex
from .ops.linalg_ldl_solve import ldl_solve
from .ops.linalg_lstsq import lstsq
from .ops.linalg_lu import lu, lu_factor, lu_factor_ex
from .ops.linalg_lu_solve import lu_solve
from .ops.linalg_more import cross
from .ops.linalg_solvers import (
    cholesky_ex,
    det,
    inv_ex,
    matrix_power,
    solve,
    solve_ex,
)
from .ops.linalg_solvers import inverse as inv
from .ops.linalg_solvers import linalg_cholesky as cholesky
from .ops.linalg_solvers import linalg_slogdet as slogdet
from .ops.linalg_spectral import eigh, eigvalsh, pinv, qr, svd, svdvals
from .ops.linalg_tensor import tensorinv, tensorsolve
from .ops.linalg_triangular import solve_triangular

__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh",
    "eigvalsh", "householder_product", "inv", "inv_ex", "ldl_factor", "ldl_factor_ex",
    "ldl_solve", "lstsq", "lu", "lu_factor",
    "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm", "matrix_power",
    "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex",
    "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vander", "vecdot",
    "vector_norm",
]  # fmt: skip

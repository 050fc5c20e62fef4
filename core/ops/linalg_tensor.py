"""``linalg.tensorinv`` and ``linalg.tensorsolve``: a tensor read as a matrix (its
leading dims as rows, the rest as columns), inverted or solved with, and the result read
back as a tensor, composed as PyTorch composes them (``reshape``, ``linalg.inv`` or
``linalg.solve``, ``reshape``), so the gradients are those ops'.
"""

from __future__ import annotations

import math
from typing import Any

from ..tensor import Tensor
from .helpers import check_tensor
from .linalg_solvers import inverse, solve


def _check_products(rows: tuple, columns: tuple, first: str, second: str) -> None:
    if math.prod(columns) != math.prod(rows):
        raise RuntimeError(
            f"Expected self to satisfy the requirement prod(self.shape[{first}]) == "
            f"prod(self.shape[{second}]), but got {math.prod(columns)} != {math.prod(rows)}"
        )


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The tensor ``X`` of shape ``A.shape[ind:] + A.shape[:ind]`` with
    ``tensordot(A, X, ind)`` the identity: the inverse of ``A`` read as a
    ``prod(A.shape[:ind])``-square matrix."""
    check_tensor("linalg_tensorinv", A, "input")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, columns = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    _check_products(rows, columns, "ind:", ":ind")
    inverted = inverse(A.reshape(math.prod(rows), -1))
    return inverted.reshape(*columns, *rows)


def tensorsolve(A: Tensor, B: Tensor, dims: Any = None) -> Tensor:
    """The tensor ``X`` of shape ``A.shape[B.dim():]`` with ``tensordot(A, X,
    X.dim()) = B``; ``dims``: dims of ``A`` moved to the end first."""
    check_tensor("linalg_tensorsolve", A, "input")
    check_tensor("linalg_tensorsolve", B, "other")
    if dims is not None:
        dims = (dims,) if isinstance(dims, int) else tuple(dims)
        A = A.movedim(dims, tuple(range(A.dim() - len(dims), A.dim())))
    rows, columns = tuple(A.shape[: B.dim()]), tuple(A.shape[B.dim() :])
    _check_products(rows, columns, "other.ndim:", ":other.ndim")
    matrix = A.reshape(math.prod(rows), math.prod(columns))
    return solve(matrix, B.reshape(-1)).reshape(columns)

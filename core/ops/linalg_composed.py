"""The ``retrograd.linalg`` functions PyTorch composes from other ops: the norms
(``vector_norm`` is the ``LinalgVectorNormBackward0`` record of ``retrograd.norm``;
``matrix_norm`` sums, maxes or takes singular values), ``matrix_rank``, ``cond``,
``vecdot``, ``multi_dot`` and ``vander``. Composed as PyTorch composes them, so the same
nodes come out.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..tensor import Tensor, _wrap_dim
from .dispatch import finish
from .helpers import check_tensor, reduction_dims
from .joining import cat
from .linalg_checks import check_floating, check_matrix
from .linalg_solvers import inverse
from .linalg_spectral import _EPSILON, singular_value_norm, svdvals
from .statistics import NORM


def vector_norm(
    x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all dims by default); ``ord`` any number,
    inf (the largest magnitude) or -inf (the smallest); 0 counts the nonzero elements."""
    check_tensor("linalg.vector_norm", x, "x")
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(
            f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}"
        )
    if dtype is not None:
        x = x.to(dtypes.resolve(dtype))
    check_floating("linalg.vector_norm", x)
    dims = reduction_dims("linalg.vector_norm", x, dim)
    backend = x._backend
    out = backend.kernels["vector_norm"](x._storage.array, ord, dims, keepdim)
    return finish(NORM, out, x.dtype, backend, (x,), {"p": ord, "dims": dims, "keepdim": keepdim})


def _matrix_dims(op: str, A: Tensor, dim: Any) -> tuple[int, int]:
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {dim}")
    first, second = (_wrap_dim(d, A.dim(), op) for d in dim)
    if first == second:
        raise RuntimeError(f"{op}: dims must be different. Got ({first}, {second})")
    return first, second


def matrix_norm(
    A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """A matrix norm over the two dims ``dim``: 'fro', 'nuc' (the sum of the singular
    values), 2/-2 (the largest/smallest singular value), 1/-1 (the largest/smallest
    column sum of magnitudes), inf/-inf (row sums)."""
    op = "linalg.matrix_norm"
    check_tensor(op, A, "A")
    if A.dim() < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(dtypes.resolve(dtype))
    check_floating(op, A)
    dims = _matrix_dims(op, A, dim)
    if ord == "fro":
        return vector_norm(A, 2, dims, keepdim)
    if ord == "nuc" or ord in (2, -2):
        return singular_value_norm(A, ord, dims, keepdim)
    if isinstance(ord, str) or ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    summed, reduced = dims if abs(ord) == 1 else dims[::-1]
    if not keepdim and summed < reduced:
        reduced -= 1
    sums = A.abs().sum(summed, keepdim=keepdim)
    return sums.amax(reduced, keepdim=keepdim) if ord > 0 else sums.amin(reduced, keepdim=keepdim)


def norm(
    A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """``linalg.norm``: a vector norm over one dim (or of a 1-D input, or of all elements
    without ``ord``), a matrix norm over two dims (or of a 2-D input with ``ord``)."""
    check_tensor("linalg.norm", A, "A")
    if dim is not None and not isinstance(dim, (tuple, list)):
        dim = (dim,)
    if dim is None and ord is not None:
        if A.dim() not in (1, 2):
            raise RuntimeError(
                "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                f"Got {A.dim()}D."
            )
        dim = tuple(range(A.dim()))
    if dim is not None and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.norm: Order {ord} not supported.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def _tolerance(values: Tensor, A: Tensor, atol: Any, rtol: Any) -> Tensor:
    """``max(atol, rtol * largest singular value)``, PyTorch's defaults."""
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else _EPSILON[A.dtype.name] * max(A.shape[-2:])
    largest = values.amax(-1, keepdim=True) if values.shape[-1] else values.sum(-1, keepdim=True)
    cut = largest * rtol
    return cut if atol is None else cut.clamp(min=atol)


def matrix_rank(
    A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False, tol: Any = None
) -> Tensor:
    """The number of singular values above the tolerance (int64, no gradient)."""
    check_matrix("linalg.matrix_rank", A, square=hermitian)
    if tol is not None:
        atol, rtol = tol, 0.0
    with no_grad():
        values = svdvals(A)
        return (values > _tolerance(values, A, atol, rtol)).sum(-1)


def cond(A: Tensor, p: Any = None) -> Tensor:
    """The condition number: ``largest / smallest`` singular value (p None or 2; -2 the
    inverse), else ``matrix_norm(A, p) * matrix_norm(A^-1, p)``."""
    check_matrix("linalg.cond", A, square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        values = svdvals(A)
        first, last = values.narrow(-1, 0, 1), values.narrow(-1, values.shape[-1] - 1, 1)
        ratio = first / last if p != -2 else last / first
        return ratio.squeeze(-1)
    return matrix_norm(A, p) * matrix_norm(inverse(A), p)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """The dot product of vectors along ``dim`` (the operands broadcast)."""
    return (x * y).sum(dim)


def _chain_order(shapes: list[tuple[int, int]]) -> list[list[int]]:
    """The cheapest parenthesization of a matrix chain (classic dynamic programming):
    ``split[i][j]`` is where the product of matrices i..j splits."""
    n = len(shapes)
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + shapes[i][0] * shapes[k][1] * shapes[j][1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def multi_dot(tensors: Any) -> Tensor:
    """The product of a chain of matrices in the cheapest order; the first may be a row
    vector and the last a column vector (1-D), as PyTorch's."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first_vector, last_vector = tensors[0].dim() == 1, tensors[-1].dim() == 1
    matrices = [tensors[0].unsqueeze(0) if first_vector else tensors[0], *tensors[1:-1],
                tensors[-1].unsqueeze(-1) if last_vector else tensors[-1]]  # fmt: skip
    for i, t in enumerate(matrices):
        if t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {tensors[i].dim()}D")
    split = _chain_order([tuple(t.shape) for t in matrices])

    def product(i: int, j: int) -> Tensor:
        if i == j:
            return matrices[i]
        k = split[i][j]
        return product(i, k).mm(product(k + 1, j))

    out = product(0, len(matrices) - 1)
    shape = [s for s, drop in zip(out.shape, (first_vector, last_vector)) if not drop]
    return out.view(shape)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:  # noqa: N803 - PyTorch's name
    """The Vandermonde matrix of increasing powers ``x^0 .. x^(N-1)`` (N = x's length),
    batched over leading dims: ``cat([1, cumprod(x, ...)])`` as PyTorch's."""
    check_tensor("linalg.vander", x, "x")
    if x.dim() < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = x.shape[-1] if N is None else N
    if n < 2:
        raise RuntimeError("N must be greater than 1.")
    ones = x.detach().new_ones((*x.shape, 1))
    powers = x.unsqueeze(-1).expand(*x.shape, n - 1).cumprod(-1)
    return cat([ones.to(powers.dtype), powers], -1)

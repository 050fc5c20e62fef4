"""``nn.utils.parametrizations.orthogonal``: a matrix (or batch) kept orthogonal (or
with orthonormal columns or rows), as PyTorch writes it.

The unconstrained tensor ``X`` becomes orthogonal through one of three maps: the
``matrix_exp`` or the ``cayley`` map of the skew-symmetric ``A = tril(X) - tril(X)^T``,
or the product of the Householder reflectors stored below ``X``'s diagonal
(``householder``, signs from the diagonal). With ``use_trivialization`` the result is
multiplied by a ``base`` buffer set when a value is assigned (the dynamic
trivialization), and the assigned value is stored as ``-I``, so ``Q = base`` at first.
"""

from __future__ import annotations

from enum import Enum, auto

from ...creation import eye
from ...grad_mode import no_grad
from ...ops import FUNCTIONS as _OPS
from ...ops.elementwise import where
from ...ops.linalg_exp import matrix_exp
from ...ops.linalg_householder import geqrf, householder_product
from ...ops.linalg_solvers import solve
from ...ops.linalg_spectral import _EPSILON
from ...random import randn
from ...tensor import Tensor
from ..module import Module
from .parametrize import register_parametrization

_cat, _allclose = _OPS["cat"], _OPS["allclose"]


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


def _is_orthogonal(Q: Tensor) -> bool:  # noqa: N803
    n, k = Q.shape[-2:]
    identity = eye(k, dtype=Q.dtype, backend=Q.backend)
    return _allclose(Q.mH @ Q, identity, atol=10.0 * n * _EPSILON[Q.dtype.name])


def _make_orthogonal(A: Tensor) -> Tensor:  # noqa: N803
    """Q of ``A = QR`` (A tall) with ``diag(R)`` non-negative."""
    X, tau = geqrf(A)  # noqa: N806
    return householder_product(X, tau) * X.diagonal(0, -2, -1).sgn().unsqueeze(-2)


def _skew_map(X: Tensor, kind: _OrthMaps) -> Tensor:  # noqa: N803
    n, k = X.shape[-2:]
    X = X.tril()  # noqa: N806
    if n != k:
        X = _cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)  # noqa: N806
    A = X - X.mH  # noqa: N806
    if kind == _OrthMaps.matrix_exp:
        Q = matrix_exp(A)  # noqa: N806
    else:
        identity = eye(n, dtype=A.dtype, backend=A.backend)
        Q = solve(identity - 0.5 * A, identity + 0.5 * A)  # noqa: N806
    return Q[..., :k] if n != k else Q


def _with_diagonal(A: Tensor, diagonal: Tensor) -> Tensor:  # noqa: N803
    """``A`` with its main diagonal (*, k) replaced by ``diagonal``."""
    n, k = A.shape[-2:]
    mask = eye(n, k, dtype=A.dtype, backend=A.backend)
    return A * (1 - mask) + mask * diagonal.unsqueeze(-2)


class _Orthogonal(Module):
    """The parametrization :func:`orthogonal` registers (see the module)."""

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *,
                 use_trivialization: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:  # noqa: N803
        transposed = X.shape[-2] < X.shape[-1]
        if transposed:
            X = X.mT  # noqa: N806
        if self.orthogonal_map == _OrthMaps.householder:
            A = X.tril(diagonal=-1)  # noqa: N806
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = householder_product(A, tau)  # noqa: N806
            Q = Q * X.diagonal(0, -2, -1).int().unsqueeze(-2)  # noqa: N806
        else:
            Q = _skew_map(X, self.orthogonal_map)  # noqa: N806
        if hasattr(self, "base"):
            Q = self.base @ Q  # noqa: N806
        return Q.mT if transposed else Q

    def right_inverse(self, Q: Tensor) -> Tensor:  # noqa: N803
        """The ``X`` that gives ``Q`` (the base set to ``Q`` under trivialization)."""
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q: Tensor) -> Tensor:  # noqa: N803
        if Q.shape != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. "
                f"Got a tensor of shape {Q.shape}."
            )
        Q_init = Q  # noqa: N806
        transpose = Q.shape[-2] < Q.shape[-1]
        if transpose:
            Q = Q.mT  # noqa: N806
        if not hasattr(self, "base"):
            return self._householder_inverse(Q, transpose)
        self.base = self._base(Q)
        return -eye(*Q_init.shape[-2:], dtype=Q.dtype, backend=Q.backend).expand(Q_init.shape)

    def _householder_inverse(self, Q: Tensor, transpose: bool) -> Tensor:  # noqa: N803
        if self.orthogonal_map != _OrthMaps.householder:
            raise NotImplementedError(
                "It is not possible to assign to the matrix exponential "
                "or the Cayley parametrizations when use_trivialization=False."
            )
        A, tau = geqrf(Q)  # noqa: N806
        sign = A.diagonal(0, -2, -1).sign()
        A = _with_diagonal(A, where(tau == 0.0, -sign, sign))  # noqa: N806
        return A.mT if transpose else A

    @staticmethod
    def _base(Q: Tensor) -> Tensor:  # noqa: N803
        n, k = Q.shape[-2:]
        if n == k:
            return Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        N = randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype, backend=Q.backend)  # noqa: N806
        return _make_orthogonal(_cat([Q, N], dim=-1))


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    """Parametrize ``module.<name>`` (a matrix or batch, ``ndim >= 2``) as an orthogonal
    matrix through ``orthogonal_map`` (``"matrix_exp"``, ``"cayley"``, ``"householder"``;
    by default ``matrix_exp`` for square matrices, else ``householder``). Returns
    ``module``."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions."
        )
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
            f"Got: {orthogonal_map}"
        )
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    register_parametrization(module, name, orth, unsafe=True)
    return module


__all__ = ["orthogonal"]

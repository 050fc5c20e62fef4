"""The matrix exponential, ``matrix_exp``/``linalg.matrix_exp``, with PyTorch's node
``LinalgMatrixExpBackward0``.

The forward is Higham's scaling and squaring with the degree-13 Padé approximant
(``exp(A) = r(A / 2^s)^(2^s)``, ``s`` from A's 1-norm), composed from retrograd's matrix
products and solves with grad mode off, so every backend runs it with the kernels it has
(an eager backend reads the norm to choose ``s``; a lazy one computes nothing: each
matrix's ``s`` stays a tensor and the squarings are masked). The rule is
PyTorch's: the gradient is the upper-right block of ``exp([[A^T, G], [0, A^T]])``, an
exponential again, so second-order gradients work.
"""

from __future__ import annotations

import math

from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .elementwise import where
from .joining import cat
from .linalg_checks import check_matrix
from .linalg_more import _eye_mask
from .linalg_solvers import solve
from .record import LINALG, OpRecord

# The degree-13 Padé coefficients and the largest 1-norm it is accurate for (Higham 2005).
_PADE13 = (
    64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
    129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
    40840800.0, 960960.0, 16380.0, 182.0, 1.0,
)  # fmt: skip
_THETA13 = 5.371920351148152


def _matrix_exp_grad(g: Tensor, a: Tensor) -> Tensor:
    n = a.shape[-1]
    transposed = a.mT
    top = cat([transposed, g], -1)
    bottom = cat([transposed * 0.0, transposed], -1)
    return matrix_exp(cat([top, bottom], -2)).narrow(-2, 0, n).narrow(-1, n, n)


MATRIX_EXP = OpRecord(
    "matrix_exp", LINALG, "LinalgMatrixExpBackward0", "linalg_solve", save=("self",),
    grads=(_matrix_exp_grad,), float_only=True,
    doc="exp(A) = sum A^k / k!; the gradient: a block of exp([[A^T, G], [0, A^T]])",
)  # fmt: skip
RECORDS = (MATRIX_EXP,)


def _pade13(a: Tensor) -> Tensor:
    """The degree-13 Padé approximant of exp at ``a`` (of 1-norm at most theta13)."""
    b = _PADE13
    identity = _eye_mask(a, tuple(a.shape[-2:])).to(a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2
             + b[1] * identity)  # fmt: skip
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2
    v = v + b[0] * identity
    return solve(v - u, v + u)


def _exponential(a: Tensor) -> Tensor:
    if a.numel() == 0:
        return a.clone()
    if a._backend.lazy:
        return _exponential_unread(a)
    norm = float(a.abs().sum(-2).amax().item())
    squarings = max(0, math.ceil(math.log2(norm / _THETA13))) if norm > _THETA13 else 0
    result = _pade13(a / 2.0**squarings)
    for _ in range(squarings):
        result = result @ result
    return result


# A lazy backend's bound on the squarings: 1-norms up to theta13 * 2^64 (about 1e20;
# past that the exponential overflows but for rare matrices).
_MAX_SQUARINGS = 64


def _exponential_unread(a: Tensor) -> Tensor:
    """:func:`_exponential` without reading a value: each matrix's squarings as a tensor,
    the squaring steps masked past them."""
    norm = a.abs().sum(-2).amax(-1)
    squarings = (norm / _THETA13).clamp(min=1.0).log2().ceil()
    scale = (squarings * -1.0).exp2().unsqueeze(-1).unsqueeze(-1)
    result = _pade13(a * scale)
    for step in range(_MAX_SQUARINGS):
        pending = (squarings > step).unsqueeze(-1).unsqueeze(-1)
        result = where(pending, result @ result, result)
    return result


def matrix_exp(A: Tensor) -> Tensor:
    """The exponential of each square matrix of ``A`` (*, n, n)."""
    check_matrix("linalg.matrix_exp", A)
    with no_grad():
        out = _exponential(A.detach())
    return finish(MATRIX_EXP, out._storage.array, A.dtype, A._backend, (A,))


FUNCTIONS = {"matrix_exp": matrix_exp}

"""``pdist``: the ``p``-norm distance of every pair of rows ``i < j`` of an ``(N, M)``
matrix, in row-major order of the pairs; PyTorch records it as one node
(``PdistBackward0``).

The forward is ``cdist`` of the matrix with itself (the direct ``p``-norm, never the
matrix-product shortcut), read at the upper triangle. The rule computes each pair's
derivative (PyTorch's cases by ``p``) and accumulates it into both rows of the pair,
in differentiable ops.
"""

from __future__ import annotations

import math

from .. import dtypes
from ..creation import tensor
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .elementwise import where
from .helpers import check_tensor, zeros_on
from .numeric_more import cdist
from .record import LINALG, OpRecord


def _pair_terms(g: Tensor, diff: Tensor, dist: Tensor, p: float) -> Tensor:
    """d dist_k / d x_i times ``g_k`` for each pair ``k = (i, j)`` and coordinate:
    PyTorch's cases by ``p``; 0 where the distance is 0 and, for ``p < 2``, where the
    coordinates agree (written so that no infinite power is formed, which would make
    the second-order gradient NaN)."""
    dist, g = dist.unsqueeze(-1), g.unsqueeze(-1)
    if p == 0:
        return diff * 0.0
    if p == 1:
        return g * diff.sign()
    if p == math.inf:
        return g * diff.sign() * (diff.abs() == dist)
    zero = (dist == 0) | (diff == 0) if p < 2 else dist == 0
    safe_dist = where(dist == 0, 1.0, dist)
    if p == 2:
        term = g * diff / safe_dist
    elif p < 2:
        safe_abs = where(diff == 0, 1.0, diff.abs())
        term = diff.sign() * safe_abs.pow(p - 1) * g / safe_dist.pow(p - 1)
    else:
        term = diff * diff.abs().pow(p - 2) * g / safe_dist.pow(p - 1)
    return where(zero, 0.0, term)


def _pairs(like: Tensor) -> tuple[Tensor, Tensor]:
    """The rows ``(i, j)``, ``i < j``, of ``like`` in row-major order, made from host
    lists: indices known without computing (a lazy backend defers the whole op)."""
    n = like.shape[0]
    rows = [i for i in range(n) for _ in range(i + 1, n)]
    cols = [j for i in range(n) for j in range(i + 1, n)]
    return tuple(tensor(i, dtype=dtypes.int64, device=like.device) for i in (rows, cols))


def _pdist_grad(g: Tensor, x: Tensor, p: float, result: Tensor) -> Tensor:
    rows, cols = _pairs(x)
    term = _pair_terms(g, x[rows] - x[cols], result, p)
    zeros = zeros_on(x, tuple(x.shape))
    added = zeros.index_put((rows,), term, accumulate=True)
    return added - zeros.index_put((cols,), term, accumulate=True)


PDIST = OpRecord(
    "_pdist_forward",
    LINALG,
    "PdistBackward0",
    "vector_norm",
    save=("self", "p", "result"),
    grads=(_pdist_grad,),
    method=False,
    float_only=True,
    doc="||x_i - x_j||_p for every pair of rows i < j",
)
RECORDS = (PDIST,)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The ``p``-norm distances of the ``N (N - 1) / 2`` pairs of rows of ``(N, M)``."""
    check_tensor("pdist", input)
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    rows, cols = _pairs(input)
    with no_grad():
        full = cdist(input, input, p, compute_mode="donot_use_mm_for_euclid_dist")
        out = full[rows, cols]
    params = {"p": p}
    return finish(PDIST, out._storage.array, input.dtype, input._backend, (input,), params)

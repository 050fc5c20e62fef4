"""``pdist``: the ``p``-norm distance of every pair of rows ``i < j`` of an ``(N, M)``
matrix, in row-major order of the pairs; PyTorch records it as one node
(``PdistBackward0``).

The forward is ``cdist`` of the matrix with itself (the direct ``p``-norm, never the
matrix-product shortcut), read at the upper triangle. The rule scatters the gradient
into an ``(N, N)`` matrix and applies ``cdist``'s pairwise terms (PyTorch's cases by
``p``; 0 where a distance is 0), written in differentiable ops.
"""

from __future__ import annotations

from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .helpers import check_tensor, zeros_on
from .numeric_more import _pair_terms, cdist
from .record import LINALG, OpRecord
from .searching import triu_indices


def _square(values: Tensor, n: int) -> Tensor:
    """``values`` of the pairs ``i < j`` laid out in an ``(n, n)`` matrix, 0 elsewhere."""
    rows, cols = triu_indices(n, n, 1, device=values.device)
    return zeros_on(values, (n, n)).index_put((rows, cols), values)


def _pdist_grad(g: Tensor, x: Tensor, p: float, result: Tensor) -> Tensor:
    n = x.shape[0]
    terms = _pair_terms(_square(g, n), x, x, p, _square(result, n))
    return terms.sum(-2) - terms.sum(-3)


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
    n = input.shape[0]
    rows, cols = triu_indices(n, n, 1, device=input.device)
    with no_grad():
        full = cdist(input, input, p, compute_mode="donot_use_mm_for_euclid_dist")
        out = full[rows, cols]
    params = {"p": p}
    return finish(PDIST, out._storage.array, input.dtype, input._backend, (input,), params)

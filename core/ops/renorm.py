"""``renorm`` (and ``renorm_``): each slice along ``dim`` whose ``p``-norm exceeds
``maxnorm`` scaled down to it, as PyTorch's one node ``RenormBackward0``.

PyTorch's forward scales by ``maxnorm / (norm + 1e-7)``; its gradient
(``renorm_backward``) differentiates that scale through the norm: where a slice was
scaled, ``factor * (grad - sum(self * grad) * dnorm/dself / (norm + 1e-7))``, elsewhere
``grad``. Written here in retrograd's ops, so that its second order is derived too.
"""

from __future__ import annotations

import math

from ..grad_mode import no_grad
from ..tensor import Tensor, _wrap_dim
from .dispatch import finish
from .elementwise import where
from .helpers import check_tensor
from .linalg_composed import vector_norm
from .record import REDUCTION, OpRecord

EPSILON = 1e-7  # PyTorch's, in the scale and its gradient


def _others(input: Tensor, dim: int) -> tuple[int, ...]:
    return tuple(d for d in range(input.dim()) if d != dim)


def _norm_grad(x: Tensor, norm: Tensor, p: float, dims: tuple) -> Tensor:
    """d norm / d x (PyTorch's norm_backward for one unit of gradient), for p > 0:
    ``sign(x) |x|^(p-1) / norm^(p-1)``; for inf the gradient is shared among the
    elements tied at the largest magnitude."""
    if math.isinf(p):
        tied = (x.abs() == norm).to(x.dtype)
        return x.sign() * tied / tied.sum(dims, keepdim=True)
    if p == 2:
        return x / norm
    if p == 1:
        return x.sign()
    return x.sign() * x.abs() ** (p - 1) / norm ** (p - 1)


def _renorm_grad(g: Tensor, x: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    dims = _others(x, dim)
    norm = vector_norm(x, p, dims, True)
    invnorm = (norm + EPSILON).reciprocal()
    through_norm = (x * g).sum(dims, keepdim=True) * _norm_grad(x, norm, p, dims)
    return where(norm > maxnorm, invnorm * maxnorm * (g - invnorm * through_norm), g)


RENORM = OpRecord(
    "renorm", REDUCTION, "RenormBackward0", "vector_norm",
    save=("self", "p", "dim", "maxnorm"), grads=(_renorm_grad,), inplace=True,
    doc="slices along dim with p-norm above maxnorm scaled to maxnorm / (norm + 1e-7)",
)  # fmt: skip
RECORDS = (RENORM,)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """``input`` with each slice along ``dim`` whose ``p``-norm (over the other dims) is
    above ``maxnorm`` scaled by ``maxnorm / (norm + 1e-7)``; other slices unchanged."""
    check_tensor("renorm", input)
    if not p > 0:  # PyTorch's order of checks
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.dim() < 2:
        raise RuntimeError(
            f"renorm: input needs at least 2 dimensions, got {input.dim()} dimensions"
        )
    dim = _wrap_dim(dim, input.dim(), "renorm")
    with no_grad():
        norm = vector_norm(input, p, _others(input, dim), True)
        scale = where(norm > maxnorm, maxnorm / (norm + EPSILON), 1.0)
        out = input * scale.to(input.dtype)
    params = {"p": p, "dim": dim, "maxnorm": maxnorm}
    return finish(RENORM, out._storage.array, input._dtype, input._backend, (input,), params)


FUNCTIONS = {"renorm": renorm}

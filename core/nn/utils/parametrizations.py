"""``nn.utils.parametrizations``: ``weight_norm`` and ``spectral_norm`` as
parametrizations (:mod:`.parametrize`), computed with retrograd's ops.

Weight normalization writes ``w = g * v / ||v||`` (the norm over every dim but ``dim``),
stored as ``original0 = g`` and ``original1 = v``. Spectral normalization divides the
weight by an estimate of its largest singular value, refined by power iteration in
training mode; its vectors ``_u`` and ``_v`` are buffers drawn from the host random
stream as PyTorch draws them, so a seed gives PyTorch's values.
"""

from __future__ import annotations

from typing import Any

from ...grad_mode import no_grad
from ...ops import FUNCTIONS as _OPS
from ...tensor import Tensor
from ..module import Module
from ..modules.conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..normalization import normalize
from .orthogonal import orthogonal as orthogonal  # re-exported: PyTorch's home
from .parametrize import register_parametrization

_mv, _vdot = _OPS["mv"], _OPS["vdot"]


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm of ``v`` over every dim but ``dim`` (over all of it when ``dim`` is
    -1, as PyTorch's ``norm_except_dim``), shaped to broadcast against ``v``."""
    if dim == -1:
        return v.pow(2).sum().sqrt()
    others = [d for d in range(v.dim()) if d != dim]
    return v.pow(2).sum(others, keepdim=True).sqrt() if others else v.abs()


class _WeightNorm(Module):
    """``weight = g * v / ||v||``: the parametrization :func:`weight_norm` registers."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as a magnitude ``g`` (``original0``) times a
    direction ``v / ||v||`` (``original1``), the norm taken over every dim but ``dim``
    (``None``: over the whole tensor). Returns ``module``."""
    return register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


class _SpectralNorm(Module):
    """``weight / sigma``, ``sigma`` the power-iteration estimate of the largest singular
    value of the weight seen as a matrix (``dim`` first, the rest flattened)."""

    def __init__(self, weight: Tensor, n_power_iterations: int, dim: int, eps: float) -> None:
        super().__init__()
        ndim = weight.dim()
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                "Dimension out of range (expected to be in range of "
                f"[-{ndim}, {ndim - 1}] but got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but "
                f"got n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            matrix = self._matrix(weight)
            h, w = matrix.shape
            u = matrix.new_empty(h).normal_(0, 1)
            v = matrix.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", normalize(u, dim=0, eps=eps))
            self.register_buffer("_v", normalize(v, dim=0, eps=eps))
            self._power_method(matrix, 15)  # start from a good estimate

    def _matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, matrix: Tensor, n: int) -> None:
        """Refine ``_u`` and ``_v`` in place (the buffers are shared with ``state_dict``)."""
        with no_grad():
            for _ in range(n):
                self._u.copy_(normalize(_mv(matrix, self._v), dim=0, eps=self.eps))
                self._v.copy_(normalize(_mv(matrix.t(), self._u), dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.dim() == 1:
            return normalize(weight, dim=0, eps=self.eps)
        matrix = self._matrix(weight)
        if self.training:
            self._power_method(matrix, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = _vdot(u, _mv(matrix, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Divide ``module.<name>`` by its spectral norm, estimated by ``n_power_iterations``
    steps of power iteration per forward in training mode (``dim``: the output dim, 1
    for transposed convolutions, else 0). Returns ``module``; raises ``ValueError`` if
    ``module`` has no such tensor."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        transposed = isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d))
        dim = 1 if transposed else 0
    parametrization: Any = _SpectralNorm(weight, n_power_iterations, dim, eps)
    return register_parametrization(module, name, parametrization)

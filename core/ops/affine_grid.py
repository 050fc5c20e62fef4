"""``affine_grid``: the sampling grid of a batch of affine maps, one node as PyTorch
records it (``AffineGridGeneratorBackward0``, ATen's ``affine_grid_generator``).

The grid is linear in ``theta``: ``grid[n, ..., :] = theta[n] @ (x, y[, z], 1)`` over a
base grid of normalized coordinates in ``[-1, 1]`` (pixel centres unless
``align_corners``, where the corners' centres are at -1 and 1). So the gradient w.r.t.
``theta`` is the gradient times the base grid, summed over positions.
"""

from __future__ import annotations

from ..creation import linspace, ones
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .joining import stack
from .record import SHAPE, OpRecord


def _coordinates(n: int, align_corners: bool, like: Tensor) -> Tensor:
    """PyTorch's ``linspace_from_neg_one``: ``n`` steps over ``[-1, 1]``, shrunk by
    ``(n - 1) / n`` to the pixel centres unless ``align_corners``; ``[0]`` for one."""
    if n <= 1:
        return linspace(0, 0, n, dtype=like.dtype, backend=like._backend)
    steps = linspace(-1, 1, n, dtype=like.dtype, backend=like._backend)
    return steps if align_corners else steps * (n - 1) / n


def base_grid(spatial: tuple, align_corners: bool, like: Tensor) -> Tensor:
    """``(*spatial, k + 1)``: each position's ``(x, y[, z], 1)``, ``x`` along the last
    spatial dim."""
    axes = [_coordinates(n, align_corners, like) for n in spatial]
    columns = []
    for i in reversed(range(len(spatial))):  # x first: the last spatial dim
        view = [1] * len(spatial)
        view[i] = spatial[i]
        columns.append(axes[i].reshape(view).expand(*spatial))
    columns.append(ones(*spatial, dtype=like.dtype, backend=like._backend))
    return stack(columns, -1)


def _theta_grad(grad: Tensor, spatial: tuple, align_corners: bool) -> Tensor:
    base = base_grid(spatial, align_corners, grad).reshape(1, -1, len(spatial) + 1)
    rows = grad.reshape(grad.shape[0], -1, len(spatial))
    return rows.transpose(1, 2).matmul(base)


def _grid_tangent(tangents: tuple, result: Tensor, spatial: tuple, align_corners: bool):
    return generated(tangents[0], spatial, align_corners)


AFFINE_GRID_GENERATOR = OpRecord(
    "affine_grid_generator",
    SHAPE,
    "AffineGridGeneratorBackward0",
    "matmul",
    save=("spatial", "align_corners"),
    grads=(_theta_grad,),
    jvp=_grid_tangent,
    public="affine_grid",
    method=False,
    float_only=True,
    doc="theta @ (x, y[, z], 1) over a base grid of normalized coordinates",
)
RECORDS = (AFFINE_GRID_GENERATOR,)


def generated(theta: Tensor, spatial: tuple, align_corners: bool) -> Tensor:
    """The grid ``(N, *spatial, k)`` of ``theta`` ``(N, k, k + 1)``, in retrograd's ops."""
    base = base_grid(spatial, align_corners, theta).reshape(1, -1, len(spatial) + 1)
    grid = base.matmul(theta.transpose(1, 2))
    return grid.reshape(theta.shape[0], *spatial, len(spatial))


def affine_grid_generator(theta: Tensor, size: list, align_corners: bool) -> Tensor:
    """ATen's ``affine_grid_generator`` (arguments checked by the caller): one node."""
    spatial = tuple(size[2:])
    with no_grad():
        grid = generated(theta, spatial, align_corners).contiguous()
    params = {"spatial": spatial, "align_corners": align_corners}
    return finish(
        AFFINE_GRID_GENERATOR, grid._storage.array, theta.dtype, theta._backend, (theta,), params
    )

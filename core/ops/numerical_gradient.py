"""``torch.gradient``: the derivative of sampled values by finite differences.

A composite, as in PyTorch (``aten/native/ReduceOps.cpp``): second-order central
differences inside, first- or second-order one-sided differences at the edges, joined
with ``cat`` (so the result's ``grad_fn`` is ``CatBackward0`` and autograd runs through
the slices and arithmetic). The arithmetic follows PyTorch's order of operations, so the
rounding is PyTorch's too: with a scalar spacing ``h`` the inside is
``(f[2:] - f[:-2]) / h / 2``; with coordinates the weights are those of non-uniform
samples (``dx1``, ``dx2`` the steps either side).
"""

from __future__ import annotations

from numbers import Number
from typing import Any

from .. import dtypes
from ..tensor import Tensor, _wrap_dim
from .helpers import check_tensor
from .joining import cat
from .record import composite

_EXPECTED = (
    "gradient() received an invalid combination of arguments - got (Tensor, spacing={}), "
    "but expected one of:\n"
    " * (Tensor input, *, tuple of ints dim, int edge_order = 1)\n"
    " * (Tensor input, *, Number spacing, tuple of ints dim, int edge_order = 1)\n"
    " * (Tensor input, *, Number spacing = None, int dim = None, int edge_order = 1)\n"
    " * (Tensor input, *, tuple of Scalars spacing, int dim = None, int edge_order = 1)\n"
    " * (Tensor input, *, tuple of Scalars spacing, tuple of ints dim, int edge_order = 1)\n"
    " * (Tensor input, *, tuple of Tensors spacing, int dim = None, int edge_order = 1)\n"
    " * (Tensor input, *, tuple of Tensors spacing, tuple of ints dim, int edge_order = 1)\n"
)


def _spacings(input: Tensor, spacing: Any, dims: list[int] | None) -> list:
    """One spacing per differentiated dim: a scalar applies to every dim."""
    if spacing is None:
        spacing = 1.0
    if isinstance(spacing, Number) and not isinstance(spacing, bool):
        return [spacing] * (input.dim() if dims is None else len(dims))
    if not isinstance(spacing, (list, tuple)):
        raise TypeError(_EXPECTED.format(type(spacing).__name__))
    spacing = list(spacing)
    if any(isinstance(h, Tensor) for h in spacing):
        for i, h in enumerate(spacing):
            if not isinstance(h, Tensor):
                raise TypeError(
                    f"expected Tensor as element {i} in argument 1, but got {type(h).__name__}"
                )
    if dims is None and len(spacing) != input.dim():
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
            f"equal to 'self.dim() = {input.dim()}', since dim argument was not given, but got "
            f"a list of length {len(spacing)}"
        )
    if dims is not None and len(spacing) != len(dims):
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and "
            "dim arguments to have the same length, but got a spacing argument of length "
            f"{len(spacing)} and a dim argument of length {len(dims)}."
        )
    return spacing


def _checked_dims(input: Tensor, dim: Any, edge_order: int) -> list[int]:
    """The dims to differentiate, wrapped, after PyTorch's checks."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(input.dim())) if dim is None else list(dim)
    wrapped = [_wrap_dim(d, input.dim(), "gradient") for d in dims]
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    for d in wrapped:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
    return wrapped


def _uniform(f: Tensor, d: int, h: Any, edge_order: int) -> Tensor:
    """The derivative along ``d`` of samples ``h`` apart."""
    n = f.shape[d]

    def at(start: int, length: int = 1) -> Tensor:
        return f.narrow(d, start, length)

    center = (at(2, n - 2) - at(0, n - 2)) / h
    if edge_order == 1:
        first = (at(1) - at(0)) / h
        last = (at(n - 1) - at(n - 2)) / h
    else:
        first = (at(0) * -1.5 + at(1) * 2 + at(2) * -0.5) / h
        last = (at(n - 3) * 0.5 + at(n - 2) * -2 + at(n - 1) * 1.5) / h
    return cat([first, center / 2, last], d)


def _edge_weights(dx0: Tensor, dx1: Tensor, leading: bool) -> tuple:
    """Second-order one-sided weights at an edge (PyTorch's, in its order)."""
    if leading:
        a = -(2.0 * dx0 + dx1) / (dx0 * (dx0 + dx1))
        b = (dx0 + dx1) / (dx0 * dx1)
        c = (-dx0) / (dx1 * (dx0 + dx1))
        return a, b, c
    # dx0 is the last step, dx1 the one before it
    a = dx0 / (dx1 * (dx0 + dx1))
    b = -(dx0 + dx1) / (dx0 * dx1)
    c = (2 * dx0 + dx1) / (dx0 * (dx0 + dx1))
    return a, b, c


def _coordinates(f: Tensor, d: int, x: Tensor, edge_order: int) -> Tensor:
    """The derivative along ``d`` of samples taken at coordinates ``x``."""
    if x.dim() != 1:
        raise RuntimeError(
            "torch.gradient expected each element of spacing to have one dimension, but got "
            f"an element with {x.dim()} dimensions!"
        )
    n, shape = f.shape[d], [1] * f.dim()
    shape[d] = -1
    dx = x.diff(1, 0)
    dx1, dx2 = dx[:-1], dx[1:]
    a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape)
    b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape)
    c = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape)
    center = a * f.narrow(d, 0, n - 2) + b * f.narrow(d, 1, n - 2) + c * f.narrow(d, 2, n - 2)
    if edge_order == 1:
        first = (f.narrow(d, 1, 1) - f.narrow(d, 0, 1)) / dx[0]
        last = (f.narrow(d, n - 1, 1) - f.narrow(d, n - 2, 1)) / dx[-1]
    else:
        a, b, c = _edge_weights(dx[0], dx[1], True)
        first = a * f.narrow(d, 0, 1) + b * f.narrow(d, 1, 1) + c * f.narrow(d, 2, 1)
        a, b, c = _edge_weights(dx[-1], dx[-2], False)
        last = a * f.narrow(d, n - 3, 1) + b * f.narrow(d, n - 2, 1) + c * f.narrow(d, n - 1, 1)
    return cat([first, center, last], d)


@composite(method=False)  # torch.Tensor has no gradient
def gradient(
    input: Tensor, *, spacing: Any = None, dim: Any = None, edge_order: int = 1
) -> tuple[Tensor, ...]:
    """The derivative of ``input``'s samples along each dim in ``dim`` (all by default),
    one tensor per dim, by central differences inside and one-sided differences of order
    ``edge_order`` (1 or 2) at the edges. ``spacing``: a scalar step for every dim, one
    scalar per dim, or one 1-d tensor of sample coordinates per dim."""
    check_tensor("gradient", input)
    if input.dtype is dtypes.uint8:
        raise RuntimeError("torch.gradient does not support uint8 input.")
    dims = None if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    spacings = _spacings(input, spacing, dims)
    wrapped = _checked_dims(input, dims, edge_order)
    out = []
    for d, h in zip(wrapped, spacings):
        if isinstance(h, Tensor):
            out.append(_coordinates(input, d, h, edge_order))
        else:
            out.append(_uniform(input, d, h, edge_order))
    return tuple(out)


FUNCTIONS = {"gradient": gradient}

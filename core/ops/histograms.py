"""Histograms: ``histogram`` (1-d) and ``histogramdd`` (points in N dimensions).

As PyTorch (``aten/native/Histogram.cpp``), ``histogram`` is ``histogramdd`` of the
flattened input seen as 1-d points. A point falls in bin ``i`` of a dim when
``edges[i] <= x < edges[i + 1]``; the last edge belongs to the last bin; points outside
``[edges[0], edges[-1]]`` or with a NaN coordinate are not counted. With ``bins`` a
count the edges are ``linspace(min, max, bins + 1)`` in the input's dtype, over
``range`` or else the data's range (an empty input: ``[0, 1]``; a single value ``v``:
``[v - 0.5, v + 0.5]``).

Composed of retrograd's ops on detached values (PyTorch has no derivative for them):
``searchsorted`` finds each coordinate's bin, ``scatter_add`` sums the weights, so every
backend runs it and Dask stays lazy except for the data's range.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..creation import linspace
from ..grad_mode import no_grad
from ..tensor import Tensor
from . import return_types
from .helpers import check_tensor, zeros_on
from .record import composite
from .searching import _number_text, searchsorted

_DD = "torch.histogramdd"
builtins_range = range  # ``range`` is PyTorch's parameter name below


def _check_input(input: Tensor) -> None:
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"histogramdd\" not implemented for '{dtypes.kind_name(input.dtype)}'"
        )
    if input.dim() < 2:
        raise RuntimeError(f"{_DD}: input tensor should have at least 2 dimensions")


def _check_bins_tensor(input: Tensor, bins: Tensor, d: int) -> None:
    if bins.dtype is not input.dtype:
        raise RuntimeError(
            f"{_DD}: input tensor and bins tensors should have the same dtype, but got input "
            f"with dtype {dtypes.kind_name(input.dtype).lower()} and bins for dimension {d} "
            f"with dtype {dtypes.kind_name(bins.dtype).lower()}"
        )
    if bins.dim() != 1:
        raise RuntimeError(
            f"{_DD}: bins tensor should have one dimension, but got {bins.dim()} dimensions "
            f"in the bins tensor for dimension {d}"
        )
    if bins.numel() == 0:
        raise RuntimeError(
            f"{_DD}: bins tensor should have at least 1 element, but got 0 elements in the "
            f"bins tensor for dimension {d}"
        )


def _check_weight(input: Tensor, weight: Tensor | None) -> None:
    if weight is None:
        return
    if weight.dtype is not input.dtype:
        raise RuntimeError(
            f"{_DD}: if weight tensor is provided, input tensor and weight tensor should have "
            f"the same dtype, but got input({dtypes.kind_name(input.dtype).lower()}), and "
            f"weight({dtypes.kind_name(weight.dtype).lower()})"
        )
    if tuple(weight.shape) != tuple(input.shape[:-1]):
        raise RuntimeError(
            f"{_DD}: if weight tensor is provided it should have the same shape as the input "
            "tensor excluding its innermost dimension, but got input with shape "
            f"{list(input.shape)} and weight with shape {list(weight.shape)}"
        )


def _outer_edges(points: Tensor, range: Any) -> list[tuple[float, float]]:
    """Each dim's (leftmost, rightmost) edge: ``range``'s, or the data's (a value read)."""
    n = points.shape[-1]
    if range is not None:
        if len(range) != 2 * n:
            raise RuntimeError(
                f"{_DD}: for a {n}-dimensional histogram range should have {2 * n} elements, "
                f"but got {len(range)}"
            )
        pairs = [(float(range[2 * d]), float(range[2 * d + 1])) for d in builtins_range(n)]
    elif points.numel() == 0:
        pairs = [(0.0, 1.0)] * n
    else:
        low, high = points.amin(0).tolist(), points.amax(0).tolist()
        pairs = list(zip(low, high))
    out = []
    for d, (low, high) in enumerate(pairs):
        if not (math.isfinite(low) and math.isfinite(high)):
            raise RuntimeError(
                f"{_DD}: dimension {d}'s range [{_number_text(low)}, {_number_text(high)}] "
                "is not finite"
            )
        if low > high:
            raise RuntimeError(
                f"{_DD}: min should not exceed max, but got min {_number_text(low)} max "
                f"{_number_text(high)} for dimension {d}"
            )
        out.append((low - 0.5, high + 0.5) if low == high else (low, high))
    return out


def _bin_edges(points: Tensor, bins: Any, range: Any) -> list[Tensor]:
    """One 1-d tensor of edges per dim, after PyTorch's checks."""
    n = points.shape[-1]
    if isinstance(bins, int):
        bins = [bins] * n
    bins = list(bins)
    if len(bins) != n:
        raise RuntimeError(
            "histogramdd: The size of bins must be equal to the innermost dimension of the input."
        )
    if all(isinstance(b, Tensor) for b in bins):
        for d, b in enumerate(bins):
            _check_bins_tensor(points, b, d)
        return [b.detach().clone() for b in bins]
    for d, b in enumerate(bins):
        if b <= 0:
            raise RuntimeError(
                f"torch.histogram(): bins must be > 0, but got {b} for dimension {d}"
            )
    flat = points.reshape(-1, n)
    return [
        linspace(low, high, b + 1, dtype=flat.dtype, backend=flat._backend)
        for b, (low, high) in zip(bins, _outer_edges(flat, range))
    ]


def _counts(points: Tensor, edges: list[Tensor], weight: Tensor | None) -> Tensor:
    """The (weighted) count of points in each bin, shaped by the bins."""
    n = points.shape[-1]
    flat = points.reshape(-1, n)
    inside = None
    index = zeros_on(flat, (flat.shape[0],), dtypes.int64)
    for d, e in enumerate(edges):
        x, bins = flat[:, d].contiguous(), e.numel() - 1
        # the last edge belongs to the last bin: clamp its position down
        position = (searchsorted(e, x, right=True) - 1).clamp(0, max(bins - 1, 0))
        ok = (x >= e[0]) & (x <= e[-1])
        inside = ok if inside is None else inside & ok
        index = index * bins + position
    w = inside.to(points.dtype)
    if weight is not None:
        w = weight.detach().reshape(-1) * w
    shape = tuple(max(e.numel() - 1, 0) for e in edges)
    total = zeros_on(flat, (math.prod(shape),))
    return total.scatter_add(0, index, w).reshape(shape)


def _density(hist: Tensor, edges: list[Tensor]) -> Tensor:
    """Counts divided by their sum and by each dim's bin widths, in PyTorch's order."""
    hist = hist / hist.sum()
    for d, e in enumerate(edges):
        shape = [1] * len(edges)
        shape[d] = -1
        hist = hist / e.diff().reshape(shape)
    return hist


def _histogramdd(input: Tensor, bins: Any, range: Any, weight: Any, density: bool) -> tuple:
    with no_grad():
        points = input.detach()
        edges = _bin_edges(points, bins, range)
        _check_weight(points, weight)
        hist = _counts(points, edges, weight)
        return (_density(hist, edges) if density else hist), edges


@composite()
def histogram(
    input: Tensor,
    bins: Any = 100,
    *,
    range: Any = None,  # noqa: A002 - PyTorch's name
    weight: Tensor | None = None,
    density: bool = False,
) -> Any:
    """The histogram of ``input``'s values: ``(hist, bin_edges)``. ``bins``: a number of
    equal bins over ``range`` (default: the data's min and max), or a 1-d tensor of
    increasing edges. ``weight``: each value's weight (default 1), ``density``: the
    counts normalized so that they integrate to 1 over the bins. No gradient."""
    check_tensor("histogram", input)
    if isinstance(bins, Tensor) and range is not None:
        raise TypeError(
            "histogram() received an invalid combination of arguments - got (Tensor, Tensor, "
            "range=tuple)"
        )
    points = input.reshape(-1, 1)
    _check_input(points)
    if weight is not None:  # PyTorch flattens the weights as it flattens the input
        weight = check_tensor("histogram", weight, "weight").reshape(-1)
    edge_bins = [bins] if isinstance(bins, Tensor) else bins
    hist, edges = _histogramdd(points, edge_bins, range, weight, density)
    return return_types.histogram(hist, edges[0])


@composite(method=False)  # torch.Tensor has no histogramdd
def histogramdd(
    input: Tensor,
    bins: Any,
    *,
    range: Any = None,  # noqa: A002 - PyTorch's name
    weight: Tensor | None = None,
    density: bool = False,
) -> Any:
    """The histogram of the points in ``input``'s last dim (``input`` of shape
    ``(..., N)``): ``(hist, bin_edges)``, ``hist`` of one dim per coordinate and
    ``bin_edges`` one tensor of edges per coordinate. ``bins``: one number of bins for
    every coordinate, one per coordinate, or one 1-d tensor of edges per coordinate;
    ``range``: ``[min_0, max_0, min_1, max_1, ...]``. No gradient."""
    check_tensor("histogramdd", input)
    _check_input(input)
    if weight is not None:
        check_tensor("histogramdd", weight, "weight")
    hist, edges = _histogramdd(input, bins, range, weight, density)
    return return_types.histogramdd(hist, tuple(edges))


FUNCTIONS = {"histogram": histogram, "histogramdd": histogramdd}

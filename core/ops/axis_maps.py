"""Linear maps along one axis, written in retrograd's own differentiable ops: the
forward and the derivative rules of average pooling (plain and adaptive) and of
reflection and replication padding.

Each of those ops is, per spatial axis, a sum of weighted input positions: output
``dst[j]`` gets ``weight[j] * input[src[j]]`` (repeated ``dst`` entries add up). Applying
one map per axis in turn gives the op; applying the transposed maps (``src`` and ``dst``
swapped) gives its gradient. Every step is an index selection, a product and a
scatter-add, so a NaN or an infinity reaches only the outputs whose windows hold it (a
matrix product would spread it through ``0 * inf``), and the gradient is again
differentiable (second order works).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import dtypes
from ..creation import tensor, zeros
from ..tensor import Tensor


@dataclass(frozen=True, eq=False)  # its tensors compare elementwise: identity is enough
class AxisMap:
    """``out[..., dst[j], ...] += weight[j] * x[..., src[j], ...]`` along ``axis``
    (negative: counted from the end). ``src`` None reads positions ``0, 1, ...`` in
    order; ``dst`` None writes term ``j`` to output position ``j`` (nothing adds up);
    ``weight`` None is a weight of 1. ``length`` is the output's size along ``axis``,
    ``source_length`` the input's."""

    axis: int
    src: Tensor | None
    dst: Tensor | None
    weight: Tensor | None
    length: int
    source_length: int

    def transposed(self) -> AxisMap:
        """The adjoint map: the gradient w.r.t. the input from one w.r.t. the output."""
        return AxisMap(self.axis, self.dst, self.src, self.weight, self.source_length, self.length)

    def __call__(self, x: Tensor) -> Tensor:
        trailing = (1,) * (-self.axis - 1)  # broadcast a per-position vector along axis
        y = x if self.src is None else x.index_select(self.axis, self.src)
        if self.weight is not None:
            y = y * self.weight.reshape(-1, *trailing)
        if self.dst is None:
            return y
        shape = list(y.shape)
        shape[self.axis] = self.length
        index = self.dst.reshape(-1, *trailing).expand(*y.shape)
        out = zeros(shape, dtype=y.dtype, backend=y.backend)
        return out.scatter_add(y.dim() + self.axis, index, y)


def apply_maps(x: Tensor, maps: Sequence[AxisMap]) -> Tensor:
    """``x`` with each map applied in turn."""
    for m in maps:
        x = m(x)
    return x


def transpose_maps(g: Tensor, maps: Sequence[AxisMap]) -> Tensor:
    """The gradient w.r.t. the input of :func:`apply_maps`, given ``g`` w.r.t. its output."""
    for m in reversed(maps):
        g = m.transposed()(g)
    return g


def make_map(
    axis: int,
    terms: Sequence[tuple[int, int, float]],
    length: int,
    source_length: int,
    like: Tensor,
) -> AxisMap:
    """The map of ``terms`` = ``(src, dst, weight)`` triples, its index and weight
    tensors on ``like``'s backend (weights in its dtype; all 1 means no weight)."""
    src, dst, weight = zip(*terms) if terms else ((), (), ())
    backend = like.backend
    weights = None
    if any(w != 1 for w in weight):
        weights = tensor(list(weight), dtype=like.dtype, backend=backend)
    in_order = list(dst) == list(range(length))
    return AxisMap(
        axis,
        tensor(list(src), dtype=dtypes.int64, backend=backend),
        None if in_order else tensor(list(dst), dtype=dtypes.int64, backend=backend),
        weights,
        length,
        source_length,
    )
